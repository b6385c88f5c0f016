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
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, TypeVar

from trustdialog.engine import Event
from trustdialog.store import schema
from trustdialog.store.memory import new_session_id
from trustdialog.store.rows import (
    SESSION_COLS, as_text, damaged_summaries, decode_events, readable, session_info,
)
from trustdialog.store.records import (
    MARKS, Mark, Note, SessionDamaged, SessionGone, SessionInfo, Snapshot, StoreConflict, StoreError,
    StoreWriteError,
)

if TYPE_CHECKING:
    from trustdialog.presence import Presence  # loaded when a session is joined
    from trustdialog.changes import FolderWatch

log = logging.getLogger("trustdialog.store")
log.addHandler(logging.NullHandler())  # never Python's last-resort stderr: it would tear the TUI
T = TypeVar("T")

MOVE_ASIDE_HINT = "move it aside with `trustdialog sessions --move-aside` (nothing is deleted)"

# Lock waits are normal when two processes share a file; these are not faults.
_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_RECOVERY"}
_RETRIES = 50



def _errorname(error: BaseException) -> str:
    """SQLite's name for the error ("SQLITE_FULL"), or "" for one SQLite did not raise."""
    # Only errors from the library carry the attribute: a closed connection's
    # ProgrammingError, or an OSError, has none.
    return getattr(error, "sqlite_errorname", None) or ""


