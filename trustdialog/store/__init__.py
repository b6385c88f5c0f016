"""Session store: an append-only event log per session, in SQLite, PostgreSQL or in memory.

`open_store` picks the store for a run: memory with `--no-save`; the store the
URL names (`--store`, or $TRUSTDIALOG_STORE); SQLite in the data folder
otherwise; memory with a `.warning` when it cannot be written. A damaged or
foreign file raises StoreError and is never deleted.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

from trustdialog import locations
from trustdialog.store.memory import MemoryStore
from trustdialog.store.protocol import Store
from trustdialog.store.records import (
    KEPT, MARKS, NOT_KEPT, PARTLY, Mark, Note, SessionDamaged, SessionGone, SessionInfo, Snapshot,
    StoreConflict, StoreError, StoreUnreachable, StoreWriteError,
)

if TYPE_CHECKING:
    from trustdialog.store.postgres import PostgresStore  # psycopg loads only for a server
    from trustdialog.store.sqlite import SQLiteStore  # sqlite3 loads only when saving

__all__ = [
    "DB_NAME", "ENV_STORE", "KEPT", "MARKS", "NOT_KEPT", "PARTLY", "Mark", "MemoryStore", "Note", "SessionDamaged",
    "SessionGone", "SessionInfo",
    "Snapshot", "Store", "StoreConflict", "StoreError", "StoreUnreachable", "StoreWriteError", "db_path", "move_aside",
    "open_store", "store_url",
]

DB_NAME = "sessions.db"
ENV_STORE = "TRUSTDIALOG_STORE"
MEMORY_ONLY = "; this session is kept in memory only and will be lost when the app closes"
URL_FORMS = "sqlite:///PATH (a folder or a file) or postgresql://USER@HOST:PORT/DATABASE"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def db_path(data_dir: Path | None) -> Path:
    return locations.data_dir(data_dir) / DB_NAME


def store_url(url: str | None = None) -> str | None:
    """The store URL in force: `url` (from --store), else $TRUSTDIALOG_STORE, else None."""
    return url or os.environ.get(ENV_STORE) or None


def sqlite_path(url: str) -> Path:
    """The file an `sqlite:` URL names: a folder gets the usual file name inside it."""
    rest = url[len("sqlite:"):]
    if rest.startswith("//"):
        rest = rest[2:]
        if not rest.startswith("/"):
            # sqlite://host/... : a host has no meaning for a file.
            raise StoreError(f"--store {url}: an sqlite URL names a path, as sqlite:///PATH")
    if not rest:
        raise StoreError(f"--store {url}: the URL names no path; use sqlite:///PATH")
    path = Path(rest).expanduser()
    if path.suffix.lower() in SQLITE_SUFFIXES and not path.is_dir():
        return path
    return path / DB_NAME


def _kind_of(url: str) -> str:
    """"sqlite" or "postgresql"; StoreError with the forms it takes for anything else."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres") and url[len(scheme):].startswith("://"):
        return "postgresql"
    from trustdialog.store.postgres_url import shown

    raise StoreError(f"--store {shown(url)} is not a store URL; use {URL_FORMS}")


def open_store(data_dir: Path | None, no_save: bool = False, *, create: bool = True,
               url: str | None = None) -> Store:
    """The store for this run: the one `url` (or $TRUSTDIALOG_STORE) names, else SQLite.

    With `create=False` (the commands) a missing file gives an empty
    MemoryStore instead of a new file; an existing one that cannot be written
    is opened for reading with `.read_only` saying why; one that cannot be
    read, or a data folder that is not a folder, raises StoreError. A database
    server that cannot be reached, or refuses us, raises StoreError too: a
    practice that chose a server should hear so, not carry on in memory.
    """
    if no_save:
        return MemoryStore()
    url = store_url(url)
    if url and _kind_of(url) == "postgresql":
        return _open_postgres(url, create)
    path = sqlite_path(url) if url else db_path(data_dir)
    if not create:
        return _open_existing(path) if _file_exists(path) else MemoryStore()
    try:
        _check_folder(path.parent)
    except StoreError as error:
        return MemoryStore(warning=f"cannot save: {error}" + MEMORY_ONLY)
    try:
        locations.ensure_private_dir(path.parent)
    except OSError as error:
        reason = "it is read-only" if error.errno in (13, 30) else (error.strerror or str(error))
        return MemoryStore(warning=f"cannot save in {path.parent} ({reason})" + MEMORY_ONLY)
    from trustdialog.store.sqlite import SQLiteStore  # sqlite3 loads only when saving

    try:
        return SQLiteStore(path, probe=create)
    except StoreWriteError as error:
        return MemoryStore(warning=f"cannot save: {error}" + MEMORY_ONLY)


