"""Quitting mid-exercise asks first, and says truthfully what of the session is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from trustdialog.ui.overlays.dialog import Dialog, come_back, keys_hint, text
from trustdialog.ui.widgets.safe_text import safe

if TYPE_CHECKING:
    from trustdialog.session import Session


class ConfirmQuitScreen(Dialog):
    """Dismisses True to quit, False to stay.

    `session_id` None: the session is not saved. `session`, when saving
    stopped mid-way (or never started for a lack of disk), says how much is
    kept and offers a copy to a file (`s`).
    """

    TITLE_TEXT = "Leave for now?"
    BINDINGS = [
        Binding("escape,n", "stay", "Stay", id="overlay.stay"),
        Binding("y", "leave", "Leave", id="overlay.leave"),
        Binding("s", "save_copy", "Save a copy", id="overlay.save_copy"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, session_id: str | None = None, session: Session | None = None,
                 over_ssh: bool = False) -> None:
        super().__init__()
        self.session_id = session_id
        self.over_ssh = over_ssh
        # Only a session whose saving failed is offered a copy; --no-save was a choice.
        self.copy_of = session if session is not None and session.warning else None

    def compose_dialog(self) -> ComposeResult:
        yield text(self.what_is_kept())
        if self.copy_of is not None:
            yield text("Before you go, you can save a copy of all of it to a file (s).")
            note = Static("", id="quit-copy-note")
            note.display = False
            yield note
        with Horizontal(classes="overlay-buttons"):
            yield Button("Leave", id="quit-leave", variant="primary")
            yield Button("Stay", id="quit-stay")
            if self.copy_of is not None:
                yield Button("Save a copy", id="quit-copy")
        keys = [("y", "leave"), ("n / Esc", "stay")]
        if self.copy_of is not None:
            keys.append(("s", "save a copy"))
        yield keys_hint(*keys, ("← →", "move"))

    def what_is_kept(self) -> str:
        session = self.copy_of
        stopped = session.stopped if session is not None else None
        if session is not None and stopped is not None and stopped.gone:
            return ("This session was deleted from another window, so nothing of it is kept: "
                    "if you leave now, what you have written is gone.")
        if session is not None and stopped is not None:
            saved, unsaved = session.turns()
            if unsaved:
                return (f"Saving stopped ({stopped.reason}). Turns up to {saved} are saved; the "
                        f"last {unsaved} {'is' if unsaved == 1 else 'are'} only in this window "
                        f"and will be lost when you quit. You can pick up after turn {saved} "
                        f"{come_back(session.id, self.over_ssh)}.")
            return (f"Saving stopped ({stopped.reason}). Your {saved} turns so far are saved and "
                    f"can be picked up {come_back(session.id, self.over_ssh)}. "
                    "What is typed but not sent is not kept.")
        if self.session_id:
            return ("Everything you have written so far is kept. You can pick up where you "
                    f"left off {come_back(self.session_id, self.over_ssh)}")
        # --no-save, or a store that was in memory from the start: nothing to come back to
        return ("Saving is off, so this session is not kept: if you leave now, what you "
                "have written is gone and cannot be picked up again.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.copy_of is not None if action == "save_copy" else True

    def on_mount(self) -> None:
        self.query_one("#quit-leave").focus()

    @on(Button.Pressed, "#quit-leave")
    def action_leave(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#quit-stay")
    def action_stay(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#quit-copy")
    def action_save_copy(self) -> None:
        if self.copy_of is None:
            return
        from trustdialog.ui.overlays.save_elsewhere import SaveElsewhereScreen

        self.app.push_screen(SaveElsewhereScreen(self.copy_of), self._copied)

    def _copied(self, path: str | None) -> None:
        if path is None:
            return
        note = self.query_one("#quit-copy-note", Static)
        note.update(safe(f"A copy of everything so far is in {path}."))
        note.display = True
