"""The Store protocol's behaviour, the same on every backend: SQLite, memory and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from trustdialog import engine
from trustdialog.engine import Event
from trustdialog.session import Session, draft_key
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


def test_append_after_refuses_a_stale_view_from_another_connection(backend):
    one, two = backend.open(), backend.open()
    sid = one.create_session("x", "T", NAMES)
    assert one.append(sid, Event("ready", "a"), after=0) == 1
    with pytest.raises(StoreConflict) as conflict:
        two.append(sid, Event("ready", "b"), after=0)  # it has not seen event 1
    assert conflict.value.last_seq == 1
    assert two.append(sid, Event("ready", "b"), after=1) == 2
    assert [e.partner for e in one.events(sid)] == ["a", "b"]


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


def test_sessions_filter_by_owner_newest_first(backend):
    store = backend.open()
    one = store.create_session("x", "T", NAMES, owner="ann", at=1.0)
    two = store.create_session("x", "T", NAMES, owner="cy", at=2.0)
    three = store.create_session("x", "T", NAMES, owner="ann", at=3.0)
    assert [i.id for i in store.sessions()] == [three, two, one]
    assert [i.id for i in store.sessions(owner="ann")] == [three, one]
    assert store.sessions(owner="nobody") == []


def test_unknown_session_is_a_store_error(backend):
    store = backend.open()
    for call in (lambda: store.info("nope"), lambda: store.events("nope"),
                 lambda: store.append("nope", Event("ready", "a")), lambda: store.forget("nope")):
        with pytest.raises(StoreError, match="no session 'nope'"):
            call()


def test_append_after_refuses_a_stale_view(backend):
    store = backend.open()
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("ready", "a"), after=0)
    with pytest.raises(StoreConflict) as caught:
        store.append(sid, Event("ready", "b"), after=0)
    assert caught.value.last_seq == 1
    assert len(store.events(sid)) == 1


def test_drafts_upsert_and_clear(backend):
    store = backend.open()
    sid = store.create_session("x", "T", NAMES)
    store.save_draft(sid, "voice:1:a:event", "first")
    store.save_draft(sid, "voice:1:a:event", "second")
    store.save_draft(sid, "voice:1:a:feeling", "calm")
    assert store.drafts(sid) == {"voice:1:a:event": "second", "voice:1:a:feeling": "calm"}
    store.clear_draft(sid, "voice:1:a:feeling")
    store.close()
    assert backend.open().drafts(sid) == {"voice:1:a:event": "second"}


def test_session_clears_the_drafts_its_answer_settles(backend):
    store = backend.open()
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


def test_resume_replays_to_the_same_state(backend):
    store = backend.open()
    s = Session.new(store, felt_exercise(), NAMES, clock=lambda: 7.0)
    for e in ([("ready", "a", {}), ("ready", "b", {}),
               ("answered", "a", {"values": {"event": "x", "feeling": "calm"}}),
               ("answered", "b", {"values": {"mirror": "you felt calm"}}),
               ("answered", "b", {"values": {"safe": 4}})]):
        s.submit(e[0], e[1], **e[2])
    store.close()
    again = Session.resume(backend.open(), felt_exercise(), s.id)
    assert again.state == s.state
    assert again.state.floor == ("a",)  # b has rated; a has not
    assert again.info.private_steps == ("reflect",) and again.info.hidden_steps == ("rate",)


def test_two_sessions_on_one_log_catch_up_instead_of_forking(backend):
    """Two processes' views of one shared session: the second catches up, then its action fits or not."""
    ex = felt_exercise()
    one = Session.new(backend.open(), ex, NAMES)
    two = Session.resume(backend.open(), ex, one.id)
    one.submit("ready", "a")
    two.submit("ready", "b")  # stale view: conflict, refresh, then it still fits
    assert two.state.phase == "step" and len(two.events) == 2
    with pytest.raises(engine.FlowError):
        one.submit("ready", "b")  # after catching up, b is already ready
    assert one.state == two.state
    assert len(backend.open().events(one.id)) == 2


def test_set_finished_and_finished_flag_on_last_event(backend):
    store = backend.open()
    s = Session.new(store, felt_exercise(), NAMES)
    s.submit("ended", "a")
    assert store.info(s.id).finished
