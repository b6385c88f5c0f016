"""What the store hands out: session summaries, promise marks, facilitator notes, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from trustdialog.engine import Event

# How a promise went, as the partners marked it at a later check-in.
KEPT = "kept"
PARTLY = "partly"
NOT_KEPT = "not kept"
MARKS = (KEPT, PARTLY, NOT_KEPT)


class StoreError(Exception):
    """The store cannot do what was asked (unknown session, unreadable file...)."""


class StoreWriteError(StoreError):
    """Writing failed (disk full, read-only, I/O error): carry on in memory."""


class StoreUnreachable(StoreError):
    """The database server cannot be reached just now (down, restarting, the network):
    nothing was written, and the turn waits to be sent again rather than going to memory."""


class SessionGone(StoreError):
    """The session was forgotten (perhaps by another process); nothing was written for it."""

    def __init__(self, session_id: str) -> None:
        super().__init__(f"no session {session_id!r} (it was forgotten); nothing was saved for it")
        self.session_id = session_id


class SessionDamaged(StoreError):
    """One session's rows in the file are damaged; the other sessions are unaffected."""

    def __init__(self, session_id: str, what: str, owner: str | None = None) -> None:
        super().__init__(f"session {session_id}: {what}")
        self.session_id = session_id
        self.what = what
        self.owner = owner  # whose it is, when that much could be read


class StoreConflict(StoreError):
    """Another process appended to this session first; replay its events and retry."""

    def __init__(self, last_seq: int) -> None:
        super().__init__(f"the session moved on to event {last_seq}")
        self.last_seq = last_seq


@dataclass(frozen=True)
class SessionInfo:
    id: str
    exercise_id: str
    title: str
    names: Mapping[str, str]
    owner: str | None
    created_at: float
    updated_at: float
    finished: bool
    events: int
    # Steps whose answers stay out of exports even when the exercise file is
    # gone from the library (private: only the writer sees it; hidden: sealed
    # until both partners have answered).
    private_steps: tuple[str, ...] = ()
    hidden_steps: tuple[str, ...] = ()

    def with_(self, **changes: Any) -> "SessionInfo":
        return replace(self, **changes)


@dataclass(frozen=True)
class Mark:
    """A partner's mark on one promise made in an earlier session."""

    session_id: str  # the session the promise was made in
    key: str  # which promise in that session (see progress.promise_key)
    mark: str  # one of MARKS
    at: float
    checkin_session: str | None = None  # the session it was marked in, if any


@dataclass(frozen=True)
class Note:
    """A facilitator's private note on a session, at the step it was on when written.

    Kept beside the session, never in its event log: no client screen and no
    client export ever reads them (`trustdialog export ID --notes` does).
    """

    session_id: str
    seq: int  # 1, 2, ... in the order they were written
    at: float
    author: str
    text: str  # exactly as typed
    step: str | None = None  # the step's id, when the session was on one
    round: int | None = None
    label: str | None = None  # the step's label as it read then (the file may change)


@dataclass
class Snapshot:
    """One session's whole record, to carry it from a failing store into memory."""

    info: SessionInfo
    events: list[Event] = field(default_factory=list)
    drafts: dict[str, str] = field(default_factory=dict)