def _open_postgres(url: str, create: bool) -> Store:
    from trustdialog.store.postgres import PostgresStore  # psycopg loads only here

    store: PostgresStore = PostgresStore(url)
    if create and store.read_only:
        # As with a read-only data folder: the app carries on in memory, saying why.
        why = store.read_only
        store.close()
        return MemoryStore(warning=f"cannot save: {why}" + MEMORY_ONLY)
    return store


def _open_existing(path: Path) -> SQLiteStore:
    from trustdialog.store.sqlite import SQLiteStore

    try:
        locations.ensure_private_dir(path.parent)
        return SQLiteStore(path, probe=False)
    except StoreWriteError as error:
        why = str(error)
    except OSError as error:
        why = f"{path}: " + ("the data folder is read-only" if error.errno in (1, 13, 30)
                             else (error.strerror or str(error)))
    store = SQLiteStore(path, read_only=True)  # StoreError when it cannot even be read
    store.read_only = why
    return store


def _kind(st: os.stat_result) -> str:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a folder" if stat.S_ISDIR(mode) else "not a file"


def _file_exists(path: Path) -> bool:
    """Whether the data file is there; StoreError when it or its folder cannot be used."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        _check_folder(path.parent)
        return False
    except PermissionError:
        raise StoreError(f"cannot read the data folder {path.parent} (permission denied)") from None
    except OSError as error:
        raise StoreError(f"cannot read {path} ({error.strerror or error})") from None
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(f"{path} is {_kind(st)}, not a data file; move it out of the way")
    return True


def _check_folder(folder: Path) -> None:
    """StoreError when `folder`, or the nearest part of its path that exists, is not a folder."""
    here = folder
    while True:
        try:
            st = os.stat(here)
            break
        except (FileNotFoundError, NotADirectoryError):
            if here.parent == here:
                return
            here = here.parent
        except PermissionError:
            raise StoreError(f"cannot read the data folder {folder} (permission denied)") from None
    if stat.S_ISDIR(st.st_mode):
        if here == folder and not os.access(folder, os.R_OK | os.X_OK):
            raise StoreError(f"cannot read the data folder {folder} (permission denied)")
        return
    if here == folder:
        raise StoreError(f"the data folder {folder} is {_kind(st)}, not a folder")
    raise StoreError(f"{folder} cannot be a data folder: {here} is {_kind(st)}, not a folder")


def move_aside(data_dir: Path | None, url: str | None = None) -> Path | None:
    """Rename the data file (and its -wal/-shm) out of the way; the new name, or None.

    StoreError when the folder cannot be read, or the store is not a file;
    OSError when it cannot be written.
    """
    url = store_url(url)
    if url and _kind_of(url) == "postgresql":
        from trustdialog.store.postgres_url import shown

        raise StoreError(f"{shown(url)} is a database server, not a file: nothing to move aside")
    path = sqlite_path(url) if url else db_path(data_dir)
    try:
        if not _file_exists(path):
            return None
    except StoreError:
        if not os.path.lexists(path):
            raise  # an unreadable folder, not something to move
    # A FIFO or device named sessions.db is moved aside too: it is in the way.
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.aside-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.aside-{stamp}-{n}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target
