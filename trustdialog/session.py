"""A running session: the engine's state, kept in step with the store.

Every event is checked by the engine, then committed by the store, and only
then becomes the new state: what the UI shows has always been saved first.
If the disk fails mid-session the session carries on in memory, with a warning.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from trustdialog import engine
from trustdialog.engine import Event, SessionState
from trustdialog.exercise.model import Exercise
from trustdialog.store import (
    MemoryStore, SessionGone, SessionInfo, Snapshot, Store, StoreConflict, StoreError,
    StoreWriteError,
)

if TYPE_CHECKING:
    from trustdialog.store.protocol import Watch

log = logging.getLogger("trustdialog.session")
log.addHandler(logging.NullHandler())

MEMORY_ONLY = ("Saving stopped ({reason}). This session carries on in memory only "
               "and will be lost when the app closes.")
GONE = "This session was deleted from another window; what you write now is not saved."


@dataclass(frozen=True)
class SavingStopped:
    """Why and where saving stopped mid-session: the first `saved` events are on disk."""

    reason: str
    saved: int
    gone: bool = False  # the session was forgotten elsewhere: nothing of it is on disk now


def draft_key(step: str, round: int, partner: str, field: str) -> str:
    """The key a draft of one field of one visit is saved under."""
    return f"{step}:{round}:{partner}:{field}"


class Session:
    def __init__(self, store: Store, exercise: Exercise, session_id: str,
                 names: Mapping[str, str], clock: Callable[[], float] = time.time,
                 events: list[Event] | None = None, info: SessionInfo | None = None) -> None:
        self.store: Store = store
        self.exercise = exercise
        self.id = session_id
        self.clock = clock
        self.events: list[Event] = list(events or [])  # the log as this process knows it
        self.info: SessionInfo = info or store.info(session_id)
        self.state: SessionState = engine.replay(exercise, names, self.events)
        self.stopped: SavingStopped | None = None  # set when the store fails mid-session
        self._seen_version: int | None = None  # the store's version at the last catch_up

    @classmethod
    def new(cls, store: Store, exercise: Exercise, names: Mapping[str, str],
            owner: str | None = None, clock: Callable[[], float] = time.time) -> "Session":
        sid = store.create_session(
            exercise.id, exercise.title, names, owner=owner, at=clock(),
            private_steps=[s.id for s in exercise.steps if s.private],
            hidden_steps=[s.id for s in exercise.steps if s.hidden])
        return cls(store, exercise, sid, names, clock)

    @classmethod
    def resume(cls, store: Store, exercise: Exercise, session_id: str,
               clock: Callable[[], float] = time.time) -> "Session":
        info = store.info(session_id)
        return cls(store, exercise, session_id, info.names, clock, store.events(session_id), info)

    @property
    def warning(self) -> str | None:
        """Why this session is not being saved, if it is not."""
        return self.store.warning

    @property
    def persistent(self) -> bool:
        """Whether everything of this session so far is on disk (nothing failed, not --no-save)."""
        return self.stopped is None and self.store.persistent

    def turns(self) -> tuple[int, int]:
        """(turns on disk, turns only in memory): the partners' moves, not readiness or pauses."""
        if self.persistent:
            saved = len(self.events)
        elif self.stopped is not None and not self.stopped.gone:
            saved = self.stopped.saved
        else:  # --no-save, memory from the start, or forgotten: nothing is on disk
            saved = 0

        def count(events: list[Event]) -> int:
            return sum(1 for e in events if e.kind in engine.STEP_EVENTS)

        return count(self.events[:saved]), count(self.events[saved:])

    def submit(self, kind: str, partner: str, *, by: str | None = None, **data: Any) -> SessionState:
        """Apply one partner's action (sent by `by`); raises engine.FlowError if it does not fit."""
        state = self.state
        step = state.step_id if kind in engine.STEP_EVENTS else None
        event = Event(kind, partner, step=step, round=state.round if step else None,
                      data=data, at=self.clock(), by=by)
        while True:
            new = engine.apply(self.state, event)  # raises before anything is stored
            try:
                self.store.append(self.id, event, after=len(self.events),
                                  clear_drafts=self._drafts_done(event),
                                  finished=new.finished)  # committed before the UI moves on
            except StoreConflict:
                # Another process (the partner's SSH connection) got there
                # first: catch up, then check the action still fits.
                self.refresh()
                continue
            except (StoreWriteError, SessionGone) as error:
                self._carry_on_in_memory(error)
                continue
            break
        self.events.append(event)
        self.state = new
        return new

    def catch_up(self) -> bool:
        """Take in what other processes appended, if the store changed since the last look.

        Cheap when nothing changed (the session's version, no read of events): screens
        call it on every write to the store, to follow a session played on other
        connections, and writes to other sessions leave it at that.
        """
        version = self.store.session_version(self.id)
        if version == self._seen_version:
            return False
        self._seen_version = version  # taken before reading: a change during the read is seen next time
        return self.refresh()

    def watch(self, callback: Callable[[], object]) -> Watch | None:
        """Have `callback` run (in the running event loop) soon after another process adds to this
        session: the push half of the change feed (inotify on the SQLite file's folder, the
        LISTEN socket of a PostgreSQL store), so that a watcher need not ask `catch_up` often.
        Writes to other sessions do not call it. None where the store cannot tell (then poll).
        """
        if not self.persistent:
            return None
        return self.store.watch(self.id, callback)

    def refresh(self) -> bool:
        """Apply events other processes appended since; True if there were any."""
        fresh = self.store.events(self.id, after=len(self.events))
        state = self.state
        for event in fresh:
            state = engine.apply(state, event)
        self.events.extend(fresh)
        self.state = state
        return bool(fresh)

    # -- drafts ------------------------------------------------------------------

    def save_draft(self, key: str, text: str) -> None:
        """Keep the text being typed; the UI calls this on pauses in typing and focus changes."""
        try:
            self.store.save_draft(self.id, key, text)
        except (StoreWriteError, SessionGone) as error:
            # Forgotten elsewhere: drafts go to memory too, so no row outlives the session.
            self._carry_on_in_memory(error)
            self.store.save_draft(self.id, key, text)

    def drafts(self) -> dict[str, str]:
        """Unsent text by draft key, to put back into the inputs on resume."""
        return self.store.drafts(self.id)

    def clear_draft(self, key: str) -> None:
        try:
            self.store.clear_draft(self.id, key)
        except (StoreWriteError, SessionGone) as error:
            self._carry_on_in_memory(error)
            self.store.clear_draft(self.id, key)

    def _drafts_done(self, event: Event) -> list[str]:
        """Drafts an event settles: the answerer's drafts of that step, or everyone's if skipped.

        Keys start "step:round:partner:" (see draft_key); the UI may add
        sub-keys after the field (list items, the "shared" box), so match the prefix.
        """
        if event.kind not in (engine.ANSWERED, engine.SKIPPED) or event.step is None:
            return []
        partners = (event.partner,) if event.kind == engine.ANSWERED else engine.PARTNERS
        prefixes = tuple(f"{event.step}:{event.round or self.state.round}:{p}:" for p in partners)
        try:
            return [key for key in self.store.drafts(self.id) if key.startswith(prefixes)]
        except StoreError:  # reading failed: the append below will say why
            return []

    # -- faults ------------------------------------------------------------------

    def _carry_on_in_memory(self, error: StoreWriteError | SessionGone) -> None:
        """The disk failed (or the session was forgotten): carry on in memory, and say so."""
        gone = isinstance(error, SessionGone)
        self.stopped = SavingStopped(" ".join(str(error).split()), len(self.events), gone)
        old = self.store
        try:
            drafts = old.drafts(self.id)
        except Exception:
            # Broad on purpose: the promise is that a failing disk never costs the
            # turn being sent (it carries on in memory); drafts are a convenience.
            drafts = {}
        memory = MemoryStore(warning=GONE if gone else MEMORY_ONLY.format(reason=self.stopped.reason))
        memory.adopt(Snapshot(self.info.with_(events=len(self.events)), list(self.events), drafts))
        self.store = memory
        log.warning("session %s: saving stopped (%s); carrying on in memory", self.id, error)