def _reason(error: BaseException, where: Path | None = None) -> str:
    """A short, user-readable reason for a failed write (never any user text)."""
    name = _errorname(error)
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

    def __init__(self, path: Path, *, probe: bool = True, read_only: bool = False) -> None:
        self.path = Path(path)
        self.warning: str | None = None
        # Why this store can only read (set by open_store for the listing
        # commands when the file cannot be written); None when it can write.
        self.read_only: str | None = None
        self._lock = threading.RLock()
        self._writes = 0  # this connection's commits (see version)
        # session id -> (version, its event count then): see session_version
        self._counted: dict[str, tuple[int, int]] = {}
        self._has_notes = True  # False only for an older file opened read-only
        self._conn = self._open_read_only() if read_only else self._open(probe)

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
        conn.text_factory = _text
        try:
            # Look before changing anything: a file of another program is
            # refused as it was found, never switched to WAL first.
            self._check_version(conn)
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
                    # Older versions could save a draft after its session was
                    # forgotten: rows no command can see, holding typed text.
                    conn.execute("DELETE FROM drafts WHERE session_id NOT IN (SELECT id FROM sessions)")
                    conn.execute("DELETE FROM marks WHERE session_id NOT IN (SELECT id FROM sessions)")
                    conn.execute("DELETE FROM notes WHERE session_id NOT IN (SELECT id FROM sessions)")
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as error:
            conn.close()
            name = _errorname(error)
            if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
                raise StoreError(f"{path} is damaged or not a trustdialog database "
                                 f"({error}); " + MOVE_ASIDE_HINT) from None
            raise StoreWriteError(f"{path}: {_reason(error, path)}") from None
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """Open an existing file for reading only, where it cannot be written.

        mode=ro still needs the -shm file of a WAL database; in a folder that
        cannot be written (or on a full disk) and with no -wal left (the last
        writer closed cleanly), immutable=1 reads the file alone. With a -wal left there,
        immutable would miss its commits, so that case is reported instead.
        """
        path = self.path
        wal = path.with_name(path.name + "-wal")
        uri = "file:" + urllib.parse.quote(str(path))
        tries = [uri + "?mode=ro"]
        # A full disk cannot make the -shm either; there, too, nothing can be
        # committed while we read, so the file alone is the whole story.
        if not _has_bytes(wal) and (not os.access(path.parent, os.W_OK) or _nearly_full(path)):
            tries.append(uri + "?immutable=1")
        last: BaseException | None = None
        for where in tries:
            try:
                conn = sqlite3.connect(where, uri=True, timeout=10.0, isolation_level=None,
                                       check_same_thread=False)
            except sqlite3.Error as error:
                last = error
                continue
            conn.text_factory = _text
            try:
                found = self._check_version(conn)
                if found is None or found < schema.READABLE_FROM:
                    raise StoreError(f"{path} was written by an older trustdialog and must be "
                                     "upgraded, which needs it to be writable")
                conn.execute("SELECT 1 FROM sessions LIMIT 1").fetchall()
                self._has_notes = found >= schema.NOTES_FROM
                return conn
            except StoreError:
                conn.close()
                raise
            except sqlite3.DatabaseError as error:
                conn.close()
                if _errorname(error).startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
                    raise StoreError(f"{path} is damaged or not a trustdialog database "
                                     f"({error}); " + MOVE_ASIDE_HINT) from None
                last = error
        if not os.access(path, os.R_OK):
            why = "permission denied"
        elif _has_bytes(wal) and not os.access(path.parent, os.W_OK):
            why = f"its latest changes are in {wal.name}, which cannot be read without writing"
        else:
            why = _reason(last, path) if last else "unknown reason"
        raise StoreError(f"cannot read {path} ({why})")

    def _check_version(self, conn: sqlite3.Connection) -> int | None:
        """The file's schema version; StoreError for a foreign, newer or damaged file."""
        try:
            found = schema.version(conn)
        except schema.DamagedVersion as error:
            raise StoreError(f"{self.path}: {error}; " + MOVE_ASIDE_HINT) from None
        if found is not None and found < 0:
            raise StoreError(f"{self.path} is an SQLite file but not a trustdialog database; "
                             + MOVE_ASIDE_HINT)
        if found is not None and found > schema.CURRENT:
            raise StoreError(f"{self.path} was written by a newer trustdialog (schema "
                             f"{found}, this one knows {schema.CURRENT}); please upgrade")
        return found

    def _migrate(self, conn: sqlite3.Connection) -> None:
        found = self._check_version(conn)
        if found == schema.CURRENT:
            return
        with self._tx(conn):
            found = self._check_version(conn)  # another process may have upgraded it meanwhile
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
                        result = work(conn)
                    self._writes += 1
                    return result
                except sqlite3.OperationalError as error:
                    if _errorname(error) not in _BUSY or attempt == _RETRIES - 1:
                        log.warning("write failed: %s", _errorname(error) or "?")
                        raise StoreWriteError(_reason(error, self.path)) from None
                time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
            raise StoreWriteError("the data file stayed locked")

    def version(self) -> int:
        """Changes whenever anything in the file changed, by this process or another.

        SQLite's data_version moves when another connection commits; this
        connection's own commits are counted here. One pragma: cheap enough to
        ask ten times a second per watcher (no file is read unless it moved).
        """
        with self._lock:
            try:
                [(other,)] = self._conn.execute("PRAGMA data_version").fetchall()
            except sqlite3.Error:  # closed, or failing: "changed", so the caller reads and sees why
                return -1
        return (int(other) << 32) | (self._writes & 0xFFFFFFFF)

    def session_version(self, session_id: str) -> int:
        """The session's event count (-1 when it is gone or cannot be read): it moves with every
        append and with nothing else.

        Asked on every write to the file, by every watcher: while data_version has not moved
        since the last look the count is known without a query, and when it has, reading it
        is one indexed row (the summary keeps it), never the events themselves.
        """
        with self._lock:
            version = self.version()
            counted = self._counted.get(session_id)
            if counted is not None and counted[0] == version and version != -1:
                return counted[1]
            try:
                row = self._conn.execute("SELECT events FROM sessions WHERE id = ?",
                                         (session_id,)).fetchone()
            except sqlite3.Error:  # closed, or failing: "changed", so the caller reads and sees why
                return -1
            count = int(row[0]) if row is not None else -1
            self._counted[session_id] = (version, count)
            return count

    def watch(self, session_id: str | None, callback: Callable[[], object]) -> FolderWatch | None:
        """Call back soon after the file is written (inotify on its folder): for a session, only
        when its event count moved, so a write to another session costs a pragma and no more."""
        from trustdialog import changes

        if session_id is None:
            return changes.watch(self.path.parent, callback)
        seen = [self.session_version(session_id)]

        def look() -> None:
            count = self.session_version(session_id)
            if count != seen[0]:
                seen[0] = count
                callback()

        return changes.watch(self.path.parent, look)

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
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
            conn.execute(f"INSERT INTO sessions ({SESSION_COLS}) VALUES (?,?,?,?,?,?,?,?,0,0,?,?)",
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
            _exists(conn, session_id)
            (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = ?",
                                   (session_id,)).fetchone()
            if after is not None and last != after:
                raise StoreConflict(last)
            seq: int = last + 1  # the column holds integers (see damaged())
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
        """The events after seq `after`; SessionDamaged names the first that cannot be read."""
        self.info(session_id)
        rows = self._read("SELECT seq, body FROM events WHERE session_id = ? AND seq > ? "
                          "ORDER BY seq", (session_id, after))
        return decode_events(session_id, rows, after)

    def info(self, session_id: str) -> SessionInfo:
        rows = self._read(f"SELECT {SESSION_COLS} FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise StoreError(f"no session {session_id!r}")
        return session_info(rows[0])

    def sessions(self, owner: str | None = None) -> list[SessionInfo]:
        """Every session whose summary can be read; `damaged` names the others."""
        where, params = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        return readable(self._read(f"SELECT {SESSION_COLS} FROM sessions {where} "
                                   "ORDER BY updated_at DESC", params))

    def damaged(self, owner: str | None = None) -> list[SessionDamaged]:
        """What is wrong with each session that cannot be read whole (summary or events)."""
        where, params = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        found = damaged_summaries(self._read(f"SELECT {SESSION_COLS} FROM sessions {where}", params))
        # SQL finds the suspects without decoding every event; events() then
        # says exactly what is wrong.
        suspects = self._read(
            "SELECT DISTINCT session_id FROM events WHERE typeof(seq) != 'integer' "
            "OR typeof(body) != 'text' OR NOT json_valid(body) UNION "
            "SELECT session_id FROM events GROUP BY session_id "
            "HAVING COUNT(*) != MAX(seq) OR MIN(seq) != 1")
        known = {i.id for i in self.sessions(owner)}
        for (sid,) in suspects:
            if sid in known:
                try:
                    self.events(sid)
                except SessionDamaged as error:
                    found[sid] = error
        return list(found.values())

    def set_finished(self, session_id: str) -> None:
        self._write(lambda conn: conn.execute(
            "UPDATE sessions SET finished = 1 WHERE id = ?", (session_id,)))

    def snapshot(self, session_id: str) -> Snapshot:
        return Snapshot(self.info(session_id), self.events(session_id), self.drafts(session_id))

    # -- drafts ----------------------------------------------------------------

    def save_draft(self, session_id: str, key: str, text: str) -> None:
        """Keep what is being typed; SessionGone (nothing written) once the session is forgotten."""
        def save(conn: sqlite3.Connection) -> None:
            _exists(conn, session_id)
            conn.execute(
                "INSERT INTO drafts (session_id, key, text, at) VALUES (?,?,?,?) "
                "ON CONFLICT (session_id, key) DO UPDATE SET text = excluded.text, at = excluded.at",
                (session_id, key, text, time.time()))

        self._write(save)

    def drafts(self, session_id: str) -> dict[str, str]:
        rows = self._read("SELECT key, text FROM drafts WHERE session_id = ?", (session_id,))
        # A damaged draft is shown as far as it can be read rather than dropped.
        return {as_text(key): as_text(text) for key, text in rows}

    def clear_draft(self, session_id: str, key: str) -> None:
        def clear(conn: sqlite3.Connection) -> None:
            _exists(conn, session_id)
            conn.execute("DELETE FROM drafts WHERE session_id = ? AND key = ?", (session_id, key))

        self._write(clear)

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

    # -- facilitator notes -----------------------------------------------------

    def add_note(self, session_id: str, text: str, *, author: str, at: float | None = None,
                 step: str | None = None, round: int | None = None,
                 label: str | None = None) -> Note:
        at = time.time() if at is None else at

        def add(conn: sqlite3.Connection) -> Note:
            _exists(conn, session_id)
            (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM notes WHERE session_id = ?",
                                   (session_id,)).fetchone()
            note = Note(session_id, int(last) + 1, at, author, text, step, round, label)
            conn.execute("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?)",
                         (session_id, note.seq, at, author, step, round, label, text))
            return note

        return self._write(add)

    def notes(self, session_id: str) -> list[Note]:
        if not self._has_notes:
            return []
        rows = self._read("SELECT seq, at, author, text, step, round, label FROM notes "
                          "WHERE session_id = ? ORDER BY seq", (session_id,))
        return [Note(session_id, int(seq), float(at), as_text(author), as_text(text),
                     None if step is None else as_text(step), round,
                     None if label is None else as_text(label))
                for seq, at, author, text, step, round, label in rows]

    # -- lifetime --------------------------------------------------------------

    def forget(self, session_id: str) -> bool:
        """Delete a session for good; True when no freed page is left unwiped.

        secure_delete zeroes the rows in the pages; the WAL still holds the old
        pages until a checkpoint copies them back and TRUNCATE empties it;
        VACUUM then rebuilds the file without its free pages.
        """
        def delete(conn: sqlite3.Connection) -> None:
            # Not info(): a session whose rows are damaged must still be forgettable,
            # and so must drafts left behind by a session already gone.
            left = conn.execute(
                "SELECT (SELECT COUNT(*) FROM sessions WHERE id = ?) "
                "+ (SELECT COUNT(*) FROM drafts WHERE session_id = ?) "
                "+ (SELECT COUNT(*) FROM events WHERE session_id = ?)",
                (session_id, session_id, session_id)).fetchone()[0]
            if not left:
                raise StoreError(f"no session {session_id!r}")
            conn.execute("DELETE FROM marks WHERE session_id = ?", (session_id,))
            conn.execute("UPDATE marks SET checkin_session = NULL WHERE checkin_session = ?",
                         (session_id,))
            conn.execute("DELETE FROM notes WHERE session_id = ?", (session_id,))
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
                log.warning("wipe after forget incomplete: %s", _errorname(error))
                return False
        return not (busy1 or busy2)

    def presence(self) -> Presence:
        """Presence files beside the data file: every process on this host sees them."""
        from trustdialog.presence import Presence

        return Presence(self.path.parent / "presence")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]


def _exists(conn: sqlite3.Connection, session_id: str) -> None:
    if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
        raise SessionGone(session_id)


def _text(raw: bytes) -> str | bytes:
    # Text that is not UTF-8 comes back as bytes, so one damaged value is
    # reported where it is read instead of failing every query that meets it.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw



def _has_bytes(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False
