"""The Store protocol's behaviour, the same on every backend: SQLite, memory and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from trustdialog.engine import Event
from trustdialog.session import Session
from trustdialog.store import SessionGone, SessionInfo, Store, StoreConflict, StoreError
from store_helpers import felt_exercise

NAMES = {"a": "Ann", "b": "Bob"}


def changed(store, seen: int, within: float = 5.0) -> bool:
    """Whether store.version() moves from `seen` within `within` seconds.

    A server's notification arrives a moment after the writer's commit; a
    file's version moves at once. Either way the wait ends as soon as it moves.
    """
    end = time.monotonic() + within
    while time.monotonic() < end:
        if store.version() != seen:
            return True
        time.sleep(0.005)
    return False


def test_every_backend_is_a_store_with_the_plain_attributes(backend):
    store = backend.open()
    assert isinstance(store, Store)
    assert store.persistent is backend.shared
    assert (store.warning, store.read_only) == (None, None)
    if backend.name == "postgres":
        assert store.path is None and store.where.startswith("postgresql://")


def test_events_round_trip_and_survive_reopening(backend):
    store = backend.open()
    sid = store.create_session("when-i-felt", "T", NAMES, owner="ann", at=100.0,
                               private_steps=["reflect"], hidden_steps=["rate"])
    events = [Event("ready", "a", at=101.0), Event("ready", "b", at=102.0),
              Event("answered", "a", step="voice", round=1,
                    data={"values": {"event": "ünïcode ✓ \x1b[31m", "feeling": "calm"}}, at=103.5)]
    assert [store.append(sid, e) for e in events] == [1, 2, 3]
    again = backend.open()
    assert again.events(sid) == events
    assert again.events(sid, after=2) == events[2:]
    info = again.info(sid)
    assert isinstance(info, SessionInfo)
    assert (info.events, info.owner, info.names, info.created_at, info.updated_at) == (
        3, "ann", NAMES, 100.0, 103.5)
    assert (info.private_steps, info.hidden_steps, info.finished) == (("reflect",), ("rate",), False)
    snap = again.snapshot(sid)
    assert (snap.info, snap.events, snap.drafts) == (info, events, {})
    assert again.damaged() == []


def test_sessions_filter_by_owner_newest_first(backend):
    store = backend.open()
    old = store.create_session("x", "Old", NAMES, owner="ann", at=1.0)
    new = store.create_session("x", "New", NAMES, owner="ann", at=2.0)
    other = store.create_session("x", "Theirs", NAMES, owner="cat", at=3.0)
    assert [i.id for i in store.sessions("ann")] == [new, old]
    assert [i.id for i in store.sessions()] == [other, new, old]
    assert store.sessions("nobody") == []


def test_an_unknown_session_is_a_store_error(backend):
    store = backend.open()
    with pytest.raises(StoreError, match="no session 'nope'"):
        store.info("nope")
    with pytest.raises(StoreError):
        store.events("nope")


def test_append_after_refuses_a_stale_view_from_another_connection(backend):
    one, two = backend.open(), backend.open()
    sid = one.create_session("x", "T", NAMES)
    assert one.append(sid, Event("ready", "a"), after=0) == 1
    with pytest.raises(StoreConflict) as conflict:
        two.append(sid, Event("ready", "b"), after=0)  # it has not seen event 1
    assert conflict.value.last_seq == 1
    assert two.append(sid, Event("ready", "b"), after=1) == 2
    assert [e.partner for e in one.events(sid)] == ["a", "b"]


def test_finished_by_the_last_event_or_set(backend):
    store = backend.open()
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("ready", "a"))
    assert not store.info(sid).finished
    store.append(sid, Event("ended", "a"), finished=True)
    assert store.info(sid).finished
    other = store.create_session("x", "T", NAMES)
    store.set_finished(other)
    assert store.info(other).finished


def test_drafts_upsert_clear_and_go_with_the_answer(backend):
    store = backend.open()
    sid = store.create_session("x", "T", NAMES)
    store.save_draft(sid, "voice:1:a:event", "first")
    store.save_draft(sid, "voice:1:a:event", "second")
    store.save_draft(sid, "voice:1:b:event", "theirs")
    assert backend.open().drafts(sid) == {"voice:1:a:event": "second", "voice:1:b:event": "theirs"}
    store.clear_draft(sid, "voice:1:b:event")
    store.append(sid, Event("answered", "a", step="voice", round=1), clear_drafts=["voice:1:a:event"])
    assert store.drafts(sid) == {}


def test_marks_upsert_and_filter_by_owner(backend):
    store = backend.open()
    made = store.create_session("x", "T", NAMES, owner="ann")
    theirs = store.create_session("x", "T", NAMES, owner="cat")
    checkin = store.create_session("x", "T", NAMES, owner="ann")
    store.set_mark(made, "p1", "partly", at=5.0)
    store.set_mark(made, "p1", "kept", at=6.0, checkin_session=checkin)
    store.set_mark(theirs, "p1", "not kept", at=7.0)
    with pytest.raises(StoreError, match="a mark is one of"):
        store.set_mark(made, "p2", "maybe")
    [mine] = backend.open().marks("ann")
    assert (mine.session_id, mine.key, mine.mark, mine.at, mine.checkin_session) == (
        made, "p1", "kept", 6.0, checkin)
    assert len(store.marks()) == 2


def test_forget_removes_everything_and_later_writes_find_it_gone(backend):
    store, other = backend.open(), backend.open()
    sid = store.create_session("x", "T", NAMES, owner="ann")
    keep = store.create_session("x", "T", NAMES, owner="ann")
    store.append(sid, Event("ready", "a"))
    store.save_draft(sid, "k", "typed")
    store.set_mark(sid, "p", "kept")
    store.set_mark(keep, "p", "kept", checkin_session=sid)
    assert store.forget(sid) is True
    assert [i.id for i in other.sessions()] == [keep]
    try:
        left = other.drafts(sid)
    except StoreError:  # memory says the session is unknown; the others find no rows
        left = {}
    assert left == {}
    assert [(m.session_id, m.checkin_session) for m in other.marks()] == [(keep, None)]
    with pytest.raises(SessionGone):
        other.append(sid, Event("ready", "b"))
    with pytest.raises(SessionGone):
        other.save_draft(sid, "k", "again")
    with pytest.raises(StoreError, match="no session"):
        store.forget(sid)


def test_version_moves_when_another_connection_writes_and_only_then(backend):
    watcher, writer = backend.open(), backend.open()
    sid = writer.create_session("x", "T", NAMES)
    seen = watcher.version()
    while changed(watcher, seen, within=0.2):  # the create's notice may come late
        seen = watcher.version()
    assert not changed(watcher, seen, within=0.3)  # nothing written: the same number
    writer.append(sid, Event("ready", "a"))
    assert changed(watcher, seen)
    seen = watcher.version()
    writer.save_draft(sid, "k", "typing")
    assert changed(watcher, seen)


def test_two_sessions_on_one_log_catch_up_instead_of_forking(backend):
    exercise = felt_exercise()
    mine = Session.new(backend.open(), exercise, NAMES)
    theirs = Session.resume(backend.open(), exercise, mine.id)
    mine.submit("ready", "a")
    theirs.submit("ready", "b")  # a conflict underneath: it catches up, then appends
    deadline = time.monotonic() + 5
    while not mine.catch_up() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [e.partner for e in mine.events] == [e.partner for e in theirs.events] == ["a", "b"]
