"""F9 (facilitators): a private note on the running session, in a box of several lines."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from trustdialog.notes import MAX_NOTE
from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text
from trustdialog.ui.widgets.answer_box import AnswerBox
from trustdialog.ui.widgets.safe_text import safe


class NoteBox(AnswerBox):
    """The answer box, saying what ctrl+s does here."""

    def on_focus(self, event: events.Focus | None = None) -> None:
        if event is not None:
            event.prevent_default()  # the answer box's own handler would say "sends"
        self.border_subtitle = "ctrl+s keeps"


class NoteScreen(Dialog):
    """A box for the note; ctrl+s keeps it (dismissed with its text), Esc closes (None)."""

    TITLE_TEXT = "Private note"
    BINDINGS = [
        Binding("ctrl+s", "keep", "Keep the note", id="note.keep"),
        Binding("escape", "close", "Close", id="overlay.close"),
    ]

    def __init__(self, at: str) -> None:
        super().__init__()
        self.at = at  # where the session is: 'at step 2, "Say what happened" (round 1)'

    def compose_dialog(self) -> ComposeResult:
        yield text("Only facilitators see this note: never the partners, never their "
                   f"transcript. It is kept with the session, {self.at}.", "dim")
        yield NoteBox(placeholder="What you noticed, for later…", id="note-text")
        message = Static("", classes="overlay-message")
        message.display = False
        yield message
        yield keys_hint(("ctrl+s", "keep the note"), ("Esc", "close without keeping it"))

    def on_mount(self) -> None:
        self.query_one("#note-text", AnswerBox).focus()

    def _say(self, message: str) -> None:
        note = self.query_one(".overlay-message", Static)
        note.update(safe(message))
        note.display = True

    def action_keep(self) -> None:
        typed = self.query_one("#note-text", AnswerBox).text
        if not typed.strip():
            self._say("The note is empty; write a few words, or Esc to close.")
        elif len(typed) > MAX_NOTE:
            self._say(f"A note is at most {MAX_NOTE} characters; this one has {len(typed)}.")
        else:
            self.dismiss(typed)

    def action_close(self) -> None:
        self.dismiss(None)
