"""The SQLite store: an append-only event log per session, committed before append returns.

WAL lets readers (the progress view, a second SSH process) run while one
process writes. synchronous=FULL makes every commit fsync the WAL: with NORMAL
a power cut may roll back the last commits, and a turn the screen showed as
saved must survive anything short of a lost disk.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

from trustdialog.engine import Event
from trustdialog.store import schema
from trustdialog.store.memory import new_session_id
from trustdialog.store.records import (
    MARKS, Mark, SessionInfo, Snapshot, StoreConflict, StoreError, StoreWriteError,
)

log = logging.getLogger("trustdialog.store")
log.addHandler(logging.NullHandler())  # never Python's last-resort stderr: it would tear the TUI
T = TypeVar("T")

MOVE_ASIDE_HINT = "move it aside with `trustdialog sessions --move-aside` (nothing is deleted)"

# Lock waits are normal when two processes share a file; these are not faults.
_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_RECOVERY"}
_RETRIES = 50

_SESSION_COLS = ("id, exercise_id, title, name_a, name_b, owner, created_at, updated_at, "
                 "finished, events, private_steps, hidden_steps")


def _reason(error: BaseException, where: Path | None = None) -> str:
    """A short, user-readable reason for a failed write (never any user text)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    errno = getattr(error, "errno", None)
    if name.startswith("SQLITE_READONLY") or errno in (13, 30) or "readonly" in str(error):
        return "the data folder is read-only"
    if name.startswith("SQLITE_FULL") or errno == 28 or _nearly_full(where):
        return "the disk is full"
    if errno == 27 or "EFBIG" in str(error):
        return "the file has grown past its size limit"
    return f"the data file cannot be written ({str(error).splitlines()[0][:80]})"


