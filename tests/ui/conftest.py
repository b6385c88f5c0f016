"""UI test set-up: a fixture library, an in-memory store, a fixed clock, local time in UTC."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustdialog.exercise import load_library
from trustdialog.store import MemoryStore

FIXTURES = Path(__file__).parent / "fixtures" / "library"
START = 1_700_000_000.0  # a fixed moment: snapshots never show the real time


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def fixture_library():
    lib = load_library(extra_dirs=[FIXTURES], include_shipped=False)
    assert not lib.diagnostics, [str(d) for d in lib.diagnostics]
    return lib


@pytest.fixture(scope="session")
def shipped_library():
    return load_library()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store():
    return MemoryStore()


@pytest.fixture
def make(fixture_library, store, clock):
    """make(**overrides) -> a TrustDialogApp on the fixture library, memory store and clock."""
    from trustdialog.ui.app import make_app

    def factory(**kwargs):
        kwargs.setdefault("library", fixture_library)
        kwargs.setdefault("store", store)
        kwargs.setdefault("clock", clock)
        return make_app(**kwargs)

    return factory
