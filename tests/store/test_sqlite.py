"""The SQLite store: the log, drafts, owners, files readable by their owner only."""

from __future__ import annotations

import os
import stat

import pytest

from trustdialog import engine
from trustdialog.engine import Event
from trustdialog.session import Session, draft_key
from trustdialog.store import (
    MemoryStore, SessionInfo, StoreConflict, StoreError, db_path, open_store,
)
from store_helpers import felt_exercise, promises_exercise

NAMES = {"a": "Ann", "b": "Bob"}


def test_events_round_trip_and_survive_reopening(data_dir):
    store = open_store(data_dir)
    assert store.persistent and store.warning is None
    sid = store.create_session("when-i-felt", "T", NAMES, owner="ann", at=100.0)
    events = [Event("ready", "a", at=101.0), Event("ready", "b", at=102.0),
              Event("answered", "a", step="voice", round=1,
                    data={"values": {"event": "ünïcode ✓ \x1b[31m", "feeling": "calm"}}, at=103.5)]
    assert [store.append(sid, e) for e in events] == [1, 2, 3]
    store.close()
    again = open_store(data_dir)
    assert again.events(sid) == events
    assert again.events(sid, after=2) == events[2:]
    info = again.info(sid)
    assert isinstance(info, SessionInfo)
    assert (info.events, info.owner, info.names, info.created_at, info.updated_at) == (3, "ann", NAMES, 100.0, 103.5)


def test_files_are_private(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("ready", "a", at=1.0))
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    files = sorted(p.name for p in data_dir.iterdir())
    assert files == ["sessions.db", "sessions.db-shm", "sessions.db-wal"]
    for name in files:
        assert stat.S_IMODE(os.stat(data_dir / name).st_mode) == 0o600, name


def test_sessions_filter_by_owner_newest_first(data_dir):
    store = open_store(data_dir)
    one = store.create_session("x", "T", NAMES, owner="ann", at=1.0)
    two = store.create_session("x", "T", NAMES, owner="cy", at=2.0)
    three = store.create_session("x", "T", NAMES, owner="ann", at=3.0)
    assert [i.id for i in store.sessions()] == [three, two, one]
    assert [i.id for i in store.sessions(owner="ann")] == [three, one]
    assert store.sessions(owner="nobody") == []


def test_unknown_session_is_a_store_error(data_dir):
    store = open_store(data_dir)
    for call in (lambda: store.info("nope"), lambda: store.events("nope"),
                 lambda: store.append("nope", Event("ready", "a")), lambda: store.forget("nope")):
        with pytest.raises(StoreError, match="no session 'nope'"):
            call()


def test_append_after_refuses_a_stale_view(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("ready", "a"), after=0)
    with pytest.raises(StoreConflict) as caught:
        store.append(sid, Event("ready", "b"), after=0)
    assert caught.value.last_seq == 1
    assert len(store.events(sid)) == 1


def test_drafts_upsert_and_clear(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    store.save_draft(sid, "voice:1:a:event", "first")
    store.save_draft(sid, "voice:1:a:event", "second")
    store.save_draft(sid, "voice:1:a:feeling", "calm")
    assert store.drafts(sid) == {"voice:1:a:event": "second", "voice:1:a:feeling": "calm"}
    store.clear_draft(sid, "voice:1:a:feeling")
    store.close()
    assert open_store(data_dir).drafts(sid) == {"voice:1:a:event": "second"}


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_session_clears_the_drafts_its_answer_settles(data_dir, kind):
    store = open_store(data_dir) if kind == "sqlite" else MemoryStore()
    s = Session.new(store, felt_exercise(), NAMES, owner="ann", clock=lambda: 5.0)
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.save_draft(draft_key("voice", 1, "a", "event"), "the dish")
    s.save_draft(draft_key("voice", 1, "a", "feeling"), "tir")
    s.save_draft(draft_key("mirror", 1, "b", "mirror"), "You said")
    assert len(s.drafts()) == 3
    s.submit("answered", "a", values={"event": "the dishes", "feeling": "tired"})
    assert s.drafts() == {"mirror:1:b:mirror": "You said"}
    resumed = Session.resume(store, felt_exercise(), s.id)
    assert resumed.drafts() == {"mirror:1:b:mirror": "You said"}


def test_resume_replays_to_the_same_state(data_dir):
    store = open_store(data_dir)
    s = Session.new(store, felt_exercise(), NAMES, clock=lambda: 7.0)
    for e in ([("ready", "a", {}), ("ready", "b", {}),
               ("answered", "a", {"values": {"event": "x", "feeling": "calm"}}),
               ("answered", "b", {"values": {"mirror": "you felt calm"}}),
               ("answered", "b", {"values": {"safe": 4}})]):
        s.submit(e[0], e[1], **e[2])
    store.close()
    again = Session.resume(open_store(data_dir), felt_exercise(), s.id)
    assert again.state == s.state
    assert again.state.floor == ("a",)  # b has rated; a has not
    assert again.info.private_steps == ("reflect",) and again.info.hidden_steps == ("rate",)


def test_two_sessions_on_one_log_catch_up_instead_of_forking(data_dir):
    """Two processes' views of one shared session: the second catches up, then its action fits or not."""
    ex = felt_exercise()
    one = Session.new(open_store(data_dir), ex, NAMES)
    two = Session.resume(open_store(data_dir), ex, one.id)
    one.submit("ready", "a")
    two.submit("ready", "b")  # stale view: conflict, refresh, then it still fits
    assert two.state.phase == "step" and len(two.events) == 2
    with pytest.raises(engine.FlowError):
        one.submit("ready", "b")  # after catching up, b is already ready
    assert one.state == two.state
    assert len(open_store(data_dir).events(one.id)) == 2


def test_set_finished_and_finished_flag_on_last_event(data_dir):
    store = open_store(data_dir)
    s = Session.new(store, felt_exercise(), NAMES)
    s.submit("ended", "a")
    assert store.info(s.id).finished


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
