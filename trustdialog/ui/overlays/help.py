"""F1: the rules of the current role, the other role's rules in brief, and the keys."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from trustdialog.exercise.model import Exercise
from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text
from trustdialog.ui.widgets.safe_text import clean

ABOUT = (
    "trustdialog walks two partners through a structured conversation, one turn at a "
    "time. It is a communication exercise, not therapy."
)
NOT_FOR = (
    "It is not for relationships with violence, threats or fear. "
    "If that is yours, the help lines screen lists people who can help."
)


class HelpScreen(Dialog):
    """The rules for `role` in `exercise` (both roles when `role` is None) and the keys."""

    TITLE_TEXT = "Rules and keys"
    BINDINGS = [
        Binding("escape", "close", "Close", id="overlay.close"),
        Binding("f1", "close", "Close", show=False, id="overlay.close-f1"),
    ]

    def __init__(self, exercise: Exercise | None, role: str | None,
                 keys: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.exercise = exercise
        self.role = role
        self.keys = list(keys)

    def compose_dialog(self) -> ComposeResult:
        with VerticalScroll(classes="overlay-body"):
            yield from self._rules()
            if self.keys:
                yield Static("Keys", classes="overlay-heading")
                yield Static(self._keys_table(), classes="overlay-keys-table")
        yield keys_hint(("↑ ↓", "scroll"), ("Esc", "close"))

    def _rules(self) -> ComposeResult:
        exercise = self.exercise
        if exercise is None:
            yield text(ABOUT)
            yield text(NOT_FOR, "italic")
            return
        yield text(exercise.title, "bold")
        roles = list(exercise.roles)
        if self.role in roles:
            other = roles[1 - roles.index(self.role)]
            yield text(f"You are the {self.role}", classes="overlay-heading")
            yield Static(_bullets(exercise.rules.get(self.role, ())))
            brief = " ".join(clean(rule) for rule in exercise.rules.get(other, ()))
            if brief:
                yield text(f"Your partner, the {other}", classes="overlay-heading")
                yield text(brief, "dim")
        else:
            for role in roles:
                yield text(f"The {role}", classes="overlay-heading")
                yield Static(_bullets(exercise.rules.get(role, ())))

    def _keys_table(self) -> Text:
        width = max(len(key) for key, _ in self.keys)
        table = Text()
        for i, (key, what) in enumerate(self.keys):
            if i:
                table.append("\n")
            table.append(clean(key).ljust(width), style="bold")
            table.append("  " + clean(what))
        return table

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def _bullets(rules: Sequence[str]) -> Text:
    out = Text()
    for i, rule in enumerate(rules):
        if i:
            out.append("\n")
        out.append("• ")
        out.append(clean(rule))
    return out or Text("(no rules written for this role)", style="dim")
