"""Fixtures for the store tests: a fresh data folder per test, and each store backend in turn."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from pg_server import PostgresServer, started


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def no_store_url(monkeypatch):
    """A TRUSTDIALOG_STORE of the developer's shell must not point the tests at their database."""
    monkeypatch.delenv("TRUSTDIALOG_STORE", raising=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run, in a temporary folder."""
    with started() as server:
        yield server


_schemas = itertools.count(1)


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A URL to an empty schema of its own on the test server: tests never see each other's rows."""
    import psycopg

    name = f"t{next(_schemas)}"
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{pg_server.url}?options=-csearch_path%3D{name}"


@dataclass
class Backend:
    """One kind of store; `open()` gives a new store (a new connection) on the same data."""

    name: str
    open: Callable[[], object]
    shared: bool  # whether two opened stores see each other's writes


BACKENDS = ("sqlite", "memory", "postgres")


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path: Path) -> Iterator[Backend]:
    from trustdialog.store import MemoryStore, open_store

    opened: list = []

    def track(make: Callable[[], object]) -> Callable[[], object]:
        def open_() -> object:
            store = make()
            opened.append(store)
            return store
        return open_

    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'data'}"
        yield Backend("sqlite", track(lambda: open_store(None, url=url)), True)
    elif request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        yield Backend("postgres", track(lambda: open_store(None, url=url)), True)
    else:
        memory = MemoryStore()
        yield Backend("memory", lambda: memory, False)
    for store in opened:
        store.close()
