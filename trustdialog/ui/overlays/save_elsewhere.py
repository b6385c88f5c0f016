"""When saving has stopped: write the whole session as Markdown to a file the person chooses."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text
from trustdialog.ui.widgets.safe_text import safe

if TYPE_CHECKING:
    from trustdialog.session import Session

# Plain words for the reasons a copy cannot be written; anything else is said as the system says it.
WHY = {
    errno.ENOSPC: "that disk is full",
    errno.EDQUOT: "that disk is full",
    errno.EACCES: "you may not write there",
    errno.EPERM: "you may not write there",
    errno.EROFS: "that disk is read-only",
    errno.ENOENT: "that folder does not exist",
    errno.ENOTDIR: "part of that path is a file, not a folder",
}


def default_folder() -> Path:
    """The home folder if it can be written, else /tmp."""
    home = Path.home()
    return home if os.access(home, os.W_OK | os.X_OK) else Path("/tmp")


def default_path(session_id: str) -> Path:
    return default_folder() / f"trustdialog-{session_id}.md"


def write_copy(path: Path, content: str) -> None:
    """Write `content` to `path`, readable by this user only (0600); OSError if it cannot be.

    An existing file is replaced; a symlink is not followed, so a copy never
    lands somewhere the path does not name.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a file that was there before keeps no wider mode
        data = content.encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
    finally:
        os.close(fd)


def session_markdown(session: Session) -> str:
    """Everything this window holds of the session, as the export command writes it."""
    from trustdialog.export import to_markdown

    info = session.info.with_(events=len(session.events))
    return to_markdown(info, session.state, session.events)


def why(error: OSError) -> str:
    if error.errno in WHY:
        return WHY[error.errno]
    return " ".join((error.strerror or str(error)).split()).lower() or "it could not be written"


class SaveElsewhereScreen(Dialog):
    """Asks for a path and writes the session there. Dismisses the path written, or None."""

    TITLE_TEXT = "Save a copy"
    BINDINGS = [Binding("escape", "cancel", "Back", id="overlay.cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose_dialog(self) -> ComposeResult:
        yield text("Everything written in this session so far goes into one file, readable by "
                   "you only. Change the path if you like, then press Enter.")
        yield Input(str(default_path(self.session.id)), id="copy-path")
        message = Static("", id="copy-message")
        message.display = False
        yield message
        with Horizontal(classes="overlay-buttons"):
            yield Button("Save", id="copy-save", variant="primary")
            yield Button("Back", id="copy-cancel")
        yield keys_hint(("Enter", "save"), ("Esc", "back"))

    def on_mount(self) -> None:
        self.query_one("#copy-path", Input).focus()

    @on(Input.Submitted, "#copy-path")
    @on(Button.Pressed, "#copy-save")
    def action_save(self) -> None:
        typed = self.query_one("#copy-path", Input).value.strip()
        message = self.query_one("#copy-message", Static)
        message.display = True
        if not typed:
            message.update(safe("Type where the copy should go, for example /tmp/our-session.md."))
            return
        path = Path(typed).expanduser()
        if path.is_dir():  # a folder: the usual file name inside it
            path = path / default_path(self.session.id).name
        try:
            write_copy(path, session_markdown(self.session))
        except OSError as error:
            message.update(safe(f"Could not write {path}: {why(error)}. Try another place."))
            return
        self.dismiss(str(path))

    @on(Button.Pressed, "#copy-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
