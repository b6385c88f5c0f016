"""Faults: damaged, foreign, newer and older files; read-only and full disks; --no-save."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from trustdialog.engine import Event
from trustdialog.session import Session, draft_key
from trustdialog.store import MemoryStore, StoreError, db_path, open_store
from trustdialog.store import schema
from store_helpers import felt_exercise, mounted_tmpfs, promises_exercise, run_cli

NAMES = {"a": "Ann", "b": "Bob"}


def test_no_save_writes_nothing_at_all(data_dir):
    store = open_store(data_dir, no_save=True)
    assert isinstance(store, MemoryStore) and store.warning is None
    s = Session.new(store, felt_exercise(), NAMES)
    s.submit("ready", "a")
    s.save_draft("voice:1:a:event", "typed")
    assert not data_dir.exists()
    out = run_cli("--data-dir", str(data_dir), "--no-save", "sessions")
    assert out.returncode == 0 and "No saved sessions" in out.stdout
    assert not data_dir.exists()


def test_a_file_that_is_not_sqlite_is_refused_and_kept(data_dir):
    data_dir.mkdir()
    path = db_path(data_dir)
    junk = b"these are my tax notes, not a database\n" * 50
    path.write_bytes(junk)
    with pytest.raises(StoreError) as caught:
        open_store(data_dir)
    message = str(caught.value)
    assert str(path) in message and "--move-aside" in message and "\n" not in message
    assert path.read_bytes() == junk
    out = run_cli("--data-dir", str(data_dir), "sessions")
    assert out.returncode == 1 and out.stderr.startswith("trustdialog: ") and "Traceback" not in out.stderr
    assert path.read_bytes() == junk
    moved = run_cli("--data-dir", str(data_dir), "sessions", "--move-aside")
    assert moved.returncode == 0, moved.stderr
    aside = [p for p in data_dir.iterdir() if p.name.startswith("sessions.db.aside-")]
    assert len(aside) == 1 and aside[0].read_bytes() == junk
    assert open_store(data_dir).sessions() == []


def test_a_damaged_sqlite_file_is_refused(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    for _ in range(50):
        store.append(sid, Event("paused", "a", data={"note": "n" * 500}))
    store.wipe()
    store.close()
    path = db_path(data_dir)
    raw = bytearray(path.read_bytes())
    raw[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)  # the schema page and the next ones
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match="move-aside"):
        open_store(data_dir).events(sid)


def test_an_sqlite_file_of_another_program_is_refused(data_dir):
    data_dir.mkdir()
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a trustdialog database.*move-aside"):
        open_store(data_dir)
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_a_file_from_a_newer_version_is_refused(data_dir):
    open_store(data_dir).close()
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer trustdialog"):
        open_store(data_dir)


def test_a_version_0_file_is_upgraded_in_place(data_dir):
    """A file as the first layout wrote it (no version table), made here by hand."""
    data_dir.mkdir()
    conn = sqlite3.connect(db_path(data_dir))
    conn.executescript("""
        CREATE TABLE sessions (id TEXT PRIMARY KEY, exercise_id TEXT NOT NULL, title TEXT NOT NULL,
            name_a TEXT NOT NULL, name_b TEXT NOT NULL, created_at REAL NOT NULL,
            updated_at REAL NOT NULL, finished INTEGER NOT NULL DEFAULT 0,
            events INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE events (session_id TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL,
            kind TEXT NOT NULL, at REAL, body TEXT NOT NULL, UNIQUE (session_id, seq));
        INSERT INTO sessions VALUES ('old1', 'when-i-felt', 'When', 'Ann', 'Bob', 10, 12, 0, 2);
        INSERT INTO events VALUES ('old1', 1, 'ready', 11, '{"kind":"ready","partner":"a","at":11}');
        INSERT INTO events VALUES ('old1', 2, 'ready', 12, '{"kind":"ready","partner":"b","at":12}');
    """)
    conn.close()
    store = open_store(data_dir)
    info = store.info("old1")
    assert (info.names, info.owner, info.events, info.private_steps) == (NAMES, None, 2, ())
    s = Session.resume(store, felt_exercise(), "old1")
    assert s.state.phase == "step" and s.state.step_id == "voice"
    s.save_draft(draft_key("voice", 1, "a", "event"), "new table works")
    s.submit("answered", "a", values={"event": "x", "feeling": "calm"})
    store.set_mark("old1", "k", "kept")
    store.close()
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(schema.CURRENT,)]
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (3,)


def test_a_data_dir_inside_a_file_falls_back_to_memory(tmp_path):
    (tmp_path / "plain-file").write_text("x")
    store = open_store(tmp_path / "plain-file" / "data")
    assert isinstance(store, MemoryStore)
    assert "kept in memory only" in store.warning and "plain-file" in store.warning


@pytest.fixture
def read_only_dir(tmp_path):
    """A real read-only filesystem: root ignores chmod, not a read-only mount."""
    with mounted_tmpfs(tmp_path / "ro", "1m") as where:
        yield where


def test_a_read_only_data_dir_falls_back_to_memory(read_only_dir):
    data = read_only_dir / "data"
    open_store(data).close()  # an existing, healthy store...
    assert subprocess.run(["mount", "-o", "remount,ro", str(read_only_dir)]).returncode == 0
    store = open_store(data)  # ...on a disk that turned read-only
    assert isinstance(store, MemoryStore)
    assert "read-only" in store.warning and "memory only" in store.warning
    s = Session.new(store, felt_exercise(), NAMES)
    s.submit("ready", "a")
    assert s.warning == store.warning
    fresh = open_store(read_only_dir / "never-made")
    assert isinstance(fresh, MemoryStore) and "read-only" in fresh.warning


@pytest.fixture
def small_disk(tmp_path):
    with mounted_tmpfs(tmp_path / "small", "200k") as where:
        yield where


def test_a_full_disk_mid_session_carries_on_in_memory(small_disk):
    data = small_disk / "data"
    store = open_store(data)
    assert store.persistent
    ex = promises_exercise()
    s = Session.new(store, ex, NAMES)
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.save_draft("promises:1:a:promises", "a draft")
    big = "x" * 3000
    submitted = 2
    while s.warning is None and submitted < 500:
        s.submit("paused", "a", note=big)
        s.submit("resumed", "b")
        submitted += 2
    assert s.warning and "disk is full" in s.warning and "memory only" in s.warning
    assert isinstance(s.store, MemoryStore)
    # Nothing lost: the session goes on and holds every event, drafts included.
    s.submit("answered", "a", values={"promises": [{"what": "call", "when": "Friday"}]})
    assert len(s.events) == submitted + 1
    assert s.state.step_id == "read-back"
    assert s.store.events(s.id) == s.events
    assert s.drafts() == {}  # the answer settled the draft, in memory too
    # What reached the disk is a clean prefix of what happened.
    on_disk = store.events(s.id)  # the SQLite store the session left
    assert on_disk == s.events[: len(on_disk)] and len(on_disk) >= 2


def test_a_full_disk_at_start_falls_back_to_memory(small_disk):
    (small_disk / "filler").write_bytes(b"\0" * 190_000)
    store = open_store(small_disk / "data")
    assert isinstance(store, MemoryStore)
    assert store.warning and "disk is full" in store.warning and "memory only" in store.warning


def test_a_session_forgotten_elsewhere_carries_on_in_memory_and_leaves_no_rows(data_dir):
    store = open_store(data_dir)
    s = Session.new(store, felt_exercise(), NAMES)
    s.submit("ready", "a")
    s.submit("ready", "b")
    other = open_store(data_dir)
    other.forget(s.id)
    other.close()
    s.save_draft(draft_key("voice", 1, "a", "event"), "typed after the forget")
    assert s.stopped is not None and s.stopped.gone and not s.persistent
    assert "deleted from another window" in s.warning
    s.submit("answered", "a", values={"event": "x", "feeling": "calm"})
    assert s.turns() == (0, 1)  # nothing of it is on disk any more
    assert store.drafts(s.id) == {} and store.sessions() == []


def test_a_full_file_counts_the_turns_on_disk(data_dir):
    store = open_store(data_dir)
    s = Session.new(store, felt_exercise(), NAMES)
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.submit("answered", "a", values={"event": "x", "feeling": "calm"})
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # a real SQLITE_FULL from here on
    s.submit("answered", "b", values={"mirror": "y" * 6000})
    assert s.stopped is not None and "disk is full" in s.stopped.reason and not s.stopped.gone
    assert s.turns() == (1, 1) and len(store.events(s.id)) == 3
