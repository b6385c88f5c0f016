"""A running session: the engine's state, kept in step with the store.

Every event is checked by the engine, then committed by the store, and only
then becomes the new state: what the UI shows has always been saved first.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

from trustdialog import engine
from trustdialog.engine import Event, SessionState
from trustdialog.exercise.model import Exercise


class Session:
    def __init__(self, store: Any, exercise: Exercise, session_id: str,
                 names: Mapping[str, str], clock: Callable[[], float] = time.time,
                 events: list[Event] | None = None) -> None:
        self.store = store
        self.exercise = exercise
        self.id = session_id
        self.clock = clock
        self.state: SessionState = engine.replay(exercise, names, events or [])

    @classmethod
    def new(cls, store: Any, exercise: Exercise, names: Mapping[str, str],
            owner: str | None = None, clock: Callable[[], float] = time.time) -> "Session":
        sid = store.create_session(exercise.id, exercise.title, names, owner=owner, at=clock())
        return cls(store, exercise, sid, names, clock)

    @classmethod
    def resume(cls, store: Any, exercise: Exercise, session_id: str,
               clock: Callable[[], float] = time.time) -> "Session":
        info = store.info(session_id)
        return cls(store, exercise, session_id, info.names, clock, store.events(session_id))

    def submit(self, kind: str, partner: str, **data: Any) -> SessionState:
        """Apply one partner's action; raises engine.FlowError if it does not fit."""
        state = self.state
        step = state.step_id if kind in engine.STEP_EVENTS else None
        event = Event(kind, partner, step=step, round=state.round if step else None,
                      data=data, at=self.clock())
        new = engine.apply(state, event)  # raises before anything is stored
        self.store.append(self.id, event)  # committed before the UI moves on
        if new.finished:
            self.store.set_finished(self.id)
        self.state = new
        return new
