"""Facilitator notes on every backend: kept beside the session, never in its log, forgotten with it."""

from __future__ import annotations

import sqlite3

import pytest

from trustdialog.engine import Event
from trustdialog.store import Note, SessionGone, StoreError, db_path, open_store
from trustdialog.store import schema
from trustdialog.store.sqlite import SQLiteStore

NAMES = {"a": "Ann", "b": "Bob"}
ODD = "[bold]not markup[/bold]\x1b[31m\nsecond line  "


def test_notes_are_kept_in_order_exactly_as_typed_and_outside_the_log(backend):
    store = backend.open()
    sid = store.create_session("when-i-felt", "When", NAMES, owner="couple1", at=10.0)
    store.append(sid, Event("ready", "a", at=11.0))
    first = store.add_note(sid, "Ann tensed up here.", author="fran", at=12.0,
                           step="voice", round=1, label="Say what happened")
    second = store.add_note(sid, ODD, author="gil", at=13.0)
    assert first == Note(sid, 1, 12.0, "fran", "Ann tensed up here.", "voice", 1, "Say what happened")
    assert second.seq == 2 and second.text == ODD and second.step is None
    reader = backend.open()
    assert reader.notes(sid) == [first, second]
    # The log and the summary are what they were: a note is no event.
    assert [e.kind for e in reader.events(sid)] == ["ready"]
    assert reader.info(sid).events == 1
    other = store.create_session("when-i-felt", "When", NAMES, owner="couple2")
    assert reader.notes(other) == []


def test_a_note_for_a_forgotten_session_is_refused_and_forget_takes_the_notes(backend):
    store = backend.open()
    sid = store.create_session("when-i-felt", "When", NAMES)
    store.add_note(sid, "private words", author="fran")
    store.forget(sid)
    with pytest.raises(SessionGone):
        store.add_note(sid, "too late", author="fran")
    assert store.notes(sid) == []
    if backend.name == "sqlite":
        conn = sqlite3.connect(store.path)
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone() == (0,)
        conn.close()


def test_a_file_from_before_notes_is_upgraded_and_keeps_everything(data_dir):
    """A schema-2 file, laid down by the migrations of its time, opens with its sessions as they were."""
    data_dir.mkdir()
    conn = sqlite3.connect(db_path(data_dir))
    conn.executescript(schema.V0)
    for script in schema.MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("UPDATE schema_version SET version = 2")
    conn.execute("INSERT INTO sessions (id, exercise_id, title, name_a, name_b, created_at, updated_at, "
                 "finished, events) VALUES ('old2', 'when-i-felt', 'When', 'Ann', 'Bob', 10, 11, 0, 1)")
    conn.execute("INSERT INTO events VALUES ('old2', 1, 'ready', 11, "
                 "'{\"kind\":\"ready\",\"partner\":\"a\",\"at\":11}')")
    conn.commit()
    conn.close()
    store = open_store(data_dir)
    assert isinstance(store, SQLiteStore)
    assert store.events("old2") == [Event("ready", "a", at=11)]
    assert store.notes("old2") == []
    store.add_note("old2", "first note on an old session", author="fran")
    assert [n.text for n in store.notes("old2")] == ["first note on an old session"]
    store.close()
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(schema.CURRENT,)]
    conn.close()


def test_a_file_from_before_notes_reads_where_it_cannot_be_upgraded(data_dir):
    """Read-only, a schema-2 file lists and exports as before: it has no notes, and says so by none."""
    data_dir.mkdir()
    conn = sqlite3.connect(db_path(data_dir))
    conn.executescript(schema.V0)
    for script in schema.MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("UPDATE schema_version SET version = 2")
    conn.execute("INSERT INTO sessions (id, exercise_id, title, name_a, name_b, created_at, updated_at, "
                 "finished, events) VALUES ('old2', 'when-i-felt', 'When', 'Ann', 'Bob', 10, 11, 0, 0)")
    conn.commit()
    conn.close()
    store = SQLiteStore(db_path(data_dir), read_only=True)
    try:
        assert [i.id for i in store.sessions()] == ["old2"]
        assert store.notes("old2") == []
    finally:
        store.close()
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(2,)]  # untouched
    conn.close()


def test_a_file_older_than_that_still_must_be_upgraded_to_be_read(data_dir):
    data_dir.mkdir()
    conn = sqlite3.connect(db_path(data_dir))
    conn.executescript(schema.V0)
    conn.executescript(schema.MIGRATIONS[0])
    conn.execute("UPDATE schema_version SET version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="must be upgraded"):
        SQLiteStore(db_path(data_dir), read_only=True)
