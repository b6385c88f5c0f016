"""The access list and its invites kept in the PostgreSQL store, so every host reads the same ones.

Each file is one row of `shared_files`, holding the text the file would hold
on disk: the access and invite modules read and check it exactly as they read
a file, so the format, its checks and their messages are the same wherever it
lives. psycopg is imported here (through the store) only when the store is
PostgreSQL.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

import psycopg

from trustdialog.store import pg_schema
from trustdialog.store.postgres import PostgresStore, _reason
from trustdialog.store.records import StoreError


class PostgresFiles:
    """Named texts in one database; one connection, opened on first use and again after a fault."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: PostgresStore | None = None
        self._lock = threading.RLock()
        self._depth = 0  # how many `locked` blocks this process is inside

    @property
    def where(self) -> str:
        from trustdialog.store.postgres_url import shown

        return shown(self.url)

    def shown(self, name: str) -> str:
        """How a message names the file: 'access.toml in the database postgresql://…'."""
        return f"{name} in the database {self.where}"

    def _conn(self) -> psycopg.Connection[Any]:
        if self._store is None:
            self._store = PostgresStore(self.url)  # StoreError in one line; brings the schema up to date
        return self._store._alive()

    def _run(self, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                cursor = self._conn().execute(sql, params)
                return cursor.fetchall() if cursor.description else []
            except psycopg.Error as error:
                self._drop()
                raise StoreError(f"cannot reach the database {self.where}: {_reason(error)}") from None

    def _drop(self) -> None:
        """Forget a connection that failed, so the next use opens a fresh one (not inside a lock)."""
        if self._store is not None and self._depth == 0:
            try:
                self._store.close()
            except psycopg.Error:
                pass
            self._store = None

    def read(self, name: str) -> str | None:
        """The file's text; None when it was never written."""
        rows = self._run("SELECT body FROM shared_files WHERE name = %s", (name,))
        return str(rows[0][0]) if rows else None

    def stamp(self, name: str) -> int | None:
        """A number that changes with every write of the file (None: never written)."""
        rows = self._run("SELECT changed FROM shared_files WHERE name = %s", (name,))
        return int(rows[0][0]) if rows else None

    def write(self, name: str, text: str) -> None:
        self._run("INSERT INTO shared_files (name, body) VALUES (%s, %s) ON CONFLICT (name) "
                  "DO UPDATE SET body = excluded.body, changed = shared_files.changed + 1",
                  (name, text))

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One transaction, holding the lock every host takes to change these files: what is
        read and written inside lands together or not at all, and two hosts never interleave."""
        with self._lock:
            conn = self._conn()
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (pg_schema.SHARED_FILES_LOCK,))
                    self._depth += 1
                    try:
                        yield
                    finally:
                        self._depth -= 1
            except psycopg.Error as error:
                self._drop()
                raise StoreError(f"cannot reach the database {self.where}: {_reason(error)}") from None

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