def _nearly_full(where: Path | None) -> bool:
    # SQLite reports a full disk met while growing the -shm file as an I/O error.
    try:
        st = os.statvfs(where if where and where.is_dir() else (where or Path(".")).parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


class SQLiteStore:
    """Sessions in one SQLite file; safe to share between processes."""

    persistent = True

    def __init__(self, path: Path, *, probe: bool = True) -> None:
        self.path = Path(path)
        self.warning: str | None = None
        self._lock = threading.RLock()
        self._conn = self._open(probe)

    # -- opening ---------------------------------------------------------------

    def _open(self, probe: bool) -> sqlite3.Connection:
        path = self.path
        # Closing any descriptor of a file drops every POSIX lock this process
        # holds on it, including those of SQLite connections already open to
        # it: another process could then delete the WAL under them and corrupt
        # the file. So an existing file is opened by SQLite only (which also
        # reports a file that is not a database), and only a missing one is
        # made here, 0600 from its first byte (the -wal and -shm files follow).
        try:
            if not path.exists():
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            elif path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileExistsError:
            pass  # another process made it first
        except OSError as error:
            raise StoreWriteError(f"{path}: {_reason(error, path)}") from None
        try:
            conn = sqlite3.connect(path, timeout=10.0, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as error:
            raise StoreWriteError(f"{path}: {_reason(error, path)}") from None
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise StoreWriteError(f"{path}: cannot switch to WAL (journal mode {mode})")
            conn.execute("PRAGMA synchronous=FULL")
            # Deleted rows are zeroed on disk, so `forget` leaves no trace.
            conn.execute("PRAGMA secure_delete=ON")
            # Sorting and VACUUM scratch stay in memory, never in a temp file.
            conn.execute("PRAGMA temp_store=MEMORY")
            self._migrate(conn)
            if probe:
                # A write on open finds a read-only or full disk now, not mid-turn.
                with self._tx(conn):
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('opened_at', ?)",
                                 (repr(time.time()),))
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as error:
            conn.close()
            name = getattr(error, "sqlite_errorname", "")
            if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
                raise StoreError(f"{path} is damaged or not a trustdialog database "
                                 f"({error}); " + MOVE_ASIDE_HINT) from None
            raise StoreWriteError(f"{path}: {_reason(error, path)}") from None
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        found = schema.version(conn)
        if found == schema.CURRENT:
            return
        if found is not None and found < 0:
            raise StoreError(f"{self.path} is an SQLite file but not a trustdialog database; "
                             + MOVE_ASIDE_HINT)
        if found is not None and found > schema.CURRENT:
            raise StoreError(f"{self.path} was written by a newer trustdialog (schema "
                             f"{found}, this one knows {schema.CURRENT}); please upgrade")
        with self._tx(conn):
            found = schema.version(conn)  # another process may have upgraded it meanwhile
            if found != schema.CURRENT:
                log.info("upgrading %s from schema %s to %s", self.path, found, schema.CURRENT)
                schema.upgrade(conn, found)

    @staticmethod
    @contextmanager
    def _tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: reading max(seq) and
        # inserting seq + 1 happen under one lock, so no other writer slips in.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one committed transaction, retried while another process writes."""
        with self._lock:
            for attempt in range(_RETRIES):
                try:
                    with self._tx(self._conn) as conn:
                        return work(conn)
                except sqlite3.OperationalError as error:
                    if getattr(error, "sqlite_errorname", "") not in _BUSY or attempt == _RETRIES - 1:
                        log.warning("write failed: %s", getattr(error, "sqlite_errorname", "?"))
                        raise StoreWriteError(_reason(error, self.path)) from None
                time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
            raise StoreWriteError("the data file stayed locked")

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as error:
                raise StoreError(f"cannot read {self.path}: {error}") from None

    # -- sessions --------------------------------------------------------------

    def create_session(self, exercise_id: str, title: str, names: Mapping[str, str],
                       owner: str | None = None, at: float | None = None, *,
                       private_steps: Iterable[str] = (), hidden_steps: Iterable[str] = ()) -> str:
        at = time.time() if at is None else at
        row = (exercise_id, title, names["a"], names["b"], owner, at, at,
               json.dumps(list(private_steps)), json.dumps(list(hidden_steps)))

        def insert(conn: sqlite3.Connection) -> str:
            sid = new_session_id()
            while conn.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone():
                sid = new_session_id()  # the random id was taken; draw another
            conn.execute(f"INSERT INTO sessions ({_SESSION_COLS}) VALUES (?,?,?,?,?,?,?,?,0,0,?,?)",
                         (sid, *row))
            return sid

        return self._write(insert)

    def append(self, session_id: str, event: Event, *, after: int | None = None,
               clear_drafts: Iterable[str] = (), finished: bool = False) -> int:
        """Add `event` as the session's next one; committed (fsynced) before it returns.

        With `after`, append only if the log still ends at that seq; otherwise
        raise StoreConflict so the caller can catch up first.
        """
        body = json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"))
        clear = [(session_id, key) for key in clear_drafts]

        def add(conn: sqlite3.Connection) -> int:
            if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                raise StoreError(f"no session {session_id!r}")
            (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?",
                                   (session_id,)).fetchone()
            if after is not None and last != after:
                raise StoreConflict(last)
            seq = last + 1
            conn.execute("INSERT INTO events (session_id, seq, kind, at, body) VALUES (?,?,?,?,?)",
                         (session_id, seq, event.kind, event.at, body))
            conn.execute("UPDATE sessions SET events = ?, updated_at = MAX(updated_at, ?), "
                         "finished = MAX(finished, ?) WHERE id = ?",
                         (seq, event.at or time.time(), int(finished), session_id))
            if clear:
                conn.executemany("DELETE FROM drafts WHERE session_id = ? AND key = ?", clear)
            return seq

        for _ in range(_RETRIES):
            try:
                return self._write(add)
            except sqlite3.IntegrityError:
                # Not reachable while the write lock is held, but if it ever is,
                # the UNIQUE key refused a doubled seq: take the next one.
                log.warning("seq conflict on session %s; retrying", session_id)
        raise StoreWriteError("could not append after many retries")

    def events(self, session_id: str, after: int = 0) -> list[Event]:
        self.info(session_id)
        rows = self._read("SELECT body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
                          (session_id, after))
        return [Event.from_dict(json.loads(body)) for (body,) in rows]

    def info(self, session_id: str) -> SessionInfo:
        rows = self._read(f"SELECT {_SESSION_COLS} FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise StoreError(f"no session {session_id!r}")
        return _info(rows[0])

    def sessions(self, owner: str | None = None) -> list[SessionInfo]:
        where, params = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        rows = self._read(f"SELECT {_SESSION_COLS} FROM sessions {where} "
                          "ORDER BY updated_at DESC", params)
        return [_info(r) for r in rows]

    def set_finished(self, session_id: str) -> None:
        self._write(lambda conn: conn.execute(
            "UPDATE sessions SET finished = 1 WHERE id = ?", (session_id,)))

    def snapshot(self, session_id: str) -> Snapshot:
        return Snapshot(self.info(session_id), self.events(session_id), self.drafts(session_id))

    # -- drafts ----------------------------------------------------------------

    def save_draft(self, session_id: str, key: str, text: str) -> None:
        self._write(lambda conn: conn.execute(
            "INSERT INTO drafts (session_id, key, text, at) VALUES (?,?,?,?) "
            "ON CONFLICT (session_id, key) DO UPDATE SET text = excluded.text, at = excluded.at",
            (session_id, key, text, time.time())))

    def drafts(self, session_id: str) -> dict[str, str]:
        return dict(self._read("SELECT key, text FROM drafts WHERE session_id = ?", (session_id,)))

    def clear_draft(self, session_id: str, key: str) -> None:
        self._write(lambda conn: conn.execute(
            "DELETE FROM drafts WHERE session_id = ? AND key = ?", (session_id, key)))

    # -- promise marks ---------------------------------------------------------

    def set_mark(self, session_id: str, key: str, mark: str, at: float | None = None,
                 checkin_session: str | None = None) -> None:
        if mark not in MARKS:
            raise StoreError(f"a mark is one of {', '.join(MARKS)}")
        self.info(session_id)
        self._write(lambda conn: conn.execute(
            "INSERT INTO marks VALUES (?,?,?,?,?) ON CONFLICT (session_id, key) "
            "DO UPDATE SET mark = excluded.mark, at = excluded.at, "
            "checkin_session = excluded.checkin_session",
            (session_id, key, mark, time.time() if at is None else at, checkin_session)))

    def marks(self, owner: str | None = None) -> list[Mark]:
        where, params = ("WHERE s.owner = ?", (owner,)) if owner is not None else ("", ())
        rows = self._read("SELECT m.session_id, m.key, m.mark, m.at, m.checkin_session FROM marks m "
                          f"JOIN sessions s ON s.id = m.session_id {where} ORDER BY m.at", params)
        return [Mark(*row) for row in rows]

    # -- lifetime --------------------------------------------------------------

    def forget(self, session_id: str) -> bool:
        """Delete a session for good; True when no freed page is left unwiped.

        secure_delete zeroes the rows in the pages; the WAL still holds the old
        pages until a checkpoint copies them back and TRUNCATE empties it;
        VACUUM then rebuilds the file without its free pages.
        """
        self.info(session_id)

        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM marks WHERE session_id = ?", (session_id,))
            conn.execute("UPDATE marks SET checkin_session = NULL WHERE checkin_session = ?",
                         (session_id,))
            conn.execute("DELETE FROM drafts WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM events WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

        self._write(delete)
        log.info("forgot session %s", session_id)
        return self.wipe()

    def wipe(self) -> bool:
        """Checkpoint, vacuum and empty the WAL; False if another process kept a page in use."""
        with self._lock:
            try:
                busy1 = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                self._conn.execute("VACUUM")
                busy2 = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.OperationalError as error:
                log.warning("wipe after forget incomplete: %s", getattr(error, "sqlite_errorname", ""))
                return False
        return not (busy1 or busy2)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]


def _info(row: tuple) -> SessionInfo:
    (sid, exercise_id, title, name_a, name_b, owner, created, updated, finished, events,
     private, hidden) = row
    return SessionInfo(sid, exercise_id, title, {"a": name_a, "b": name_b}, owner, created,
                       updated, bool(finished), events, tuple(json.loads(private)),
                       tuple(json.loads(hidden)))
