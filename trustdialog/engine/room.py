"""Said in the room: a facilitator's nudge and a partner's call for them, in the log but never a move.

They are events so that every connection on the session learns of them through
the store's change feed, and so that they are kept with the session; but the
state after one is the state before it (only its count of events moves), so an
old log replays unchanged and the flow never depends on them.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from trustdialog.engine.events import (CALL_ANSWERED, CALLED, NUDGED, PARTNERS, ROOM_EVENTS, Event,
                                       FlowError)
from trustdialog.engine.state import SessionState

NUDGE_TO = "both"  # a nudge's `partner`: it is for both of them, on both screens
MAX_NUDGE = 300  # characters: a nudge is a line or two, not a lecture


def room_guard(state: SessionState, event: Event) -> str | None:
    """Why this room event cannot be said now, or None."""
    if state.finished:
        return "the exercise has ended"
    if event.kind == NUDGED:
        if event.partner != NUDGE_TO:
            return f"a nudge is for both partners (partner {NUDGE_TO!r}, not {event.partner!r})"
    elif event.partner not in PARTNERS:
        return f"unknown partner {event.partner!r}"
    return None


def on_room(state: SessionState, event: Event) -> SessionState:
    """Check a room event's payload; the state stays as it was."""
    if event.kind == NUDGED:
        text = event.data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise FlowError("a nudge needs a few words")
        if len(text) > MAX_NUDGE:
            raise FlowError(f"a nudge is at most {MAX_NUDGE} characters")
        sender = event.data.get("from", "")
        if not isinstance(sender, str):
            raise FlowError("a nudge's sender is a name")
    return state


def open_calls(events: Iterable[Event]) -> tuple[str, ...]:
    """The partners whose call for the facilitator is not answered yet, in the order they called."""
    waiting: dict[str, None] = {}
    for event in events:
        if event.kind == CALLED:
            waiting.setdefault(event.partner, None)
        elif event.kind == CALL_ANSWERED:
            waiting.pop(event.partner, None)
    return tuple(waiting)


def latest_nudge(events: Sequence[Event], after: int = 0) -> tuple[int, Event] | None:
    """The last nudge at index `after` or later in `events`, with its index; None if there is none."""
    for index in range(len(events) - 1, max(after, 0) - 1, -1):
        if events[index].kind == NUDGED:
            return index, events[index]
    return None


def is_room(kind: object) -> bool:
    return isinstance(kind, str) and kind in ROOM_EVENTS
