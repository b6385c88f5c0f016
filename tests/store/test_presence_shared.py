"""Presence through each store: another process (another host, for PostgreSQL) sees who is on a session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from trustdialog.store import open_store

STORES = ("sqlite", "postgres")


@pytest.fixture(params=STORES)
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path}/sessions.db"
    return request.getfixturevalue("pg_url")


def _session(url: str) -> str:
    store = open_store(None, url=url)
    session_id = store.create_session("when-i-felt", "When it happened", {"a": "Ana", "b": "Ben"}, owner="ana-ben")
    store.close()
    return session_id


def _other_app(url: str, session_id: str, *, typing: bool = False) -> subprocess.Popen:
    """Another process that opens the store, joins the session as Ben and stays (as an app would)."""
    code = textwrap.dedent(f"""
        import time
        from trustdialog.store import open_store
        store = open_store(None, url={url!r})
        here = store.presence().join({session_id!r}, "ben", "client", "b")
        assert here is not None
        time.sleep(0.3)  # a keystroke after joining, as typing is
        if {typing!r}:
            here.writing()
        print("joined", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "joined"
    return proc


def _until(predicate, timeout: float) -> float:
    """Seconds until `predicate()` held (polling); fails the test after `timeout`."""
    began = time.monotonic()
    while not predicate():
        assert time.monotonic() - began < timeout, "never happened"
        time.sleep(0.05)
    return time.monotonic() - began


def test_someone_in_another_process_is_seen_writing_but_never_their_words(url):
    session_id = _session(url)
    store = open_store(None, url=url)
    roll = store.presence()
    assert roll is not None
    mine = roll.join(session_id, "ana", "client", "a")
    other = _other_app(url, session_id, typing=True)
    try:
        _until(lambda: any(p.who == "ben" and p.writing for p in roll.present(session_id, mine)), 5)
        seen = {p.who: p for p in roll.present(session_id, mine)}
        assert set(seen) == {"ana", "ben"}
        assert seen["ana"].mine and not seen["ben"].mine and seen["ben"].partner == "b"
        assert not seen["ana"].writing
        assert roll.present("another-session") == []
    finally:
        other.kill()
        other.wait()
        mine.leave()
        store.close()


def test_a_killed_app_is_gone_within_seconds_and_a_clean_leave_at_once(url):
    session_id = _session(url)
    store = open_store(None, url=url)
    roll = store.presence()
    other = _other_app(url, session_id)
    assert [p.who for p in roll.present(session_id)] == ["ben"]
    os.kill(other.pid, signal.SIGKILL)  # no goodbye: the process is just gone
    other.wait()
    gone_after = _until(lambda: roll.present(session_id) == [], 8)
    print(f"a killed app stopped showing after {gone_after:.1f} s")
    here = roll.join(session_id, "ana", "client", "a")
    assert [p.who for p in roll.present(session_id)] == ["ana"]
    here.leave()
    assert roll.present(session_id) == []
    store.close()


def test_the_sessions_a_process_is_on_and_when_someone_last_acted_there(url):
    session_id = _session(url)
    store = open_store(None, url=url)
    roll = store.presence()
    assert roll.sessions_of(os.getpid()) == [] and roll.last_activity(session_id) == 0.0
    here = roll.join(session_id, "ana", "client", "a")
    assert roll.sessions_of(os.getpid()) == [session_id]
    assert roll.sessions_of(os.getpid() + 1) == []
    assert roll.last_activity(session_id) == pytest.approx(time.time(), abs=5)
    here.leave()
    assert roll.sessions_of(os.getpid()) == []
    store.close()


def test_a_heartbeat_keeps_a_quiet_connection_present(pg_url):
    """Someone reading without a key pressed stays present far past the time a stale row is dropped."""
    from trustdialog.store.pg_presence import LOST_AFTER

    session_id = _session(pg_url)
    store = open_store(None, url=pg_url)
    other = _other_app(pg_url, session_id)
    try:
        time.sleep(LOST_AFTER * 1.6)
        assert [p.who for p in store.presence().present(session_id)] == ["ben"]
    finally:
        other.kill()
        other.wait()
        store.close()


def test_presence_never_wakes_the_watchers_of_the_log(pg_url):
    """A heartbeat is not a change: it sends no NOTIFY, so no watcher redraws for it."""
    session_id = _session(pg_url)
    store = open_store(None, url=pg_url)
    watcher = open_store(None, url=pg_url)
    before = watcher.version(), watcher.session_version(session_id)
    here = store.presence().join(session_id, "ana", "client", "a")
    here.writing()
    time.sleep(2)
    assert (watcher.version(), watcher.session_version(session_id)) == before
    here.leave()
    watcher.close()
    store.close()


def test_a_store_in_memory_has_no_presence():
    assert open_store(None, no_save=True).presence() is None
