"""Session store: an append-only event log per session, in SQLite or in memory.

`open_store` picks the store for a run: memory with `--no-save`; SQLite in the
data folder otherwise; memory with a `.warning` when the folder cannot be
written. A damaged or foreign file raises StoreError and is never deleted.
"""

from __future__ import annotations

import time
from pathlib import Path

from trustdialog import locations
from trustdialog.store.memory import MemoryStore
from trustdialog.store.records import (
    KEPT, MARKS, NOT_KEPT, PARTLY, Mark, SessionInfo, Snapshot, StoreConflict, StoreError,
    StoreWriteError,
)

__all__ = [
    "DB_NAME", "KEPT", "MARKS", "NOT_KEPT", "PARTLY", "Mark", "MemoryStore", "SessionInfo",
    "Snapshot", "StoreConflict", "StoreError", "StoreWriteError", "db_path", "move_aside",
    "open_store",
]

DB_NAME = "sessions.db"
MEMORY_ONLY = "; this session is kept in memory only and will be lost when the app closes"


def db_path(data_dir: Path | None) -> Path:
    return locations.data_dir(data_dir) / DB_NAME


def open_store(data_dir: Path | None, no_save: bool = False, *, create: bool = True):
    """The store for this run.

    With `create=False` (the read-only commands) a missing file gives an empty
    MemoryStore instead of a new file.
    """
    if no_save:
        return MemoryStore()
    path = db_path(data_dir)
    if not create and not path.exists():
        return MemoryStore()
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


def move_aside(data_dir: Path | None) -> Path | None:
    """Rename the data file (and its -wal/-shm) out of the way; the new name, or None."""
    path = db_path(data_dir)
    if not path.exists():
        return None
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
