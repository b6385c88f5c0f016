"""What every overlay shares: the centred dialog frame and plain-text helpers."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from trustdialog.ui.widgets.key_footer import KeyFooter
from trustdialog.ui.widgets.safe_text import safe


class Dialog(ModalScreen):
    """A modal screen showing one centred dialog box, with the keys in a footer."""

    TITLE_TEXT = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="overlay-dialog") as box:
            box.border_title = self.TITLE_TEXT
            yield from self.compose_dialog()
        yield KeyFooter()

    def compose_dialog(self) -> ComposeResult:
        yield from ()


def come_back(session_id: str, over_ssh: bool = False) -> str:
    """How to pick a saved session up again, to follow "come back later" or "left off":
    the command at a terminal, the welcome's list over SSH."""
    if over_ssh:
        return "by connecting again and choosing it under Unfinished sessions"
    return f"with: trustdialog resume {session_id}"


def text(value: object, style: str = "", classes: str | None = None) -> Static:
    """A Static showing `value` literally: never markup, never terminal codes."""
    return Static(safe(value, style), classes=classes)


def keys_hint(*pairs: tuple[str, str]) -> Static:
    """One quiet line naming the keys of this dialog ("Enter agree · Esc back")."""
    line = Text()
    for i, (key, what) in enumerate(pairs):
        if i:
            line.append("  ·  ", style="dim")
        line.append(key, style="bold")
        line.append(f" {what}")
    return Static(line, classes="overlay-keys")


def clock(at: float) -> str:
    """Local wall-clock time of `at`: "19:00"."""
    return datetime.fromtimestamp(at).strftime("%H:%M")


def when(at: float, now: float) -> str:
    """`at` as people say it, relative to `now`: "19:00", "tomorrow at 09:30", "Tue 14 at 09:30"."""
    day, today = datetime.fromtimestamp(at).date(), datetime.fromtimestamp(now).date()
    if day == today:
        return clock(at)
    if day == today + timedelta(days=1):
        return f"tomorrow at {clock(at)}"
    return f"{datetime.fromtimestamp(at).strftime('%a %d')} at {clock(at)}"


def duration(seconds: float) -> str:
    """A length of time in words, to the minute: "20 minutes", "1 hour 5 minutes"."""
    minutes = max(0, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if minutes or not hours:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    return " ".join(parts)
