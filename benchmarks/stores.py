"""The store a benchmark's apps use: SQLite in their data folder, a throw-away PostgreSQL server, or a URL."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def store_url(name: str, apps: int = 45) -> Iterator[str | None]:
    """None for "sqlite"; for "postgresql" a throw-away server's URL (as the tests start one,
    tests/store/pg_server.py), with room for `apps` apps of two connections each, removed
    after; or `name` itself when it is a URL."""
    if name == "sqlite":
        yield None
    elif name in ("postgresql", "postgres"):
        sys.path.insert(0, str(HERE.parent / "tests" / "store"))
        from pg_server import PostgresServer

        server = PostgresServer(max_connections=max(100, 2 * apps + 20))
        try:
            yield server.start()
        finally:
            server.stop()
    elif "://" in name:
        yield name
    else:
        raise SystemExit(f"--store: {name!r} is not sqlite, postgresql or a store URL")
