"""The SQLite layout and its migrations: every older file is brought up to date on open."""

from __future__ import annotations

import sqlite3

from trustdialog.store.records import StoreError

# Version 0 is the first layout, from before the file recorded a version: the
# event log and its sessions. A new file is made by laying it down and running
# every migration, so the upgrade path is the path every file takes.
V0 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    exercise_id TEXT NOT NULL,
    title TEXT NOT NULL,
    name_a TEXT NOT NULL,
    name_b TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at REAL,
    body TEXT NOT NULL,            -- Event.to_dict() as JSON
    UNIQUE (session_id, seq)       -- a lost or doubled event is impossible
);
"""

# Migration n takes a file from version n to n + 1.
MIGRATIONS: tuple[str, ...] = (
    # 1: versions, owners (the SSH user a session belongs to), private/hidden
    # steps for exports, drafts of text being typed, a little metadata.
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (0);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    ALTER TABLE sessions ADD COLUMN owner TEXT;
    ALTER TABLE sessions ADD COLUMN private_steps TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE sessions ADD COLUMN hidden_steps TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX sessions_owner ON sessions (owner, updated_at);
    CREATE TABLE drafts (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        key TEXT NOT NULL,             -- "step:round:partner:field"
        text TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (session_id, key)
    );
    """,
    # 2: how each promise went, marked at a later check-in.
    """
    CREATE TABLE marks (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        key TEXT NOT NULL,
        mark TEXT NOT NULL CHECK (mark IN ('kept', 'partly', 'not kept')),
        at REAL NOT NULL,
        checkin_session TEXT,
        PRIMARY KEY (session_id, key)
    );
    """,
    # 3: a facilitator's private notes on a session, beside its log (never in it).
    """
    CREATE TABLE notes (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        at REAL NOT NULL,
        author TEXT NOT NULL,
        step TEXT,                     -- the step the session was on when it was written
        round INTEGER,
        label TEXT,                    -- that step's label as it read then
        text TEXT NOT NULL,            -- exactly as typed
        PRIMARY KEY (session_id, seq)
    );
    """,
)
# A file from before the notes table is read as it is where it cannot be upgraded
# (a read-only folder): it simply has no notes.
NOTES_FROM = 3
READABLE_FROM = 2
CURRENT = len(MIGRATIONS)

OURS = {"sessions", "events"}


class DamagedVersion(StoreError):
    """The file's schema version is not a number; the store reports it with the path."""

    def __init__(self, found: list[object]) -> None:
        shown = ", ".join(repr(v)[:20] for v in found[:3])
        super().__init__(f"its schema version is damaged ({shown} is not a number)")


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def version(conn: sqlite3.Connection) -> int | None:
    """The file's schema version; None for an empty file; -1 for a file that is not ours."""
    names = tables(conn)
    if not names:
        return None
    if "schema_version" in names:
        rows = conn.execute("SELECT version FROM schema_version").fetchall()
        found: list[object] = [v for (v,) in rows]
        if not found:
            return -1
        numbers = [v for v in found if isinstance(v, int) and not isinstance(v, bool)]
        if len(numbers) != len(found):
            raise DamagedVersion(found)
        return max(numbers)
    if OURS <= names:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(events)")}
        return 0 if {"session_id", "seq", "body"} <= cols else -1
    return -1


def upgrade(conn: sqlite3.Connection, start: int | None) -> None:
    """Run the migrations from `start` (None: an empty file) inside the open transaction."""
    if start is None:
        _script(conn, V0)
        start = 0
    for n in range(start, CURRENT):
        _script(conn, MIGRATIONS[n])
        conn.execute("UPDATE schema_version SET version = ?", (n + 1,))


def _script(conn: sqlite3.Connection, script: str) -> None:
    # executescript would COMMIT first; run statement by statement inside ours.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
