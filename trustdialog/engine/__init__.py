"""The exercise state machine: a session's state is a pure function of its events (the public names)."""

from trustdialog.answers import example_value
from trustdialog.engine.events import (ANSWERED, CALL_ANSWERED, CALLED, CHOSE, CONFIRMED, CONTINUED, ENDED,
                                       EVENT_KINDS, NOT_NOW, NUDGED, PARTNERS, PAUSED, READY, RESUMED, ROOM_EVENTS,
                                       SKIPPED, STEP_EVENTS, TURN_EVENTS, Event, EventKind, FlowError, _thaw)
from trustdialog.engine.prompts import MISSING
from trustdialog.engine.state import Answer, Progress, SessionState
from trustdialog.engine.transitions import allowed, apply, on_turn, replay, start, valid_actions

__all__ = [
    "ANSWERED", "Answer", "CALLED", "CALL_ANSWERED", "CHOSE", "CONFIRMED", "CONTINUED", "ENDED", "EVENT_KINDS",
    "Event", "EventKind", "FlowError", "MISSING", "NOT_NOW", "NUDGED", "PARTNERS", "PAUSED", "Progress", "READY",
    "RESUMED", "ROOM_EVENTS", "SKIPPED", "STEP_EVENTS",
    "SessionState", "TURN_EVENTS", "allowed", "apply", "example_value", "on_turn", "replay", "start",
    "valid_actions",
]
