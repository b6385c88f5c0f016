"""Overlay tests: a pinned clock and time zone, and `async def` tests run on asyncio."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Local time is UTC in these tests, so "19:00" means the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests (Pilot needs a loop) without an async pytest plugin."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
