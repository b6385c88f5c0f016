"""A real PostgreSQL restarted under open stores: they open their connections again and lose no committed turn."""

from __future__ import annotations

import time

import pytest

from pg_server import started
from trustdialog.engine import Event
from trustdialog.conversation import NOT_SENT, Conversation
from trustdialog.store import StoreConflict, StoreUnreachable, StoreWriteError, open_store

NAMES = {"a": "Ann", "b": "Bob"}


@pytest.fixture
def server():
    """A server of this test's own: restarting the shared one would drop other tests' stores."""
    with started() as made:
        yield made


def _until(predicate, timeout: float = 30.0) -> bool:
    """Wait for `predicate`; a bound for a slow machine, not a measure of anything."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def test_a_restart_between_two_turns_goes_unnoticed(server):
    host_one, host_two = open_store(None, url=server.url), open_store(None, url=server.url)
    sid = host_one.create_session("x", "T", NAMES)
    host_one.append(sid, Event("ready", "a"), after=0)
    server.halt()
    server.resume()
    # The next turn on each host: the dropped connection is opened again, the turn saved.
    assert host_one.append(sid, Event("ready", "b"), after=1) == 2
    assert [e.partner for e in host_two.events(sid)] == ["a", "b"]
    # The other host hears of changes again once it is listening again.
    _until(lambda: host_two._listening)
    assert host_two._listening, "the listening connection was not opened again"
    seen = host_two.version()
    host_one.append(sid, Event("continued", "a"), after=2)
    assert _until(lambda: host_two.version() != seen), "a write after the restart was not heard"
    for store in (host_one, host_two):
        store.close()


def test_a_turn_sent_while_the_server_is_down_fails_in_one_line_and_nothing_is_lost(server):
    store = open_store(None, url=server.url)
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("ready", "a"), after=0)
    store.save_draft(sid, "1:1:b:feeling", "half typed")
    server.halt()
    with pytest.raises(StoreUnreachable) as failed:
        store.append(sid, Event("ready", "b"), after=1)
    # Not a StoreWriteError: that one sends the session to memory, and a server
    # that is down for a minute is a wait, not a failing disk.
    assert not isinstance(failed.value, StoreWriteError)
    assert str(failed.value).endswith("no server is running there") and "\n" not in str(failed.value)
    server.resume()
    # Sent again once the server is back: saved once, after the one before it.
    assert store.append(sid, Event("ready", "b"), after=1) == 2
    with pytest.raises(StoreConflict):
        store.append(sid, Event("ready", "b"), after=1)  # the same turn twice is refused, not doubled
    assert [(e.kind, e.partner) for e in store.events(sid)] == [("ready", "a"), ("ready", "b")]
    assert store.drafts(sid) == {"1:1:b:feeling": "half typed"}
    store.close()


def test_a_session_waits_for_the_server_and_does_not_go_to_memory(server):
    """The conversation, as the app holds it: a turn sent while the server is down
    is refused calmly and stays unsent; once the server is back, sending it again
    saves it to the database (not to memory, where it would be lost on exit)."""
    from trustdialog.exercise.model import Exercise, Step

    exercise = Exercise(id="x", title="X", minutes=5, summary="", credit="",
                        steps=(Step(id="hello", kind="say", by="both", text="Hello."),))
    store = open_store(None, url=server.url)
    talk = Conversation(lambda: store, lambda: {"x": exercise}, names=NAMES)
    talk.choose("x")
    assert talk.ready("a") is None
    sid = talk.session.id
    server.halt()
    refusal = talk.ready("b")
    assert refusal is not None and refusal.message == NOT_SENT
    assert talk.session.persistent and talk.session.stopped is None, "the session went to memory"
    assert [e.partner for e in talk.session.events] == ["a"]
    server.resume()
    assert talk.ready("b") is None
    fresh = open_store(None, url=server.url)
    assert [(e.kind, e.partner) for e in fresh.events(sid)] == [("ready", "a"), ("ready", "b")]
    for each in (store, fresh):
        each.close()
