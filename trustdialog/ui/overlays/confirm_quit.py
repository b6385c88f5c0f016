"""Quitting mid-exercise asks first, and says the session is kept."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button

from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text


class ConfirmQuitScreen(Dialog):
    """Dismisses True to quit, False to stay. `session_id` None: the session is not saved."""

    TITLE_TEXT = "Leave for now?"
    BINDINGS = [
        Binding("escape,n", "stay", "Stay", id="overlay.stay"),
        Binding("y", "leave", "Leave", id="overlay.leave"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, session_id: str | None = None) -> None:
        super().__init__()
        self.session_id = session_id

    def compose_dialog(self) -> ComposeResult:
        if self.session_id:
            yield text("Everything you have written so far is kept. You can pick up where you "
                       f"left off with: trustdialog resume {self.session_id}")
        else:  # --no-save (or a store that fell back to memory): nothing to come back to
            yield text("Saving is off, so this session is not kept: if you leave now, what you "
                       "have written is gone and cannot be picked up again.")
        with Horizontal(classes="overlay-buttons"):
            yield Button("Leave", id="quit-leave", variant="primary")
            yield Button("Stay", id="quit-stay")
        yield keys_hint(("y", "leave"), ("n / Esc", "stay"), ("← →", "move"))

    def on_mount(self) -> None:
        self.query_one("#quit-leave").focus()

    @on(Button.Pressed, "#quit-leave")
    def action_leave(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#quit-stay")
    def action_stay(self) -> None:
        self.dismiss(False)
