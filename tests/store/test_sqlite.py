"""What only the SQLite store has: its files, readable by their owner only, and wiped on forget.

The protocol's behaviour, the same on every store, is in test_backends.py.
"""

from __future__ import annotations

import os
import stat

from trustdialog.engine import Event
from trustdialog.session import Session, draft_key
from trustdialog.store import open_store
from store_helpers import felt_exercise

NAMES = {"a": "Ann", "b": "Bob"}


def test_files_are_private(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("ready", "a", at=1.0))
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    files = sorted(p.name for p in data_dir.iterdir())
    assert files == ["sessions.db", "sessions.db-shm", "sessions.db-wal"]
    for name in files:
        assert stat.S_IMODE(os.stat(data_dir / name).st_mode) == 0o600, name


def test_forget_leaves_no_trace_in_any_file(data_dir):
    store = open_store(data_dir)
    keep = Session.new(store, felt_exercise(), NAMES)
    keep.submit("ready", "a")
    secret = "zebra-quartz-417-unique"
    gone = Session.new(store, felt_exercise(), {"a": "Xanthippe-" + secret, "b": "Bob"})
    gone.submit("ready", "a")
    gone.submit("ready", "b")
    gone.submit("answered", "a", values={"event": secret + " event", "feeling": "hurt"})
    gone.save_draft(draft_key("mirror", 1, "b", "mirror"), secret + " draft")
    store.set_mark(gone.id, "k", "kept")
    files = [data_dir / n for n in ("sessions.db", "sessions.db-wal", "sessions.db-shm")]
    assert any(secret.encode() in f.read_bytes() for f in files if f.exists())
    assert store.forget(gone.id) is True
    for f in files:
        if f.exists():
            assert secret.encode() not in f.read_bytes(), f.name
    assert [i.id for i in store.sessions()] == [keep.id]
    assert store.marks() == []
    assert len(store.events(keep.id)) == 1
