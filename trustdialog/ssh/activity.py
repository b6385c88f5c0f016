"""What else keeps a connection from its idle timeout: someone acting on the session its app is on.

Watching is activity. A facilitator following a live session, or a partner
reading while the other one writes, presses no key for a long while; their
connection stays open as long as anyone on that session acts. The server
learns it from what the apps already leave in their store, with no messages
of its own: the app's presence (its process on this host) says which session
it is on; the others' presence on that session says when someone last joined
or typed there; the session's last saved event says when someone last sent a
turn. It is read only when a connection's idle time is up, so a quiet server
does nothing for it. The store is the apps' own, SQLite or a database server;
with --no-save there is nothing to read, and only key presses count.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trustdialog.store.protocol import Store

log = logging.getLogger("trustdialog.ssh")


def apps_store(data_dir: Path, app_args: Sequence[str]) -> str | None:
    """The store URL the server's apps save to: their --store, else $TRUSTDIALOG_STORE, else the
    data folder's SQLite file; None when they keep nothing (--no-save)."""
    from trustdialog.store import ENV_STORE, db_path

    if "--no-save" in app_args:
        return None
    url = None
    for flag, value in zip(app_args, app_args[1:]):
        if flag == "--store":
            url = value  # the last one wins, as with argparse
    return url or os.environ.get(ENV_STORE) or f"sqlite://{db_path(data_dir).absolute()}"


class SessionActivity:
    """Looks up, for an app's process, when someone last acted on the session it is on."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._store: Store | None = None

    def last(self, pid: int | None) -> float:
        """Wall-clock time of the latest join, keystroke or saved event on the sessions the app
        `pid` is on; 0.0 when it is on none (the welcome, the picker) or nothing can be read."""
        store = self._open()
        roll = store.presence() if store is not None and pid is not None else None
        if roll is None or pid is None:
            return 0.0
        latest = 0.0
        for session_id in roll.sessions_of(pid):
            latest = max(latest, roll.last_activity(session_id), self._last_event(session_id))
        return latest

    def _last_event(self, session_id: str) -> float:
        from trustdialog.store import StoreError

        store = self._store
        if store is None:
            return 0.0
        try:
            return store.info(session_id).updated_at  # the time of its latest event
        except StoreError:  # forgotten, or a busy read: presence alone decides this time
            return 0.0

    def _open(self) -> Store | None:
        if self._store is None and self.url is not None:
            from trustdialog.store import StoreError, open_store

            try:
                store = open_store(None, create=False, url=self.url)
            except StoreError as error:
                log.info("idle timeout: cannot read the apps' store (%s); only key presses count", error)
                self.url = None
                return None
            if store.persistent:  # else no file yet: looked for again next time
                self._store = store
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
