"""The in-memory store: `--no-save`, and where a session carries on when the disk fails."""

from __future__ import annotations

import dataclasses
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from trustdialog.engine import Event
from trustdialog.store.records import (
    MARKS, Mark, Note, SessionDamaged, SessionGone, SessionInfo, Snapshot, StoreConflict, StoreError,
)

if TYPE_CHECKING:
    from trustdialog.store.protocol import Watch


def new_session_id() -> str:
    """Short enough to type after `trustdialog resume`, random enough not to clash."""
    return uuid.uuid4().hex[:8]


class MemoryStore:
    """Everything in memory; nothing ever touches the disk."""

    persistent = False
    read_only: str | None = None  # memory can always be written
    path: Path | None = None  # no file

    def __init__(self, warning: str | None = None) -> None:
        self.warning: str | None = warning
        self._version = 0  # one more for every change (see version)
        self._sessions: dict[str, Snapshot] = {}
        self._marks: dict[tuple[str, str], Mark] = {}
        self._notes: dict[str, list[Note]] = {}

    def adopt(self, snapshot: Snapshot) -> None:
        """Take over a session from another store, as it stood."""
        self._version += 1
        self._sessions[snapshot.info.id] = Snapshot(
            snapshot.info, list(snapshot.events), dict(snapshot.drafts))

    # -- sessions --------------------------------------------------------------

    def create_session(self, exercise_id: str, title: str, names: Mapping[str, str],
                       owner: str | None = None, at: float | None = None, *,
                       private_steps: Iterable[str] = (), hidden_steps: Iterable[str] = ()) -> str:
        self._version += 1
        at = time.time() if at is None else at
        sid = new_session_id()
        while sid in self._sessions:
            sid = new_session_id()
        self._sessions[sid] = Snapshot(SessionInfo(
            sid, exercise_id, title, dict(names), owner, at, at, False, 0,
            tuple(private_steps), tuple(hidden_steps)))
        return sid

    def _get(self, session_id: str) -> Snapshot:
        try:
            return self._sessions[session_id]
        except KeyError:
            raise StoreError(f"no session {session_id!r}") from None

    def _live(self, session_id: str) -> Snapshot:
        # Writing for a forgotten session writes nothing, as in the SQLite store.
        try:
            return self._sessions[session_id]
        except KeyError:
            raise SessionGone(session_id) from None

    def append(self, session_id: str, event: Event, *, after: int | None = None,
               clear_drafts: Iterable[str] = (), finished: bool = False) -> int:
        self._version += 1
        rec = self._live(session_id)
        if after is not None and after != len(rec.events):
            raise StoreConflict(len(rec.events))
        rec.events.append(event)
        for key in clear_drafts:
            rec.drafts.pop(key, None)
        rec.info = rec.info.with_(events=len(rec.events), updated_at=event.at or time.time(),
                                  finished=rec.info.finished or finished)
        return len(rec.events)

    def events(self, session_id: str, after: int = 0) -> list[Event]:
        return list(self._get(session_id).events[after:])

    def info(self, session_id: str) -> SessionInfo:
        return self._get(session_id).info

    def sessions(self, owner: str | None = None) -> list[SessionInfo]:
        infos = [r.info for r in self._sessions.values() if owner is None or r.info.owner == owner]
        return sorted(infos, key=lambda i: i.updated_at, reverse=True)

    def damaged(self, owner: str | None = None) -> list[SessionDamaged]:
        return []  # nothing in memory is ever torn

    def set_finished(self, session_id: str) -> None:
        self._version += 1
        rec = self._get(session_id)
        rec.info = rec.info.with_(finished=True)

    def snapshot(self, session_id: str) -> Snapshot:
        rec = self._get(session_id)
        return Snapshot(rec.info, list(rec.events), dict(rec.drafts))

    # -- drafts ----------------------------------------------------------------

    def save_draft(self, session_id: str, key: str, text: str) -> None:
        self._version += 1
        self._live(session_id).drafts[key] = text

    def drafts(self, session_id: str) -> dict[str, str]:
        return dict(self._get(session_id).drafts)

    def clear_draft(self, session_id: str, key: str) -> None:
        self._version += 1
        self._live(session_id).drafts.pop(key, None)

    # -- promise marks ---------------------------------------------------------

    def set_mark(self, session_id: str, key: str, mark: str, at: float | None = None,
                 checkin_session: str | None = None) -> None:
        self._version += 1
        if mark not in MARKS:
            raise StoreError(f"a mark is one of {', '.join(MARKS)}")
        self._get(session_id)
        self._marks[(session_id, key)] = Mark(session_id, key, mark,
                                              time.time() if at is None else at, checkin_session)

    def marks(self, owner: str | None = None) -> list[Mark]:
        return sorted((m for m in self._marks.values()
                       if m.session_id in self._sessions
                       and (owner is None or self._sessions[m.session_id].info.owner == owner)),
                      key=lambda m: m.at)

    # -- facilitator notes -----------------------------------------------------

    def add_note(self, session_id: str, text: str, *, author: str, at: float | None = None,
                 step: str | None = None, round: int | None = None,
                 label: str | None = None) -> Note:
        self._version += 1
        self._live(session_id)
        notes = self._notes.setdefault(session_id, [])
        note = Note(session_id, len(notes) + 1, time.time() if at is None else at, author, text,
                    step, round, label)
        notes.append(note)
        return note

    def notes(self, session_id: str) -> list[Note]:
        return list(self._notes.get(session_id, ()))

    # -- lifetime --------------------------------------------------------------

    def forget(self, session_id: str) -> bool:
        self._version += 1
        self._get(session_id)
        del self._sessions[session_id]
        self._notes.pop(session_id, None)
        for key, mark in list(self._marks.items()):
            if key[0] == session_id:
                del self._marks[key]
            elif mark.checkin_session == session_id:
                # As the file stores do: the mark stays, the forgotten session is not named.
                self._marks[key] = dataclasses.replace(mark, checkin_session=None)
        return True

    def version(self) -> int:
        """Changes whenever anything here changed (only this process can change it)."""
        return self._version

    def presence(self) -> None:
        return None  # nobody else can see this process's memory

    def session_version(self, session_id: str) -> int:
        """The store's version: only this process writes here, and it knows what it wrote."""
        return self._version

    def watch(self, session_id: str | None, callback: Callable[[], object]) -> Watch | None:
        """None: no other process writes here, so there is nothing to be told."""
        return None

    def close(self) -> None:
        pass
