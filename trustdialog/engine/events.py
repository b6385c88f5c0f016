"""What partners do: the event kinds, the `Event` record and its plain-JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

PARTNERS = ("a", "b")


class FlowError(ValueError):
    """An event that does not fit the current state; the state is unchanged."""


class EventKind(StrEnum):
    """Every kind of event, one set for the engine, the store and the UI.

    Members are strings equal to their stored values, so a log written with
    bare strings replays unchanged and `kind == "answered"` still holds.
    """

    READY = "ready"
    NOT_NOW = "not_now"  # one partner said "not now" at the ready check: that session closes
    ANSWERED = "answered"
    CONTINUED = "continued"  # read-and-continue (`say` steps)
    CHOSE = "chose"
    CONFIRMED = "confirmed"
    SKIPPED = "skipped"
    PAUSED = "paused"
    RESUMED = "resumed"
    ENDED = "ended"
    # Said in the room, never a move (trustdialog.engine.room): recorded, exported
    # as a quiet line, and the flow is the same with or without them.
    NUDGED = "nudged"  # a facilitator's short message to both partners
    CALLED = "called"  # a partner asked for the facilitator
    CALL_ANSWERED = "call_answered"  # the facilitator answered (or set aside) that call


# The module-level names predate the enum; the UI, the store and the export use them.
READY = EventKind.READY
NOT_NOW = EventKind.NOT_NOW
ANSWERED = EventKind.ANSWERED
CONTINUED = EventKind.CONTINUED
CHOSE = EventKind.CHOSE
CONFIRMED = EventKind.CONFIRMED
SKIPPED = EventKind.SKIPPED
PAUSED = EventKind.PAUSED
RESUMED = EventKind.RESUMED
ENDED = EventKind.ENDED
NUDGED = EventKind.NUDGED
CALLED = EventKind.CALLED
CALL_ANSWERED = EventKind.CALL_ANSWERED

EVENT_KINDS: tuple[EventKind, ...] = tuple(EventKind)
# The step-scoped kinds: each must name the current step and round.
STEP_EVENTS: tuple[EventKind, ...] = (ANSWERED, CONTINUED, CHOSE, CONFIRMED, SKIPPED)
# The kinds that are someone's turn (the floor); skip, pause, resume, end and
# "not now" are open to either partner, so a time-out never waits for a turn.
TURN_EVENTS: frozenset[EventKind] = frozenset({READY, ANSWERED, CONTINUED, CHOSE, CONFIRMED})
# The kinds said in the room: outside the guards' table (no partner's move), no state change.
ROOM_EVENTS: frozenset[EventKind] = frozenset({NUDGED, CALLED, CALL_ANSWERED})


@dataclass(frozen=True)
class Event:
    """One thing a partner did. `data` holds plain JSON values only.

    answered:  {"values": {field: value}, "shared": bool}
    chose:     {"option": index}
    confirmed: {"yes": bool}
    paused:    {"resume_at": unix seconds or None, "note": str}
    nudged:    {"text": str, "from": the facilitator's name}; partner "both"
    called, call_answered: {}; partner is the one who called

    `kind` is an `EventKind` or the same text read back from storage (equal).
    `by` is who sent it: a person and role from the SSH server ("ana, client"),
    "local" at one terminal, or None in logs from before it was recorded. It is
    a record only: the flow never depends on it.
    """

    kind: str
    partner: str
    step: str | None = None
    round: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    at: float | None = None
    by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # str(): a StrEnum member is stored as its bare value, as before the enum.
        out: dict[str, Any] = {"kind": str(self.kind), "partner": self.partner}
        if self.step is not None:
            out["step"] = self.step
        if self.round is not None:
            out["round"] = self.round
        if self.data:
            out["data"] = _thaw(self.data)
        if self.at is not None:
            out["at"] = self.at
        if self.by is not None:
            out["by"] = self.by
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Event:
        """The event `to_dict` wrote; FlowError if `d` is not one."""
        if not isinstance(d, Mapping) or not isinstance(d.get("kind"), str) or not isinstance(d.get("partner"), str):
            raise FlowError("not an event: it needs a 'kind' and a 'partner'")
        return cls(
            kind=d["kind"],
            partner=d["partner"],
            step=d.get("step"),
            round=d.get("round"),
            data=d.get("data") or {},
            at=d.get("at"),
            by=d["by"] if isinstance(d.get("by"), str) else None,
        )


def _thaw(value: Any) -> Any:
    """`value` as plain JSON data: mappings become dicts, sequences lists."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value
