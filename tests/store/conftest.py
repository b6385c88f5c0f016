"""Fixtures for the store tests: a fresh data folder per test, local time in UTC, async tests."""

from __future__ import annotations

import asyncio
import inspect
import time
from pathlib import Path

import pytest


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
    """Dates render the same on every machine (screens, snapshots, exports)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
