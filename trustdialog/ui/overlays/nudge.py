"""F8 (facilitators): a nudge to both partners, one of a few calm ready-made lines or typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from trustdialog.engine.room import MAX_NUDGE
from trustdialog.ui.overlays.dialog import Dialog, keys_hint, text
from trustdialog.ui.widgets.safe_text import safe

# Calm, short and about the method, never about who is right.
READY_MADE = (
    "Take a breath. Try the sentence frame.",
    "Slow down: one moment, one feeling.",
    "Say back what you heard before you answer.",
    "Speak about yourself: \"I felt…\", not \"you always…\".",
    "A time-out is fine: ctrl+t, and agree when to come back.",
)


class NudgeScreen(Dialog):
    """Pick a ready-made nudge or type one; dismissed with its text, or None (Esc)."""

    TITLE_TEXT = "Nudge both partners"
    BINDINGS = [Binding("escape", "close", "Close", id="overlay.close")]

    def compose_dialog(self) -> ComposeResult:
        yield text("A short line on both partners' screens, kept with the session. "
                   "It does not move the exercise on; they close it with Enter or Esc.", "dim")
        yield OptionList(*[Option(safe(line), id=f"nudge-{i}") for i, line in enumerate(READY_MADE)],
                         id="nudge-choices")
        yield Input(placeholder="Or write your own, then Enter", max_length=MAX_NUDGE,
                    id="nudge-text")
        message = Static("", classes="overlay-message")
        message.display = False
        yield message
        yield keys_hint(("↑ ↓", "choose"), ("Tab", "write your own"), ("Enter", "send"),
                        ("Esc", "close"))

    def on_mount(self) -> None:
        choices = self.query_one("#nudge-choices", OptionList)
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected, "#nudge-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(READY_MADE[event.option_index])

    @on(Input.Submitted, "#nudge-text")
    def _typed(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            message = self.query_one(".overlay-message", Static)
            message.update(safe("Write a few words, or pick one of the lines above."))
            message.display = True
            return
        self.dismiss(event.value)

    def action_close(self) -> None:
        self.dismiss(None)
