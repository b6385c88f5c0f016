"""Session store: an append-only event log per session (in memory for now; SQLite lands next)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from trustdialog.engine import Event


class StoreError(Exception):
    """The store cannot do what was asked (unknown session, unwritable file...)."""


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


@dataclass
class _Record:
    info: SessionInfo
    events: list[Event] = field(default_factory=list)
    drafts: dict[str, str] = field(default_factory=dict)


class MemoryStore:
    """Everything in memory: `--no-save`, and the fallback when the disk fails."""

    persistent = False

    def __init__(self) -> None:
        self.warning: str | None = None
        self._sessions: dict[str, _Record] = {}

    def create_session(self, exercise_id: str, title: str, names: Mapping[str, str],
                       owner: str | None = None, at: float | None = None) -> str:
        at = time.time() if at is None else at
        sid = uuid.uuid4().hex[:8]
        self._sessions[sid] = _Record(SessionInfo(sid, exercise_id, title, dict(names), owner, at, at, False, 0))
        return sid

    def _get(self, session_id: str) -> _Record:
        try:
            return self._sessions[session_id]
        except KeyError:
            raise StoreError(f"no session {session_id!r}") from None

    def append(self, session_id: str, event: Event) -> int:
        rec = self._get(session_id)
        rec.events.append(event)
        rec.info = _touch(rec.info, len(rec.events), event.at)
        return len(rec.events)

    def events(self, session_id: str) -> list[Event]:
        return list(self._get(session_id).events)

    def info(self, session_id: str) -> SessionInfo:
        return self._get(session_id).info

    def sessions(self, owner: str | None = None) -> list[SessionInfo]:
        infos = [r.info for r in self._sessions.values() if owner is None or r.info.owner == owner]
        return sorted(infos, key=lambda i: i.updated_at, reverse=True)

    def set_finished(self, session_id: str) -> None:
        rec = self._get(session_id)
        rec.info = SessionInfo(**{**rec.info.__dict__, "finished": True})

    def save_draft(self, session_id: str, key: str, text: str) -> None:
        self._get(session_id).drafts[key] = text

    def drafts(self, session_id: str) -> dict[str, str]:
        return dict(self._get(session_id).drafts)

    def clear_draft(self, session_id: str, key: str) -> None:
        self._get(session_id).drafts.pop(key, None)

    def forget(self, session_id: str) -> None:
        self._get(session_id)
        del self._sessions[session_id]

    def close(self) -> None:
        pass


def _touch(info: SessionInfo, events: int, at: float | None) -> SessionInfo:
    return SessionInfo(**{**info.__dict__, "events": events, "updated_at": at or time.time()})


def open_store(data_dir: Path | None, no_save: bool = False) -> MemoryStore:
    """The store for this run: in memory with `--no-save`."""
    return MemoryStore()
