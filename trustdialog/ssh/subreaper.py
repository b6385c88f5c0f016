"""The server as the parent of every app, wherever it was forked (Linux's child subreaper).

Apps forked by the template are reparented to the server when their go-between
exits, so the server waits for them as for any child. Being a subreaper also brings
the server any orphaned process from below it (something an app left running); those
are reaped here, and never one the server is waiting for itself.
"""

from __future__ import annotations

import os
from pathlib import Path

_PR_SET_CHILD_SUBREAPER = 36
_claimed: set[int] = set()  # children someone waits for (apps, the template)
_spawning = 0  # template requests under way: their app may already be a child, not yet claimed
_enabled = False


def become() -> bool:
    """Make this process a child subreaper; False where the system cannot (then no template)."""
    global _enabled
    if _enabled:
        return True
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        _enabled = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        _enabled = False
    return _enabled


def claim(pid: int) -> None:
    _claimed.add(pid)


def release(pid: int) -> None:
    _claimed.discard(pid)


def spawning(delta: int) -> None:
    """+1 when a template request starts, -1 when its pid has been claimed (or it failed)."""
    global _spawning
    _spawning += delta
    if not _spawning:
        reap_strays()  # one may have ended while a pid was not yet claimed


def children() -> list[int]:
    found: list[int] = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            found += [int(pid) for pid in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def reap_strays() -> int:
    """Reap the orphans that ended (not an app or template the server waits for); how many."""
    if not _enabled or _spawning:
        return 0
    reaped = 0
    for pid in children():
        if pid in _claimed:
            continue
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        reaped += bool(done)
    return reaped
