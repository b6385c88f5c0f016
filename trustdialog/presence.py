"""Who is on a session right now: one locked file per connection, gone with its process.

Presence is not an event in the log. Each app that opens a saved session
holds an exclusive lock on a small file beside the data file, saying who it
is; the kernel drops the lock when the process ends, however it ends, so a
crashed app leaves no ghost: the next look finds the lock free and removes
the file. "Writing…" is the file's modification time, touched at most once
a second while someone types (never what they type).

One host only, like the SQLite file it sits beside: a store on a database
server keeps presence its own way (trustdialog.store.pg_presence), behind the
same two Protocols, `Roll` and `Here`; each store's `presence()` gives its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

WRITING_FOR = 3.0  # seconds after the last keystroke that someone still counts as writing
TOUCH_EVERY = 1.0  # seconds: typing touches the file at most this often
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Someone:
    """One connection on a session: who, which partner they play (if any), their role."""

    who: str
    role: str
    partner: str | None
    writing: bool
    mine: bool  # this process's own connection


class Here(Protocol):
    """This connection's presence on one session, held until `leave` (or the process ends)."""

    def writing(self) -> None:
        """Someone is typing here: say so (cheaply, and never what)."""

    def leave(self) -> None: ...


class Roll(Protocol):
    """Who is on which session: joined by each connection, read by every other."""

    def join(self, session_id: str, who: str, role: str, partner: str | None) -> Here | None:
        """Be seen on `session_id` until leaving; None if it cannot be recorded."""

    def present(self, session_id: str, mine: Here | None = None) -> list[Someone]:
        """Everyone on `session_id` now (a connection gone a few seconds ago is not)."""

    def sessions_of(self, pid: int) -> list[str]:
        """The sessions the app process `pid` on this host is on now."""

    def last_activity(self, session_id: str) -> float:
        """When anyone still on `session_id` last joined it or typed there (wall clock; 0 if nobody)."""


class HereFile:
    """This connection's presence on one session as a locked file, held until `leave`."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self._touched = 0.0

    def writing(self) -> None:
        """Someone is typing here: say so (cheaply, and never what)."""
        now = time.monotonic()
        if self._fd < 0 or now - self._touched < TOUCH_EVERY:
            return
        self._touched = now
        try:
            os.utime(self._fd)
        except OSError:  # presence is a courtesy: a failing disk must not stop the typing
            pass

    def leave(self) -> None:
        if self._fd < 0:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:  # the next look removes it once the lock is gone
            pass
        os.close(self._fd)
        self._fd = -1


class Presence:
    """The presence files of every session in one data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def join(self, session_id: str, who: str, role: str, partner: str | None) -> HereFile | None:
        """Be seen on `session_id` until leaving; None if it cannot be recorded (say, a read-only disk)."""
        if not _SAFE_ID.match(session_id):
            return None
        where = self.folder / session_id
        path = where / f"{os.getpid()}-{secrets.token_hex(4)}.json"
        try:
            where.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, json.dumps({"who": who, "role": role, "partner": partner,
                                     "since": time.time()}).encode())
        except OSError:
            os.close(fd)
            path.unlink(missing_ok=True)
            return None
        return HereFile(path, fd)

    def present(self, session_id: str, mine: Here | None = None) -> list[Someone]:
        """Everyone on `session_id` now; files whose process has gone are removed."""
        out = []
        now = time.time()
        for path, info, modified in self._live(session_id):
            since = info.get("since")
            # Touched after joining, and lately: someone is typing there.
            typed = isinstance(since, (int, float)) and modified - since > 0.2
            partner = info.get("partner")
            out.append(Someone(str(info.get("who", "?")), str(info.get("role", "")),
                               partner if partner in ("a", "b") else None,
                               typed and now - modified < WRITING_FOR,
                               isinstance(mine, HereFile) and path == mine.path))
        return out

    def sessions_of(self, pid: int) -> list[str]:
        """The sessions process `pid` is on now (its files are named after it, see `join`)."""
        prefix = f"{pid}-"
        try:
            folders = os.listdir(self.folder)
        except OSError:
            return []
        found = []
        for session_id in folders:
            if not _SAFE_ID.match(session_id):
                continue
            try:
                names = os.listdir(self.folder / session_id)
            except OSError:
                continue
            if any(name.startswith(prefix) and _read(self.folder / session_id / name) is not None
                   for name in names):
                found.append(session_id)
        return found

    def last_activity(self, session_id: str) -> float:
        """When anyone still on `session_id` last joined it or typed there (wall clock; 0 if nobody)."""
        return max((modified for _path, _info, modified in self._live(session_id)), default=0.0)

    def _live(self, session_id: str) -> list[tuple[Path, dict[str, object], float]]:
        """Each file on `session_id` whose connection is alive: path, contents, modification time."""
        if not _SAFE_ID.match(session_id):
            return []
        try:
            names = sorted(os.listdir(self.folder / session_id))
        except OSError:
            return []
        out = []
        for name in names:
            path = self.folder / session_id / name
            found = _read(path)
            if found is not None:
                out.append((path, *found))
        return out


def _read(path: Path) -> tuple[dict[str, object], float] | None:
    """The file's contents and modification time, if its connection still holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        try:
            # flock belongs to each open file: even this process's own lock refuses it.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: its connection is alive
        else:
            path.unlink(missing_ok=True)  # nobody holds it: that connection has gone
            return None
        raw = os.read(fd, 4096)
        modified = os.fstat(fd).st_mtime
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        info = json.loads(raw)
    except ValueError:
        return None
    return (info, modified) if isinstance(info, dict) else None
