"""Where the access list and its invites live: files on disk, or the PostgreSQL store every host shares.

With the default SQLite store, one host serves, and the access file beside it
says who may connect. With a PostgreSQL store, several hosts serve the same
sessions, and a key enrolled by an invite on one must let its owner into all
of them a moment later: so the access list and the invites are kept in the
database, each as the text its file would hold. The access and invite modules
ask `in_store()` which; None means the files on disk.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from trustdialog.store import _kind_of, store_url

_opened: dict[str, SharedFiles] = {}


class SharedFiles(Protocol):
    """Named texts kept in the store (see trustdialog/store/pg_files.py)."""

    def shown(self, name: str) -> str:
        """How a message names the file."""
        ...

    def read(self, name: str) -> str | None: ...

    def stamp(self, name: str) -> int | None: ...

    def write(self, name: str, text: str) -> None: ...

    def locked(self) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


def in_store(url: str | None = None) -> SharedFiles | None:
    """The store's shared files when the store in force (`url`, else $TRUSTDIALOG_STORE) is
    PostgreSQL; None for SQLite, where the files on disk are the list. One per URL per process."""
    url = store_url(url)
    if not url or _kind_of(url) != "postgresql":
        return None
    if url not in _opened:
        from trustdialog.store.pg_files import PostgresFiles  # psycopg loads only here

        _opened[url] = PostgresFiles(url)
    return _opened[url]
