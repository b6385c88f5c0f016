"""What every session store offers (SQLite, memory, and later a database server): one Protocol.

Code that takes a store types it as `Store`; a test checks that each store
class satisfies it. Optional abilities are attributes every store has
(`persistent`, `warning`, `read_only`, `path`), never probed for with getattr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Protocol, runtime_checkable

if TYPE_CHECKING:
    from pathlib import Path

    from trustdialog.engine import Event
    from trustdialog.presence import Roll
    from trustdialog.store.records import Mark, Note, SessionDamaged, SessionInfo, Snapshot


class Watch(Protocol):
    """A push of changes set up by `Store.watch`, until closed."""

    def close(self) -> None: ...


@runtime_checkable
class Store(Protocol):
    """An append-only event log per session, with drafts, promise marks and facilitator notes beside it."""

    # Read-only properties here, so a store may hold them as plain attributes
    # of a narrower type (SQLiteStore.path is always a Path).

    @property
    def persistent(self) -> bool:
        """Whether what is stored outlives this process (False: memory only)."""

    @property
    def warning(self) -> str | None:
        """Why this store is not saving to disk, when it fell back to memory; else None."""

    @property
    def read_only(self) -> str | None:
        """Why this store can only read (a data file that cannot be written); else None."""

    @property
    def path(self) -> Path | None:
        """The file it keeps sessions in, to name in messages; None in memory."""

    def create_session(self, exercise_id: str, title: str, names: Mapping[str, str],
                       owner: str | None = None, at: float | None = None, *,
                       private_steps: Iterable[str] = (),
                       hidden_steps: Iterable[str] = ()) -> str: ...

    def append(self, session_id: str, event: Event, *, after: int | None = None,
               clear_drafts: Iterable[str] = (), finished: bool = False) -> int: ...

    def events(self, session_id: str, after: int = 0) -> list[Event]: ...

    def info(self, session_id: str) -> SessionInfo: ...

    def sessions(self, owner: str | None = None) -> list[SessionInfo]: ...

    def damaged(self, owner: str | None = None) -> list[SessionDamaged]: ...

    def set_finished(self, session_id: str) -> None: ...

    def snapshot(self, session_id: str) -> Snapshot: ...

    def save_draft(self, session_id: str, key: str, text: str) -> None: ...

    def drafts(self, session_id: str) -> dict[str, str]: ...

    def clear_draft(self, session_id: str, key: str) -> None: ...

    def set_mark(self, session_id: str, key: str, mark: str, at: float | None = None,
                 checkin_session: str | None = None) -> None: ...

    def marks(self, owner: str | None = None) -> list[Mark]: ...

    def add_note(self, session_id: str, text: str, *, author: str, at: float | None = None,
                 step: str | None = None, round: int | None = None,
                 label: str | None = None) -> Note:
        """Keep a facilitator's private note on the session (never in its event log)."""
        ...

    def notes(self, session_id: str) -> list[Note]:
        """The session's facilitator notes, oldest first."""
        ...

    def forget(self, session_id: str) -> bool: ...

    def version(self) -> int:
        """A number that changes whenever anything stored may have changed, by this process
        or another; the same number means nothing changed. Cheap: watchers ask often.

        This is the store's change notification: a store on a database server can
        answer it from its own (say, a LISTEN/NOTIFY counter) instead of polling.
        """
        ...

    def presence(self) -> Roll | None:
        """Who is on which session now, seen by every process that shares this store;
        None when nobody else could share it (memory)."""
        ...

    def session_version(self, session_id: str) -> int:
        """A number that changes whenever the session's event log may have changed, by this
        process or another; the same number means no event was added. Cheap, and cheaper
        still when only other sessions were written: a watcher of one session asks it on
        every write anywhere in the store, and must not read (or redraw) for the others.
        """
        ...

    def watch(self, session_id: str | None, callback: Callable[[], object]) -> Watch | None:
        """Have `callback` run in the running event loop soon after the session (any session,
        for None) may have changed, by any process: the push half of the change feed, so a
        watcher need not poll often. For a session, writes to other sessions are left out
        where the store can tell. None where the store cannot push (then poll).
        """
        ...

    def close(self) -> None: ...
