"""A wake-up the moment the PostgreSQL server's NOTIFY for a session reaches its listening socket.

The event loop waits on the socket of the store's LISTEN connection (add_reader),
so nothing runs between writes; when it is readable the notifications are
counted without a round trip (PostgresStore.session_version) and the callback
runs only if the watched session was among them. A server restart replaces the
listening connection, and its socket with it: a slow tick (FALLBACK) follows the
new one, and also catches anything a lost wake-up would have missed.

An event loop has one reader per descriptor (a second add_reader replaces the
first), so the watches of one store (the list of sessions under an open
session's screen, say) share one Hub that waits on the socket and asks each.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from trustdialog.store.postgres import PostgresStore

FALLBACK = 1.0  # seconds between looks that need no wake-up (and follow a replaced socket)


class ListenWatch:
    """Calls `callback` soon after the session (any, for None) may have changed; until closed."""

    def __init__(self, hub: Hub, session_id: str | None, callback: Callable[[], object]) -> None:
        self._hub = hub
        self._session_id = session_id
        self._callback = callback
        self._seen = self._version()

    def _version(self) -> int:
        store = self._hub.store
        return store.version() if self._session_id is None else store.session_version(self._session_id)

    def look(self) -> None:
        version = self._version()
        if version != self._seen:
            self._seen = version
            self._callback()

    def close(self) -> None:
        self._hub.remove(self)


class Hub:
    """Waits on one store's listening socket in one event loop, for all of its watches."""

    def __init__(self, store: PostgresStore, loop: asyncio.AbstractEventLoop) -> None:
        self.store = store
        self.loop = loop
        self._watches: list[ListenWatch] = []
        self._socket: tuple[int, int] | None = None  # (generation, fd) being waited on
        self._tick_handle: asyncio.TimerHandle | None = None

    def watch(self, session_id: str | None, callback: Callable[[], object]) -> ListenWatch:
        watch = ListenWatch(self, session_id, callback)
        self._watches.append(watch)
        self._follow()
        if self._tick_handle is None:
            self._tick_handle = self.loop.call_later(FALLBACK, self._tick)
        return watch

    def remove(self, watch: ListenWatch) -> None:
        if watch in self._watches:
            self._watches.remove(watch)
        if not self._watches:
            if self._tick_handle is not None:
                self._tick_handle.cancel()
                self._tick_handle = None
            self._forget_socket()

    def _follow(self) -> None:
        """Wait on the listening connection in force: after a restart it is another socket,
        possibly under the same descriptor number, so the generation is compared too."""
        current = self.store.listen_socket()
        if current == self._socket:
            return
        self._forget_socket()
        if current is not None:
            self.loop.add_reader(current[1], self._look)
            self._socket = current

    def _forget_socket(self) -> None:
        if self._socket is not None:
            try:
                self.loop.remove_reader(self._socket[1])
            except (ValueError, OSError, RuntimeError):  # closed already: nothing to remove
                pass
            self._socket = None

    def _look(self) -> None:
        for watch in list(self._watches):  # a callback may close a watch
            watch.look()
        # The read may have found the connection gone (a socket at its end stays readable):
        # stop waiting on it at once, or the loop would be woken again and again.
        self._follow()

    def _tick(self) -> None:
        self._tick_handle = self.loop.call_later(FALLBACK, self._tick)
        self._look()


_hubs: weakref.WeakKeyDictionary[PostgresStore, Hub] = weakref.WeakKeyDictionary()


def listen_watch(store: PostgresStore, session_id: str | None,
                 callback: Callable[[], object]) -> ListenWatch | None:
    """A watch from the running event loop; None without one (then the caller polls)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    hub = _hubs.get(store)
    if hub is None or hub.loop is not loop:
        hub = _hubs[store] = Hub(store, loop)
    try:
        return hub.watch(session_id, callback)
    except NotImplementedError:  # a loop that cannot wait on sockets
        return None
