"""Who is on a session when the store is PostgreSQL: one row per connection, kept alive by a heartbeat.

The file presence of one host (trustdialog.presence) cannot be seen from
another host, so with a database server each connection on a session holds a
row in its `presence` table instead. A thread of the app touches the row every
BEAT seconds, by the server's clock; a row not touched for LOST_AFTER seconds
is a connection that has gone (a killed app, a host that died, a network cut),
so nobody is shown as there for more than a few seconds after they left. A
clean leave deletes the row at once. "Writing…" is the row's `typed` time,
touched by the same thread at most once a beat: never what is typed.

Nothing here is an event of the log, and nothing here notifies: a heartbeat
must not wake every watcher. Presence is a courtesy, so a server that cannot
be reached just now means "nobody shown", never an error on screen.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from trustdialog.presence import TOUCH_EVERY, WRITING_FOR, Here, Someone

if TYPE_CHECKING:
    from trustdialog.store.postgres import PostgresStore

log = logging.getLogger("trustdialog.store")

BEAT = 1.5  # seconds between touches of this process's rows
LOST_AFTER = 5.0  # seconds without a touch after which a connection counts as gone
FORGET_AFTER = 600.0  # seconds: rows this stale are deleted by whoever beats next
_LIVE = "seen > now() - make_interval(secs => %s)"


class PgHere:
    """This connection's row on one session, touched by the heartbeat until `leave`."""

    def __init__(self, roll: PgRoll, row: str) -> None:
        self.row = row
        self._roll = roll
        self.typed = False  # a keystroke since the last beat (the heartbeat says so)
        self._said = 0.0  # when a keystroke last woke the heartbeat

    def writing(self) -> None:
        now = time.monotonic()
        if now - self._said >= TOUCH_EVERY:  # typing touches the row at most once a second
            self._said = now
            self.typed = True
            self._roll.wake()

    def leave(self) -> None:
        self._roll.leave(self)


class PgRoll:
    """The presence rows of one PostgreSQL store, and this process's heartbeat for its own."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self.host = socket.gethostname()
        self._held: dict[str, PgHere] = {}
        self._held_lock = threading.Lock()
        self._wake = threading.Event()
        self._beating: threading.Thread | None = None

    def join(self, session_id: str, who: str, role: str, partner: str | None) -> Here | None:
        row = secrets.token_hex(8)
        done = self._store.courtesy(
            "INSERT INTO presence (id, session_id, who, role, partner, host, pid) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (row, session_id, who, role, partner, self.host, os.getpid()))
        if done is None:
            return None
        here = PgHere(self, row)
        with self._held_lock:
            self._held[row] = here
            if self._beating is None or not self._beating.is_alive():
                self._beating = threading.Thread(target=self._beat, name="trustdialog-presence",
                                                 daemon=True)
                self._beating.start()
        return here

    def leave(self, here: PgHere) -> None:
        with self._held_lock:
            if self._held.pop(here.row, None) is None:
                return
        # If this cannot be said now, the row stops being touched and is gone in LOST_AFTER.
        self._store.courtesy("DELETE FROM presence WHERE id = %s", (here.row,))

    def wake(self) -> None:
        self._wake.set()

    def _beat(self) -> None:
        """Touch this process's rows every BEAT seconds (at once after a keystroke) while it holds any."""
        beats = 0
        while not self._store.closed:
            self._wake.wait(BEAT)
            self._wake.clear()
            with self._held_lock:
                held = list(self._held.values())
            if not held:
                return
            typed = [h.row for h in held if h.typed]
            for here in held:
                here.typed = False
            # The heartbeat may wait for the server to come back; a screen's look never does.
            self._store.courtesy(
                "UPDATE presence SET seen = now(), "
                "typed = CASE WHEN id = ANY(%s) THEN now() ELSE typed END WHERE id = ANY(%s)",
                (typed, [h.row for h in held]), reconnect=True)
            beats += 1
            if beats % 100 == 1:  # now and then, not on every beat of every app
                self._store.courtesy("DELETE FROM presence WHERE seen < now() - make_interval(secs => %s)",
                                     (FORGET_AFTER,))

    def present(self, session_id: str, mine: Here | None = None) -> list[Someone]:
        rows = self._store.courtesy(
            "SELECT id, who, role, partner, typed IS NOT NULL AND typed > since "
            "AND typed > now() - make_interval(secs => %s) "
            f"FROM presence WHERE session_id = %s AND {_LIVE} ORDER BY since, id",
            (WRITING_FOR, session_id, LOST_AFTER))
        own = mine.row if isinstance(mine, PgHere) else None
        return [Someone(str(who), str(role), partner if partner in ("a", "b") else None,
                        bool(writing), row == own)
                for row, who, role, partner, writing in rows or ()]

    def sessions_of(self, pid: int) -> list[str]:
        rows = self._store.courtesy(
            f"SELECT DISTINCT session_id FROM presence WHERE host = %s AND pid = %s AND {_LIVE}",
            (self.host, pid, LOST_AFTER))
        return sorted(str(session_id) for (session_id,) in rows or ())

    def last_activity(self, session_id: str) -> float:
        rows = self._store.courtesy(
            "SELECT extract(epoch FROM max(greatest(since, coalesce(typed, since)))) "
            f"FROM presence WHERE session_id = %s AND {_LIVE}", (session_id, LOST_AFTER))
        found: Any = rows[0][0] if rows else None
        return float(found) if found is not None else 0.0
