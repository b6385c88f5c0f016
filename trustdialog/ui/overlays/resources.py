"""Help lines: who to turn to, from a data file a facilitator can localise."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from trustdialog.resources import Resources
from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text
from trustdialog.ui.widgets.safe_text import clean


class ResourcesScreen(Dialog):
    """The help lines of `resources`; Esc closes."""

    TITLE_TEXT = "Help lines"
    BINDINGS = [Binding("escape", "close", "Close", id="overlay.close")]

    def __init__(self, resources: Resources) -> None:
        super().__init__()
        self.resources = resources

    def compose_dialog(self) -> ComposeResult:
        res = self.resources
        with VerticalScroll(classes="overlay-body"):
            yield text(res.title, "bold")
            yield text(res.note)
            for entry in res.entries:
                yield Static(_entry(entry), classes="overlay-entry")
            if res.problems:
                # For the facilitator who edits the file; quiet, since the list above still stands.
                yield text("Could not read: " + "; ".join(res.problems), "dim",
                           classes="overlay-problems")
        yield keys_hint(("↑ ↓", "scroll"), ("Esc", "close"))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _entry(entry) -> Text:
    out = Text()
    out.append(clean(entry.name), style="bold")
    if entry.region:
        out.append(f"  ({clean(entry.region)})", style="dim")
    if entry.purpose:
        out.append("\n" + clean(entry.purpose))
    if entry.contact:
        out.append("\n" + clean(entry.contact), style="bold")
    return out
