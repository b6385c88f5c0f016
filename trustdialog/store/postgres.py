"""The PostgreSQL store: the same event log as SQLite's, on a server several hosts can share.

Every write is one transaction that ends with a NOTIFY, so other processes
learn of it from the server (LISTEN on a second connection) instead of
polling. psycopg is imported here only: the plain app never loads it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar

import psycopg
from psycopg import errors as pg_errors

from trustdialog.engine import Event
from trustdialog.store import pg_schema
from trustdialog.store.memory import new_session_id
from trustdialog.store.rows import (
    SESSION_COLS, damaged_summaries, decode_events, readable, session_info,
)
from trustdialog.store.postgres_url import shown
from trustdialog.store.records import (
    MARKS, Mark, Note, SessionDamaged, SessionGone, SessionInfo, Snapshot, StoreConflict, StoreError,
    StoreUnreachable, StoreWriteError,
)

if TYPE_CHECKING:
    from trustdialog.store.pg_presence import PgRoll
    from trustdialog.store.pg_watch import ListenWatch

log = logging.getLogger("trustdialog.store")
log.addHandler(logging.NullHandler())
T = TypeVar("T")

CHANNEL = "trustdialog"  # the NOTIFY channel every write signals on
CONNECT_TIMEOUT = 10  # seconds: a server that does not answer is reported, not waited on
_RETRIES = 20



def _reason(error: BaseException) -> str:
    """A short reason from a psycopg error: its last 'failed:' clause, first line only."""
    if isinstance(error, pg_errors.InsufficientPrivilege):
        return "permission denied (ask the database's owner to grant it)"
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "failed:" in text:
        text = text.rsplit("failed:", 1)[1].strip()
    lowered = text.lower()
    if "connection refused" in lowered or "no such file or directory" in lowered:
        return "no server is running there"
    if "timeout expired" in lowered:
        return "the server did not answer"
    if "password authentication failed" in lowered:
        return "the password was refused"
    return text[:160]


def _may_not_migrate(where: str, found: int) -> str:
    """Why a role that may not change the schema cannot open the database, and what to do."""
    fix = "run `trustdialog store migrate` once as the database's owner, then try again"
    if found == 0:
        return f"the database {where} has no trustdialog tables yet and this role may not create them; {fix}"
    if found > 0:
        return (f"the database {where} is at schema {found} and this trustdialog needs "
                f"{pg_schema.CURRENT}, but this role may not change the schema; {fix}")
    return f"the database {where}: this role may not look at its schema ({fix})"


class PostgresStore:
    """Sessions in one PostgreSQL database; safe to share between processes and hosts."""

    persistent = True
    path = None  # no file: `where` names the database

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = shown(url)
        self.warning: str | None = None
        # Why this store can only read (the role may not write); None when it can write.
        self.read_only: str | None = None
        self._lock = threading.RLock()
        self._listen_lock = threading.Lock()
        self._writes = 0  # this process's commits (see version)
        self._heard = 0  # notifications received (see version)
        # Per session asked about (see session_version): its notifications heard, this
        # process's own commits to it; and how often listening was lost or came back.
        self._heard_by: dict[str, int] = {}
        self._writes_by: dict[str, int] = {}
        self._lost = 0
        self._generation = 0  # one more each time the listening connection is replaced
        # (from, to) when this open brought the schema up to date; None when it was already.
        self.upgraded: tuple[int, int] | None = None
        self._conn = self._connect()
        try:
            self._migrate()
            self._check_writable()
            self._listen: psycopg.Connection[Any] = self._connect()
            self._listen.execute(f"LISTEN {CHANNEL}")
            self._listening = True  # False while the server is away (see version)
            self._closed = False
            self._roll: PgRoll | None = None  # made on first use (see presence)
        except BaseException:
            self._conn.close()
            raise

    # -- opening ---------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="trustdialog")
        except psycopg.ProgrammingError:
            # Its message quotes the URL, password and all: never shown.
            raise StoreError(f"{self.where} is not a valid PostgreSQL URL") from None
        except psycopg.Error as error:
            raise StoreError(f"cannot reach the database {self.where}: {_reason(error)}") from None

    def _version(self) -> int:
        """The database's schema version: 0 when empty; StoreError for a foreign or newer one."""
        # pg_tables, not to_regclass: a plain query sees what another opener
        # committed while we waited for the upgrade lock; the catalog cache may not.
        names = {name for (name,) in self._conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename IN ('schema_version', 'sessions')").fetchall()}
        has_version, has_sessions = "schema_version" in names, "sessions" in names
        if not has_version:
            if has_sessions:
                raise StoreError(f"the database {self.where} has a sessions table that is not "
                                 "trustdialog's; use another database or schema")
            return 0
        rows = self._conn.execute("SELECT version FROM schema_version").fetchall()
        if len(rows) != 1:
            raise StoreError(f"the database {self.where}: its schema version is damaged "
                             f"({len(rows)} rows)")
        version = int(rows[0][0])
        if version > pg_schema.CURRENT:
            raise StoreError(f"the database {self.where} was written by a newer trustdialog "
                             f"(schema {version}, this one knows {pg_schema.CURRENT}); please upgrade")
        return version

    def _migrate(self) -> None:
        found = -1
        try:
            if self._version() == pg_schema.CURRENT:
                return
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (pg_schema.UPGRADE_LOCK,))
                found = self._version()  # another process may have upgraded it meanwhile
                if found != pg_schema.CURRENT:
                    log.info("upgrading %s from schema %s to %s", self.where, found,
                             pg_schema.CURRENT)
                    self.upgraded = (found, pg_schema.CURRENT)
                for n in range(found, pg_schema.CURRENT):
                    for statement in pg_schema.statements(pg_schema.MIGRATIONS[n]):
                        self._conn.execute(statement)
                    self._conn.execute("UPDATE schema_version SET version = %s", (n + 1,))
        except pg_errors.InsufficientPrivilege:
            self.upgraded = None
            raise StoreError(_may_not_migrate(self.where, found)) from None
        except psycopg.Error as error:
            self.upgraded = None
            raise StoreError(f"cannot set up the database {self.where}: {_reason(error)}") from None

    def _check_writable(self) -> None:
        try:
            row = self._conn.execute(
                "SELECT bool_and(has_table_privilege(t, 'INSERT, UPDATE, DELETE')) "
                "FROM unnest(ARRAY['sessions', 'events', 'drafts', 'marks', 'notes']) AS t").fetchone()
        except psycopg.Error as error:
            raise StoreError(f"cannot read the database {self.where}: {_reason(error)}") from None
        if not (row and row[0]):
            self.read_only = (f"{self.where}: this role may read but not write "
                              "(ask the database's owner to grant it)")

    # -- running ---------------------------------------------------------------

    def _alive(self) -> psycopg.Connection[Any]:
        """The connection, opened again if the server dropped it (a restart, a failover);
        StoreError in one line while it cannot be reached."""
        if self._conn.closed or self._conn.broken:
            self._conn.close()
            self._conn = self._connect()
            log.info("reconnected to %s", self.where)
        return self._conn

    def _write(self, work: Callable[[psycopg.Connection[Any]], T], session_id: str = "", *,
               again_after_commit: bool = True) -> T:
        """Run `work` in one committed transaction that also tells every listener.

        A connection the server dropped since the last call (it restarted) is
        opened again and the work run on it, so a restart between two turns
        goes unnoticed. If it drops during the commit, whether the work landed
        is unknown: it is run again only when running it twice is harmless
        (`again_after_commit`; an append with `after` then finds its own event
        and says StoreConflict, and the session replays it). While the server
        cannot be reached the caller hears StoreUnreachable: nothing was
        written, and the turn stays in its box to be sent again (a server down
        is a wait, not a failing disk, so the session does not go to memory).
        Any other failure is StoreWriteError.
        """
        with self._lock:
            reopened = False
            for attempt in range(_RETRIES):
                committing = False
                try:
                    conn = self._alive()
                    with conn.transaction():
                        result = work(conn)
                        # Sent at commit, and only if it commits: a listener that
                        # hears it can read the change.
                        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, session_id))
                        committing = True
                    self._writes += 1
                    if session_id:
                        self._writes_by[session_id] = self._writes_by.get(session_id, 0) + 1
                    return result
                except StoreError as error:
                    if isinstance(error, (StoreWriteError, SessionGone, StoreConflict)):
                        raise
                    if self._conn.closed or self._conn.broken:  # could not reconnect
                        raise StoreUnreachable(str(error)) from None
                    raise
                except (pg_errors.SerializationFailure, pg_errors.DeadlockDetected,
                        pg_errors.UniqueViolation):
                    # Not reachable while the session's row is locked, but if it
                    # ever is, the UNIQUE key refused a doubled seq: run it again.
                    time.sleep(0.001 * (attempt + 1))
                except psycopg.OperationalError as error:
                    dropped = self._conn.closed or self._conn.broken
                    if dropped and not reopened and (again_after_commit or not committing):
                        reopened = True
                        log.info("the connection to %s dropped; opening it again", self.where)
                        continue
                    log.warning("write failed: %s", type(error).__name__)
                    if dropped:
                        raise StoreUnreachable(f"{self.where}: {_reason(error)}") from None
                    raise StoreWriteError(f"{self.where}: {_reason(error)}") from None
                except psycopg.Error as error:
                    log.warning("write failed: %s", type(error).__name__)
                    raise StoreWriteError(f"{self.where}: {_reason(error)}") from None
            raise StoreWriteError(f"{self.where}: the write kept colliding with others")

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            for reopened in (False, True):
                try:
                    return self._alive().execute(sql, params).fetchall()
                except psycopg.OperationalError as error:
                    if not reopened and (self._conn.closed or self._conn.broken):
                        continue  # dropped since the last call: a read is safe to run again
                    raise StoreError(f"cannot read {self.where}: {_reason(error)}") from None
                except psycopg.Error as error:
                    raise StoreError(f"cannot read {self.where}: {_reason(error)}") from None
            raise AssertionError("unreachable")

    def version(self) -> int:
        """Changes whenever anything stored changed, by this process or another.

        Counts the NOTIFYs heard on the listening connection; reading them is a
        poll of its socket, with no round trip to the server, so asking ten
        times a second costs next to nothing. This process's own commits are
        counted at once, before their notification comes back.

        When the server drops the listening connection, the number changes
        once (the caller reads, and hears why), then holds while a thread
        listens again; it changes again when listening resumes, since what
        was written meanwhile was not heard.
        """
        self._drain()
        return (self._heard << 32) | (self._writes & 0xFFFFFFFF)

    def session_version(self, session_id: str) -> int:
        """Changes when a NOTIFY for this session is heard (each write sends its session id), when
        this process writes to it, or when listening is lost or resumes; never for other sessions.

        No round trip: the notifications already on the listening socket are counted.
        Sessions are counted from the first time they are asked about.
        """
        self._drain()
        with self._listen_lock:
            heard = self._heard_by.setdefault(session_id, 0)
        writes = self._writes_by.get(session_id, 0)
        return (self._lost << 64) | (heard << 32) | (writes & 0xFFFFFFFF)

    def _drain(self) -> None:
        """Count the notifications waiting on the listening connection, without waiting."""
        with self._listen_lock:
            if not self._listening:
                return
            try:
                for notify in self._listen.notifies(timeout=0):
                    self._heard += 1
                    if notify.payload in self._heard_by:
                        self._heard_by[notify.payload] += 1
            except psycopg.Error:
                self._listening = False
                self._heard += 1
                self._lost += 1
                threading.Thread(target=self._listen_again, name="trustdialog-listen",
                                 daemon=True).start()

    def listen_socket(self) -> tuple[int, int] | None:
        """(generation, file descriptor) of the listening connection's socket, to wait on in an
        event loop; the generation moves when a server restart replaced the connection.
        None while the server is away."""
        with self._listen_lock:
            if not self._listening:
                return None
            try:
                return self._generation, self._listen.fileno()
            except psycopg.Error:
                return None

    def watch(self, session_id: str | None, callback: Callable[[], object]) -> ListenWatch | None:
        """Call back when a notification for the session (any, for None) arrives on the listening
        socket: the event loop waits on it, so nothing runs between writes."""
        from trustdialog.store.pg_watch import listen_watch

        return listen_watch(self, session_id, callback)

    def _listen_again(self) -> None:
        """Open the listening connection again, once a second until the server answers."""
        while not self._closed:
            try:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                       application_name="trustdialog")
                conn.execute(f"LISTEN {CHANNEL}")
            except psycopg.Error:
                time.sleep(1.0)
                continue
            with self._listen_lock:
                if self._closed:  # closed while this thread was connecting
                    conn.close()
                    return
                old, self._listen = self._listen, conn
                self._listening = True
                self._heard += 1
                self._lost += 1  # what was written meanwhile was not heard: every session moves
                self._generation += 1
            old.close()
            log.info("listening to %s again", self.where)
            return

    # -- sessions --------------------------------------------------------------

    def create_session(self, exercise_id: str, title: str, names: Mapping[str, str],
                       owner: str | None = None, at: float | None = None, *,
                       private_steps: Iterable[str] = (), hidden_steps: Iterable[str] = ()) -> str:
        at = time.time() if at is None else at
        row = (exercise_id, title, names["a"], names["b"], owner, at, at,
               json.dumps(list(private_steps)), json.dumps(list(hidden_steps)))

        def insert(conn: psycopg.Connection[Any]) -> str:
            sid = new_session_id()
            while conn.execute("SELECT 1 FROM sessions WHERE id = %s", (sid,)).fetchone():
                sid = new_session_id()  # the random id was taken; draw another
            conn.execute(f"INSERT INTO sessions ({SESSION_COLS}) "
                         "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,0,0,%s,%s)", (sid, *row))
            return sid

        # Twice would be two sessions: never run again once its commit may have landed.
        return self._write(insert, again_after_commit=False)

    def append(self, session_id: str, event: Event, *, after: int | None = None,
               clear_drafts: Iterable[str] = (), finished: bool = False) -> int:
        """Add `event` as the session's next one; committed on the server before it returns.

        With `after`, append only if the log still ends at that seq; otherwise
        raise StoreConflict so the caller can catch up first.
        """
        body = json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"))
        clear = [(session_id, key) for key in clear_drafts]

        def add(conn: psycopg.Connection[Any]) -> int:
            # The session's row lock orders the writers of one session: reading
            # max(seq) and inserting seq + 1 happen with no other writer between.
            if conn.execute("SELECT 1 FROM sessions WHERE id = %s FOR UPDATE",
                            (session_id,)).fetchone() is None:
                raise SessionGone(session_id)
            found = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = %s",
                                 (session_id,)).fetchone()
            last = int(found[0]) if found else 0
            if after is not None and last != after:
                raise StoreConflict(last)
            seq = last + 1
            conn.execute("INSERT INTO events (session_id, seq, kind, at, body) "
                         "VALUES (%s,%s,%s,%s,%s)", (session_id, seq, event.kind, event.at, body))
            conn.execute("UPDATE sessions SET events = %s, updated_at = GREATEST(updated_at, %s), "
                         "finished = GREATEST(finished, %s) WHERE id = %s",
                         (seq, event.at or time.time(), int(finished), session_id))
            if clear:
                with conn.cursor() as cur:
                    cur.executemany("DELETE FROM drafts WHERE session_id = %s AND key = %s", clear)
            return seq

        # Twice is harmless with `after` (the second finds the first: StoreConflict).
        return self._write(add, session_id, again_after_commit=after is not None)

    def events(self, session_id: str, after: int = 0) -> list[Event]:
        """The events after seq `after`; SessionDamaged names the first that cannot be read."""
        self.info(session_id)
        rows = self._read("SELECT seq, body FROM events WHERE session_id = %s AND seq > %s "
                          "ORDER BY seq", (session_id, after))
        return decode_events(session_id, rows, after)

    def info(self, session_id: str) -> SessionInfo:
        rows = self._read(f"SELECT {SESSION_COLS} FROM sessions WHERE id = %s", (session_id,))
        if not rows:
            raise StoreError(f"no session {session_id!r}")
        return session_info(rows[0])

    def sessions(self, owner: str | None = None) -> list[SessionInfo]:
        """Every session whose summary can be read; `damaged` names the others."""
        where, params = ("WHERE owner = %s", (owner,)) if owner is not None else ("", ())
        return readable(self._read(f"SELECT {SESSION_COLS} FROM sessions {where} "
                                   "ORDER BY updated_at DESC", params))

    def damaged(self, owner: str | None = None) -> list[SessionDamaged]:
        """What is wrong with each session that cannot be read whole (summary or events)."""
        where, params = ("WHERE owner = %s", (owner,)) if owner is not None else ("", ())
        found = damaged_summaries(self._read(f"SELECT {SESSION_COLS} FROM sessions {where}", params))
        # The typed columns rule out most damage; a gap in the numbers, or a
        # body that is not an event, is still found by events().
        suspects = self._read("SELECT session_id FROM events GROUP BY session_id "
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
            "UPDATE sessions SET finished = 1 WHERE id = %s", (session_id,)), session_id)

    def snapshot(self, session_id: str) -> Snapshot:
        return Snapshot(self.info(session_id), self.events(session_id), self.drafts(session_id))

    # -- drafts ----------------------------------------------------------------

    def save_draft(self, session_id: str, key: str, text: str) -> None:
        """Keep what is being typed; SessionGone (nothing written) once the session is forgotten."""
        def save(conn: psycopg.Connection[Any]) -> None:
            _exists(conn, session_id)
            conn.execute(
                "INSERT INTO drafts (session_id, key, text, at) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (session_id, key) DO UPDATE SET text = excluded.text, at = excluded.at",
                (session_id, key, text, time.time()))

        self._write(save, session_id)

    def drafts(self, session_id: str) -> dict[str, str]:
        rows = self._read("SELECT key, text FROM drafts WHERE session_id = %s", (session_id,))
        return {str(key): str(text) for key, text in rows}

    def clear_draft(self, session_id: str, key: str) -> None:
        def clear(conn: psycopg.Connection[Any]) -> None:
            _exists(conn, session_id)
            conn.execute("DELETE FROM drafts WHERE session_id = %s AND key = %s", (session_id, key))

        self._write(clear, session_id)

    # -- promise marks ---------------------------------------------------------

    def set_mark(self, session_id: str, key: str, mark: str, at: float | None = None,
                 checkin_session: str | None = None) -> None:
        if mark not in MARKS:
            raise StoreError(f"a mark is one of {', '.join(MARKS)}")
        self.info(session_id)
        self._write(lambda conn: conn.execute(
            "INSERT INTO marks VALUES (%s,%s,%s,%s,%s) ON CONFLICT (session_id, key) "
            "DO UPDATE SET mark = excluded.mark, at = excluded.at, "
            "checkin_session = excluded.checkin_session",
            (session_id, key, mark, time.time() if at is None else at, checkin_session)), session_id)

    def marks(self, owner: str | None = None) -> list[Mark]:
        where, params = ("WHERE s.owner = %s", (owner,)) if owner is not None else ("", ())
        rows = self._read("SELECT m.session_id, m.key, m.mark, m.at, m.checkin_session FROM marks m "
                          f"JOIN sessions s ON s.id = m.session_id {where} ORDER BY m.at", params)
        return [Mark(*row) for row in rows]

    # -- facilitator notes -----------------------------------------------------

    def add_note(self, session_id: str, text: str, *, author: str, at: float | None = None,
                 step: str | None = None, round: int | None = None,
                 label: str | None = None) -> Note:
        at = time.time() if at is None else at

        def add(conn: psycopg.Connection[Any]) -> Note:
            # The session's row lock orders two notes written at once, as for events.
            if conn.execute("SELECT 1 FROM sessions WHERE id = %s FOR UPDATE",
                            (session_id,)).fetchone() is None:
                raise SessionGone(session_id)
            found = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM notes WHERE session_id = %s",
                                 (session_id,)).fetchone()
            note = Note(session_id, (int(found[0]) if found else 0) + 1, at, author, text,
                        step, round, label)
            conn.execute("INSERT INTO notes VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                         (session_id, note.seq, at, author, step, round, label, text))
            return note

        return self._write(add, session_id)

    def notes(self, session_id: str) -> list[Note]:
        rows = self._read("SELECT seq, at, author, text, step, round, label FROM notes "
                          "WHERE session_id = %s ORDER BY seq", (session_id,))
        return [Note(session_id, int(seq), float(at), str(author), str(text), step, round, label)
                for seq, at, author, text, step, round, label in rows]

    # -- lifetime --------------------------------------------------------------

    def forget(self, session_id: str) -> bool:
        """Delete a session for good; True once its rows are gone.

        The server reclaims the space of deleted rows itself (autovacuum); what
        stays in its files and backups is the database administrator's care.
        """
        def delete(conn: psycopg.Connection[Any]) -> None:
            found = conn.execute(
                "SELECT (SELECT COUNT(*) FROM sessions WHERE id = %s) "
                "+ (SELECT COUNT(*) FROM drafts WHERE session_id = %s) "
                "+ (SELECT COUNT(*) FROM events WHERE session_id = %s)",
                (session_id, session_id, session_id)).fetchone()
            if not (found and found[0]):
                raise StoreError(f"no session {session_id!r}")
            conn.execute("DELETE FROM marks WHERE session_id = %s", (session_id,))
            conn.execute("UPDATE marks SET checkin_session = NULL WHERE checkin_session = %s",
                         (session_id,))
            conn.execute("DELETE FROM notes WHERE session_id = %s", (session_id,))
            conn.execute("DELETE FROM drafts WHERE session_id = %s", (session_id,))
            conn.execute("DELETE FROM events WHERE session_id = %s", (session_id,))
            conn.execute("DELETE FROM sessions WHERE id = %s", (session_id,))

        self._write(delete, session_id)
        log.info("forgot session %s", session_id)
        return True

    # -- presence ----------------------------------------------------------------

    def presence(self) -> PgRoll:
        """Who is on which session, shared by every host on this database (see pg_presence)."""
        if self._roll is None:
            from trustdialog.store.pg_presence import PgRoll

            self._roll = PgRoll(self)
        return self._roll

    def courtesy(self, sql: str, params: tuple[object, ...] = (), *,
                 reconnect: bool = False) -> list[tuple[Any, ...]] | None:
        """Run one statement that is a courtesy (presence): no NOTIFY, no retry, and no wait for
        a server that went away unless `reconnect`; its rows, or None when it could not run."""
        with self._lock:
            try:
                conn = self._alive() if reconnect else self._conn
                if conn.closed or conn.broken:
                    return None
                cursor = conn.execute(sql, params)
                return cursor.fetchall() if cursor.description is not None else []
            except (psycopg.Error, StoreError) as error:
                log.info("presence: %s", _reason(error) if isinstance(error, psycopg.Error) else error)
                return None

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self._conn.close()
        with self._listen_lock:
            self._listen.close()


def _exists(conn: psycopg.Connection[Any], session_id: str) -> None:
    if conn.execute("SELECT 1 FROM sessions WHERE id = %s", (session_id,)).fetchone() is None:
        raise SessionGone(session_id)
