"""What else keeps a connection from its idle timeout: someone acting on the session its app is on.

Watching is activity. A facilitator following a live session, or a partner
reading while the other one writes, presses no key for a long while; their
connection stays open as long as anyone on that session acts. The server
learns it from what the apps already leave on the host, with no messages of
its own: the app's presence file (named after its process, in the folder
beside the data file) says which session it is on; the other presence files
of that session say when someone last joined or typed there; the session's
last saved event says when someone last sent a turn. It is read only when a
connection's idle time is up, so a quiet server does nothing for it.

One host and the SQLite store only, like presence itself: with --no-save or a
database server there is no presence to read, and only key presses count.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from trustdialog.presence import Presence

if TYPE_CHECKING:
    from trustdialog.store.protocol import Store

log = logging.getLogger("trustdialog.ssh")


def apps_data_file(data_dir: Path, app_args: Sequence[str]) -> Path | None:
    """The SQLite file the server's apps save to (their --store, else the data folder's), or
    None when they keep nothing on this host (--no-save, or a database server)."""
    from trustdialog.store import StoreError, db_path, sqlite_path

    if "--no-save" in app_args:
        return None
    url = None
    for flag, value in zip(app_args, app_args[1:]):
        if flag == "--store":
            url = value  # the last one wins, as with argparse
    if url is None:
        return db_path(data_dir).absolute()
    if not url.lower().startswith("sqlite:"):
        return None
    try:
        return sqlite_path(url).absolute()
    except StoreError:
        return None


class SessionActivity:
    """Looks up, for an app's process, when someone last acted on the session it is on."""

    def __init__(self, data_file: Path | None) -> None:
        self.data_file = data_file
        self.presence = Presence(data_file.parent / "presence") if data_file is not None else None
        self._store: Store | None = None

    def last(self, pid: int | None) -> float:
        """Wall-clock time of the latest join, keystroke or saved event on the sessions the app
        `pid` is on; 0.0 when it is on none (the welcome, the picker) or nothing can be read."""
        if self.presence is None or pid is None:
            return 0.0
        latest = 0.0
        for session_id in self.presence.sessions_of(pid):
            latest = max(latest, self.presence.last_activity(session_id), self._last_event(session_id))
        return latest

    def _last_event(self, session_id: str) -> float:
        from trustdialog.store import StoreError

        store = self._open()
        if store is None:
            return 0.0
        try:
            return store.info(session_id).updated_at  # the time of its latest event
        except StoreError:  # forgotten, or a busy read: presence alone decides this time
            return 0.0

    def _open(self) -> Store | None:
        if self._store is None and self.data_file is not None and self.data_file.exists():
            from trustdialog.store import StoreError, open_store

            try:
                store = open_store(None, create=False, url=f"sqlite://{self.data_file}")
            except StoreError as error:
                log.info("idle timeout: cannot read %s (%s); only key presses count", self.data_file, error)
                self.data_file = None
                return None
            if store.persistent:
                self._store = store
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
