"""The push half of the change feed: a session's watcher is woken when another process saves."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import MemoryStore, open_store


def submit_elsewhere(folder, session_id: str) -> None:
    """Another process, as the other partner's app: it resumes the session and says yes."""
    code = textwrap.dedent(f"""
        from pathlib import Path
        from trustdialog.exercise import load_library
        from trustdialog.session import Session
        from trustdialog.store import open_store
        store = open_store(Path({str(folder)!r}))
        Session.resume(store, load_library().exercises["when-i-felt"], {session_id!r}).submit("ready", "b")
        store.close()
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_turn_saved_by_another_process_wakes_the_watcher_which_then_finds_it(tmp_path):
    store = open_store(tmp_path)
    session = Session.new(store, load_library().exercises["when-i-felt"], {"a": "Ana", "b": "Ben"})
    session.submit("ready", "a")
    session.catch_up()

    async def watched() -> list[bool]:
        woken = asyncio.Event()
        found: list[bool] = []

        def told() -> None:
            found.append(session.catch_up())
            woken.set()

        watch = session.watch(told)
        assert watch is not None  # Linux: inotify is there
        await asyncio.get_running_loop().run_in_executor(None, submit_elsewhere, tmp_path, session.id)
        await asyncio.wait_for(woken.wait(), 10)
        watch.close()
        return found

    found = asyncio.run(watched())
    assert found[:1] == [True]  # the first wake-up found the turn, with no poll at all
    assert session.state.ready == {"a", "b"}
    store.close()


def test_a_session_kept_in_memory_has_nothing_to_watch():
    session = Session.new(MemoryStore(), load_library().exercises["when-i-felt"], {"a": "Ana", "b": "Ben"})

    async def watched():
        return session.watch(lambda: None)

    assert asyncio.run(watched()) is None
