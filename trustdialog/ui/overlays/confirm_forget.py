"""Deleting a saved session from inside the app: asked once, then gone for good (as `forget`)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button

from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text
from trustdialog.ui.widgets.safe_text import safe


class ConfirmForgetScreen(Dialog):
    """Dismisses True to delete the session, False to keep it."""

    TITLE_TEXT = "Delete this session?"
    BINDINGS = [
        Binding("escape,n", "keep", "Keep it", id="overlay.keep"),
        Binding("y", "forget", "Delete", id="overlay.forget"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, described: str) -> None:
        super().__init__()
        self.described = described

    def compose_dialog(self) -> ComposeResult:
        yield text(safe(self.described), "bold")
        yield text("Everything in it is deleted for good: every answer, every draft, and the "
                   "promises it holds. It cannot be brought back.")
        with Horizontal(classes="overlay-buttons"):
            # Keeping it is the safe answer, so it has the focus.
            yield Button("Keep it", id="forget-keep", variant="primary")
            yield Button("Delete for good", id="forget-yes", variant="error")
        yield keys_hint(("n / Esc", "keep it"), ("y", "delete"), ("← →", "move"))

    def on_mount(self) -> None:
        self.query_one("#forget-keep", Button).focus()

    @on(Button.Pressed, "#forget-yes")
    def action_forget(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#forget-keep")
    def action_keep(self) -> None:
        self.dismiss(False)
