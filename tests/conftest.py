"""Shared test set-up: every test gets its own data dir and a pinned look."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest


SERIAL_FOLDERS = ("e2e", "ssh")  # real terminals and real SSH connections, timed as people are


def pytest_collection_modifyitems(items):
    """Mark what must run apart (see the `serial` marker): the test command runs the rest
    on both cores first, then these one at a time."""
    for item in items:
        folder = item.path.parent.name
        if folder in SERIAL_FOLDERS or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.serial)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests in a fresh event loop (Textual's Pilot needs one; no plugin)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Local time is UTC: dates, "19:00" and snapshots read the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Never touch the real home; the same look on every machine."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("TRUSTDIALOG_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg"))
    # The app pins its theme, but a stray TEXTUAL_THEME or NO_COLOR on a
    # developer's machine must not change what the snapshots see.
    for var in ("TEXTUAL_THEME", "NO_COLOR", "TRUSTDIALOG_USER", "TRUSTDIALOG_ROLE"):
        monkeypatch.delenv(var, raising=False)
    return data
