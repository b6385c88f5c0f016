"""A real PostgreSQL restarted under open stores: they open their connections again and lose no committed turn."""

from __future__ import annotations

import os
import time

import pytest

from pg_server import NoPostgres, PostgresServer
from trustdialog.engine import Event
from trustdialog.store import StoreConflict, StoreWriteError, open_store

NAMES = {"a": "Ann", "b": "Bob"}


@pytest.fixture
def server():
    """A server of this test's own: restarting the shared one would drop other tests' stores."""
    try:
        made = PostgresServer()
    except NoPostgres as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error} (CI must test the PostgreSQL store)", pytrace=False)
        pytest.skip(str(error))
    made.start()
    yield made
    made.stop()


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
    with pytest.raises(StoreWriteError) as failed:
        store.append(sid, Event("ready", "b"), after=1)
    # The exact class the session catches to keep the turn in the box and say why.
    assert failed.value.__class__ is StoreWriteError
    assert str(failed.value).endswith("no server is running there") and "\n" not in str(failed.value)
    server.resume()
    # Sent again once the server is back: saved once, after the one before it.
    assert store.append(sid, Event("ready", "b"), after=1) == 2
    with pytest.raises(StoreConflict):
        store.append(sid, Event("ready", "b"), after=1)  # the same turn twice is refused, not doubled
    assert [(e.kind, e.partner) for e in store.events(sid)] == [("ready", "a"), ("ready", "b")]
    assert store.drafts(sid) == {"1:1:b:feeling": "half typed"}
    store.close()
