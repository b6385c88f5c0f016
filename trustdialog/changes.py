"""A wake-up the moment a file in a folder is written (Linux inotify), for watchers of a data file.

A screen following a session played on other connections used to ask the
store ten times a second whether anything changed. With this it is told: the
kernel marks the inotify descriptor readable when another process writes the
SQLite file (or its write-ahead log) beside which the session is kept, and the
event loop calls back at once. Nothing runs while nothing is written.

The callback says only "something in that folder was written": the caller
then asks the store (SQLiteStore.watch: the watched session's event count, read
only when the file's data_version moved), so a draft saved elsewhere, or a turn
of another session, costs one cheap look and no redraw. Where inotify
is missing (not Linux, a network file system that does not report writes) the
watch is None and callers keep polling.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import Callable

_IN_MODIFY = 0x00000002
_IN_CLOEXEC = 0o2000000
_IN_NONBLOCK = 0o4000
_libc: ctypes.CDLL | None = None


def _inotify() -> ctypes.CDLL | None:
    global _libc
    if _libc is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.inotify_init1.argtypes = [ctypes.c_int]
            libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        except (OSError, AttributeError):  # no inotify here: callers poll
            return None
        _libc = libc
    return _libc


# A write is reported as it happens, a moment before SQLite marks the commit done (in memory
# shared by the processes, which inotify does not see): call back once the writes have settled,
# and a few times more for a writer held up between the two on a busy host.
SETTLE = (0.01, 0.05, 0.15, 0.4)


class FolderWatch:
    """Calls `callback` (in the running event loop) soon after any file in the folder is written."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop, callback: Callable[[], object]) -> None:
        self._fd = fd
        self._loop = loop
        self._callback = callback
        # One look due at each delay of SETTLE, or None: the writes that come before a look is
        # due share it (a commit is several writes), and a look is never put off, so a steady
        # stream of writes still gets its looks.
        self._due: list[asyncio.TimerHandle | None] = [None] * len(SETTLE)
        loop.add_reader(fd, self._woken)

    def _woken(self) -> None:
        try:
            while os.read(self._fd, 4096):  # drain: however many writes, one round of looks
                pass
        except BlockingIOError:
            pass
        except OSError:
            self.close()
            return
        for i, delay in enumerate(SETTLE):
            if self._due[i] is None:
                self._due[i] = self._loop.call_later(delay, self._call, i)

    def _call(self, i: int) -> None:
        self._due[i] = None
        if self._fd >= 0:
            self._callback()

    def close(self) -> None:
        if self._fd < 0:
            return
        for due in self._due:
            if due is not None:
                due.cancel()
        try:
            self._loop.remove_reader(self._fd)
        except (ValueError, RuntimeError):  # the loop has closed: the descriptor goes anyway
            pass
        os.close(self._fd)
        self._fd = -1


def watch(folder: Path, callback: Callable[[], object]) -> FolderWatch | None:
    """Watch `folder` for written files from the running event loop; None when it cannot be."""
    libc = _inotify()
    if libc is None:
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
    if fd < 0:
        return None
    if libc.inotify_add_watch(fd, os.fsencode(folder), _IN_MODIFY) < 0:
        os.close(fd)
        return None
    try:
        return FolderWatch(fd, loop, callback)
    except (OSError, NotImplementedError):
        os.close(fd)
        return None
