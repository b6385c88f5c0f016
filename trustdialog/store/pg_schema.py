"""The PostgreSQL layout and its migrations: every database is brought up to date on open."""

from __future__ import annotations

# Migration n takes a database from version n to n + 1; version 0 is an empty
# database. The numbers are PostgreSQL's own: they need not follow SQLite's,
# since a database server never held the older SQLite layouts.
MIGRATIONS: tuple[str, ...] = (
    # 1: the event log, its sessions, drafts of text being typed, promise marks.
    """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (0);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        exercise_id TEXT NOT NULL,
        title TEXT NOT NULL,
        name_a TEXT NOT NULL,
        name_b TEXT NOT NULL,
        owner TEXT,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        finished INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        private_steps TEXT NOT NULL DEFAULT '[]',
        hidden_steps TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX sessions_owner ON sessions (owner, updated_at);
    CREATE TABLE events (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at DOUBLE PRECISION,
        body TEXT NOT NULL,            -- Event.to_dict() as JSON, byte for byte as written
        UNIQUE (session_id, seq)       -- a lost or doubled event is impossible
    );
    CREATE TABLE drafts (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        key TEXT NOT NULL,
        text TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (session_id, key)
    );
    CREATE TABLE marks (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        key TEXT NOT NULL,
        mark TEXT NOT NULL CHECK (mark IN ('kept', 'partly', 'not kept')),
        at DOUBLE PRECISION NOT NULL,
        checkin_session TEXT,
        PRIMARY KEY (session_id, key)
    )
    """,
    # 2: the files every host must agree on (the access list and its invites),
    # kept here when the store is PostgreSQL: a key enrolled on one host lets
    # its owner into every host at once. `changed` counts the writes, so a
    # server sees a change with one small query.
    """
    CREATE TABLE shared_files (
        name TEXT PRIMARY KEY,         -- the file's name: access.toml, access-invites.toml
        body TEXT NOT NULL,            -- its text, exactly as it would be on disk
        changed BIGINT NOT NULL DEFAULT 1
    )
    """,
    # 3: a facilitator's private notes on a session, beside its log (never in it).
    """
    CREATE TABLE notes (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        author TEXT NOT NULL,
        step TEXT,
        round INTEGER,
        label TEXT,
        text TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    )
    """,
    # 4: who is on which session now, one row per connection (see pg_presence):
    # never an event, touched by each app's heartbeat, stale once it stops.
    """
    CREATE TABLE presence (
        id TEXT PRIMARY KEY,           -- one connection's token
        session_id TEXT NOT NULL,
        who TEXT NOT NULL,
        role TEXT NOT NULL,
        partner TEXT,
        host TEXT NOT NULL,            -- the app's host and process, for that host's idle timeout
        pid INTEGER NOT NULL,
        since TIMESTAMPTZ NOT NULL DEFAULT now(),
        seen TIMESTAMPTZ NOT NULL DEFAULT now(),   -- the last heartbeat, by the server's clock
        typed TIMESTAMPTZ
    );
    CREATE INDEX presence_session ON presence (session_id)
    """,
)
CURRENT = len(MIGRATIONS)

# Taken for the length of the upgrading transaction, so two hosts opening a
# fresh database at once do not both lay the tables down.
UPGRADE_LOCK = 0x7472_7573_7464  # "trustd"
# Held while the access list and its invites change together (an invite used
# up as its key is enrolled), as the invite file's flock is on one host.
SHARED_FILES_LOCK = UPGRADE_LOCK + 1


def statements(script: str) -> list[str]:
    return [s for s in script.split(";") if s.strip()]
