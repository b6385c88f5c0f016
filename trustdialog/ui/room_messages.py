"""What the exercise screen asks of the app for the facilitator in the room: a note, a nudge, a call.

Posted by the screen, handled by the app (which asks the Conversation), as the
messages of trustdialog.ui.messages are; kept apart so they read as one feature.
"""

from __future__ import annotations

from textual.message import Message


class WriteNote(Message):
    """The facilitator wrote a private note on the running session."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SendNudge(Message):
    """The facilitator sends a short message to both partners' screens."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class CallFacilitator(Message):
    """A partner asks for the facilitator."""

    def __init__(self, partner: str | None) -> None:
        super().__init__()
        self.partner = partner


class AnswerCalls(Message):
    """The facilitator has seen the partners' calls (answered, or set aside)."""

    def __init__(self, partners: tuple[str, ...]) -> None:
        super().__init__()
        self.partners = partners


def room_keys(facilitating: bool, may_call: bool) -> list[tuple[str, str]]:
    """The F1 lines for these keys, for who is at this end (the footer shows the same ones)."""
    if facilitating:
        return [("F9", "a private note on this session (only facilitators see it)"),
                ("F8", "nudge: a short, calm message on both partners' screens")]
    if may_call:
        return [("F5", "call the facilitator: they see that you asked for them")]
    return []
