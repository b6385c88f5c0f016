"""The change feed per session: a watcher of one session is not woken, and reads nothing, for another's writes.

Each store is real (an SQLite file, a PostgreSQL server) and written through a
second store on the same data, as another process would. Timings are bounds for
a slow, shared machine, not measures.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from pg_server import started
from trustdialog.engine import Event
from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import Store, open_store

NAMES = {"a": "Ann", "b": "Bob"}
EXERCISE = "when-i-felt"


def _exercise() -> Any:
    return load_library().exercises[EXERCISE]


def _pair(open_one: Callable[[], Store]) -> tuple[Store, Store, str, str]:
    """A writer and a watcher store on the same data, with two sessions X and Y."""
    writer, watcher = open_one(), open_one()
    x = writer.create_session(EXERCISE, "T", NAMES)
    y = writer.create_session(EXERCISE, "T", NAMES)
    return writer, watcher, x, y


def _count_reads(monkeypatch: pytest.MonkeyPatch, store: Store) -> list[str]:
    """Every events() and info() the store is asked for, by session id."""
    reads: list[str] = []
    for name in ("events", "info"):
        real = getattr(store, name)

        def counted(session_id: str, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            reads.append(session_id)
            return _real(session_id, *args, **kwargs)

        monkeypatch.setattr(store, name, counted)
    return reads


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
    if request.param == "sqlite":
        return lambda: open_store(tmp_path / "data")
    url = request.getfixturevalue("pg_url")
    return lambda: open_store(None, url=url)


def _settle(store: Store) -> None:
    """Let another connection's notifications reach a PostgreSQL store's socket."""
    time.sleep(0.2)


def test_catch_up_reads_nothing_for_another_sessions_writes(opener, monkeypatch):
    writer, watcher, x, y = _pair(opener)
    session = Session.resume(watcher, _exercise(), x)
    session.catch_up()  # the first look takes in the log as it is
    reads = _count_reads(monkeypatch, watcher)
    for n in range(3):
        writer.append(y, Event("ready", "ab"[n % 2]))
        writer.save_draft(y, "1:1:a:feeling", f"typing {n}")
        _settle(watcher)
        assert session.catch_up() is False
    assert reads == [], "the watcher of X read the store for writes to Y"
    writer.append(x, Event("ready", "a"), after=0)
    _settle(watcher)
    assert session.catch_up() is True
    assert [e.partner for e in session.events] == ["a"]
    for store in (writer, watcher):
        store.close()


def test_session_version_moves_only_with_its_own_events(opener):
    writer, watcher, x, y = _pair(opener)
    before = watcher.session_version(x)
    writer.append(y, Event("ready", "a"))
    _settle(watcher)
    assert watcher.session_version(x) == before
    writer.append(x, Event("ready", "a"))
    _settle(watcher)
    moved = watcher.session_version(x)
    assert moved != before
    # The watcher's own writes move it too: another Session on this store must hear of them.
    watcher.append(x, Event("ready", "b"))
    assert watcher.session_version(x) != moved
    for store in (writer, watcher):
        store.close()


async def _until(predicate: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until `predicate` held, or None if it did not within `timeout`."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        await asyncio.sleep(0.005)
    return None


def test_a_watch_is_not_called_for_another_sessions_writes(opener, monkeypatch):
    writer, watcher, x, y = _pair(opener)
    session = Session.resume(watcher, _exercise(), x)
    session.catch_up()
    calls: list[float] = []
    reads = _count_reads(monkeypatch, watcher)

    async def run() -> float | None:
        watch = session.watch(lambda: calls.append(time.perf_counter()))
        assert watch is not None, "this store cannot push changes"
        try:
            for n in range(3):
                writer.append(y, Event("ready", "ab"[n % 2]))
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.6)  # past every settle look of an inotify wake-up
            assert calls == [], "the watch of X was called for writes to Y"
            assert reads == []
            writer.append(x, Event("ready", "a"))
            return await _until(lambda: bool(calls), 5.0)
        finally:
            watch.close()

    assert asyncio.run(run()) is not None, "a write to X did not call the watch"
    for store in (writer, watcher):
        store.close()


def test_a_postgres_watch_wakes_from_the_listening_socket(pg_url):
    writer, watcher, x, _ = _pair(lambda: open_store(None, url=pg_url))
    session = Session.resume(watcher, _exercise(), x)
    calls: list[float] = []

    async def run() -> list[float]:
        watch = session.watch(lambda: calls.append(time.perf_counter()))
        assert watch is not None, "no push watch on PostgreSQL: the screen would poll"
        waits = []
        try:
            for n in range(3):
                await asyncio.sleep(0.15)
                calls.clear()
                written = time.perf_counter()
                writer.append(x, Event("ready", "ab"[n % 2]))
                waited = await _until(lambda: bool(calls), 3.0)
                assert waited is not None, "the write was never heard"
                waits.append(calls[0] - written)
        finally:
            watch.close()
        return waits

    waits = asyncio.run(run())
    # The fallback look comes once a second: three wake-ups all well inside it came from the socket.
    assert max(waits) < 0.5, waits
    for store in (writer, watcher):
        store.close()


def test_a_postgres_watch_follows_the_listening_connection_after_a_restart():
    with started() as server:
        writer, watcher, x, _ = _pair(lambda: open_store(None, url=server.url))
        calls: list[float] = []
        looks = [0]
        real = watcher.session_version

        def counted(session_id: str) -> int:
            looks[0] += 1
            return real(session_id)

        watcher.session_version = counted  # type: ignore[method-assign]

        async def run() -> float | None:
            watch = watcher.watch(x, lambda: calls.append(time.perf_counter()))
            assert watch is not None
            try:
                server.halt()
                down = looks[0]
                await asyncio.sleep(1.5)
                # A socket at its end is readable for ever: waiting on it would spin.
                assert looks[0] - down < 20, f"{looks[0] - down} looks while the server was down"
                server.resume()
                hub = watch._hub  # type: ignore[attr-defined]
                followed = await _until(lambda: hub._socket is not None and hub._socket[0] >= 1, 30.0)
                assert followed is not None, "the watch never waited on the new listening socket"
                await asyncio.sleep(0.2)
                calls.clear()
                writer.append(x, Event("ready", "a"))
                return await _until(lambda: bool(calls), 3.0)
            finally:
                watch.close()

        waited = asyncio.run(run())
        assert waited is not None and waited < 0.5, waited
        for store in (writer, watcher):
            store.close()
