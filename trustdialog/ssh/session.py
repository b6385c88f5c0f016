"""One SSH session: the app in its own pty, bytes both ways, idle timeout, a log line at the end."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

import asyncssh

from trustdialog.identity import Identity
from trustdialog.ssh.child import PtyChild

if TYPE_CHECKING:
    from trustdialog.ssh.activity import SessionActivity
    from trustdialog.ssh.template import AppTemplate

log = logging.getLogger("trustdialog.ssh")

# Left as they are in the server's environment; everything else the child gets is set here.
_PASS_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR",
                 "PYTHONPATH", "VIRTUAL_ENV")
# Terminals known to draw 24-bit colour though OpenSSH does not forward COLORTERM.
_TRUECOLOR_TERMS = ("xterm-kitty", "xterm-ghostty", "alacritty", "wezterm", "foot", "contour")
# What a killed app leaves behind on the client's screen, undone: alternate screen,
# line wrap off, hidden cursor, mouse reporting, bracketed paste, focus events, kitty keyboard mode.
_RESTORE_TERMINAL = (b"\x1b[?1049l\x1b[?7h\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l"
                     b"\x1b[?1015l\x1b[?2004l\x1b[?1004l\x1b[<u\x1b[0m\r\n")
_INPUT_BACKLOG = 64 * 1024  # bytes of input held for the app before the client is held back
# While the idle notice shows, how often to look whether someone acted on the session since
# (so the notice goes soon after they do); before it, the one look is at the notice's time.
ACTIVITY_LOOK = 2.0
NO_PTY_MESSAGE = ("trustdialog: this server only runs the trustdialog app in a terminal; "
                  "connect with plain `ssh -p PORT HOST` (no command, no -T)\r\n")


@dataclass(frozen=True)
class SessionSettings:
    """What a session needs to know of the server's configuration, fixed at start."""

    child_argv: Sequence[str]  # the app to run for each session
    idle_timeout: float = 3600.0  # seconds without a key press; 0 = never
    idle_warning: float = 120.0  # seconds of warning before the idle timeout
    max_sessions: int = 20  # only for the "server is full" message; the registry decides
    hangup_grace: float = 3.0  # seconds between SIGHUP and SIGTERM for an app being ended
    template: AppTemplate | None = None  # forks the apps; None: a fresh interpreter each
    # Someone acting on the session the app is on counts as a key press here (None: only keys).
    activity: SessionActivity | None = None


class SessionRegistry(Protocol):
    """Where a session takes a place while its app runs (the server's --max-sessions)."""

    def register(self, session: AppSession) -> bool:
        """Take a place; False (and nothing taken) when the server is full."""

    def unregister(self, session: AppSession) -> None:
        """Give the place back; a session not registered is ignored."""

    def count(self) -> int:
        """Places taken on the whole server."""


def duration_text(seconds: float) -> str:
    """'1 minute', '5 minutes', '1.5 minutes', '1 second', '40 seconds'."""
    if seconds >= 60:
        value, unit = seconds / 60, "minute"
    else:
        value, unit = seconds, "second"
    shown = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{shown} {unit}" if shown == "1" else f"{shown} {unit}s"


def base_environment() -> dict[str, str]:
    """What every app's environment starts from (and the template's: what it imports sees this)."""
    env = {name: os.environ[name] for name in _PASS_THROUGH if name in os.environ}
    env["PYTHONUTF8"] = "1"  # the pty carries UTF-8 whatever locale the server runs in
    return env


def child_environment(term: str, client_env: dict[str, str], identity: Identity) -> dict[str, str]:
    """The app's environment: the server's basics, the client's TERM, who connected."""
    env = base_environment()
    term = term or "xterm-256color"
    env.update(identity.to_env())
    env["TERM"] = term
    colorterm = client_env.get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        env["COLORTERM"] = colorterm
    elif term.endswith("-direct") or term in _TRUECOLOR_TERMS:
        env["COLORTERM"] = "truecolor"
    # Otherwise TERM decides (xterm-256color: 256 colours): a guess of 24-bit colour
    # on a terminal that cannot draw it is worse than 256 good ones.
    return env


def idle_warning_bytes(text: str, cols: int, rows: int) -> bytes:
    """A one-line notice over the bottom row, cursor saved and restored, with a bell."""
    width = max(1, cols - 1)  # never the last cell: some terminals would wrap or scroll
    line = f" {text} "[:width].ljust(width)
    return (b"\x1b7" + f"\x1b[{max(rows, 1)};1H\x1b[0;1;7m".encode() + line.encode()
            + b"\x1b[0m\x1b8\x07")


class AppSession(asyncssh.SSHServerSession[bytes]):
    """An SSH session channel that runs the app; refuses exec and subsystems.

    It knows the server only through what it is given: the settings, the registry
    it takes a place in, who is connected and from where.
    """

    def __init__(self, settings: SessionSettings, registry: SessionRegistry, identity: Identity,
                 peer: str) -> None:
        self.settings = settings
        self.registry = registry
        self.identity = identity
        self.peer = peer
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.child: PtyChild | None = None
        self.term_type = ""
        self.size = (80, 24, 0, 0)
        self.has_pty = False
        self.started_wall = datetime.now(timezone.utc)
        self.started = time.monotonic()
        self.last_input = self.started
        self.last_activity = self.started  # someone acting on this app's session (see activity.py)
        self.last_output = self.started
        self.end_reason = ""
        self._warned = False
        self._idle_handle: asyncio.TimerHandle | None = None
        self._closing = False
        self._logged = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._done: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    # -- what the client asks for -------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Mapping[int, int]) -> bool:
        self.has_pty = True
        self.term_type = term_type
        cols, rows, px_w, px_h = term_size
        self.size = (cols or 80, rows or 24, px_w, px_h)
        return True

    def shell_requested(self) -> bool:
        return True  # "shell" is how a client asks for an interactive session: it gets the app

    def exec_requested(self, command: str) -> bool:
        self.end_reason = "refused-exec"
        log.info("refused exec request from %s (%s)", self.peer, self.who)
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        # The name is the client's to choose: it never goes into the log.
        self.end_reason = "refused-subsystem"
        log.info("refused subsystem request from %s (%s)", self.peer, self.who)
        return False

    @property
    def who(self) -> str:
        return f"{self.identity.person}/{self.identity.role}"

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal_name: str) -> None:
        """Clients may not signal the app (it has its own quit and quick-exit keys)."""

    def eof_received(self) -> bool:
        return True  # a pty session has no end of input; the app decides when it is done

    def session_started(self) -> None:
        if not self.has_pty:
            self.end_reason = "refused-no-pty"
            self._refuse(NO_PTY_MESSAGE)
            return
        if not self.registry.register(self):
            self.end_reason = "refused-full"
            self._refuse(f"trustdialog: the server is full ({self.settings.max_sessions} "
                         "sessions); please try again in a few minutes\r\n")
            return
        client_env = dict(self.chan.get_environment()) if self.chan is not None else {}
        env = child_environment(self.term_type, client_env, self.identity)
        self.child = PtyChild(self.settings.child_argv, env, self.size,
                              self._child_output, self._child_exited, self._input_drained)
        self._spawn(self._start_child(self.child))

    async def _start_child(self, child: PtyChild) -> None:
        try:
            await child.launch(self.settings.template)
        except OSError as error:
            log.error("could not start the app for %s: %s", self.who, error)
            self.end_reason = "start-failed"
            self._refuse("trustdialog: the app could not be started on the server; "
                         "please tell the facilitator\r\n")
            return
        self._schedule_idle_check()

    def _refuse(self, message: str) -> None:
        if self.chan is not None:
            try:
                self.chan.write_stderr(message.encode())
                self.chan.exit(1)
            except OSError:
                pass
        self._finish(1)

    # -- bytes both ways ----------------------------------------------------------------

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self.last_input = time.monotonic()
        if self._warned:
            self._warned = False
            self._repaint()
        if self.child is not None:
            self.child.write(data)
            if self.child.input_backlog > _INPUT_BACKLOG and self.chan is not None:
                # A huge paste the app is not reading yet: stop taking more from the client
                # (SSH flow control then holds the sender) until the pty has room again.
                self.chan.pause_reading()

    def _input_drained(self) -> None:
        if self.chan is not None:
            self.chan.resume_reading()

    def _child_output(self, data: bytes) -> None:
        self.last_output = time.monotonic()
        if self.chan is None:
            return
        try:
            self.chan.write(data)
        except OSError:
            pass  # the channel is closing; connection_lost hangs the app up

    def pause_writing(self) -> None:
        if self.child:
            self.child.pause_output()

    def resume_writing(self) -> None:
        if self.child:
            self.child.resume_output()

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.size = (width or self.size[0], height or self.size[1], pixwidth, pixheight)
        if self.child:
            self.child.resize(*self.size)

    def _repaint(self) -> None:
        """Make the app redraw every line (to wipe the idle notice): Textual ignores a
        resize to the same size, so shrink by a row and grow back a moment later."""
        if not self.child or self.size[1] < 3:
            return
        cols, rows, px_w, px_h = self.size
        self.child.resize(cols, rows - 1, px_w, px_h)
        asyncio.get_running_loop().call_later(0.15, self._restore_size)

    def _restore_size(self) -> None:
        if self.child:
            self.child.resize(*self.size)

    # -- idle timeout -------------------------------------------------------------------

    def _idle_since(self) -> float:
        """The last key press here, or the last time someone acted on this app's session."""
        return max(self.last_input, self.last_activity)

    def _look_for_activity(self) -> None:
        activity = self.settings.activity
        if activity is None or self.child is None:
            return
        try:
            wall = activity.last(self.child.pid)
        except OSError as error:  # a courtesy: a failing look never ends a connection early
            log.info("idle timeout: could not look at %s's session: %s", self.who, error)
            return
        if wall:
            seen = time.monotonic() - max(time.time() - wall, 0.0)
            self.last_activity = max(self.last_activity, seen)

    def _schedule_idle_check(self) -> None:
        timeout = self.settings.idle_timeout
        if not timeout or self._closing:
            return
        since = self._idle_since()
        if not self._warned:
            due = since + max(timeout - self.settings.idle_warning, 0)
        else:
            due = since + timeout
            if self.settings.activity is not None:
                due = min(due, time.monotonic() + ACTIVITY_LOOK)
        delay = max(due - time.monotonic(), 0.05)
        self._idle_handle = asyncio.get_running_loop().call_later(delay, self._idle_check)

    def _idle_check(self) -> None:
        config = self.settings
        self._look_for_activity()
        idle = time.monotonic() - self._idle_since()
        if self._warned and idle < config.idle_timeout - config.idle_warning:
            # Someone on the session acted since the notice went up: it goes.
            self._warned = False
            self._repaint()
        if idle >= config.idle_timeout:
            self.close(f"trustdialog: closed after {duration_text(config.idle_timeout)} without "
                       "a key press.\r\nYour session is saved: connect again to go on.", reason="idle")
            return
        if not self._warned and idle >= config.idle_timeout - config.idle_warning:
            if time.monotonic() - self.last_output < 0.05:
                # The app is mid-frame (a clock, say): wait for a gap, never cut a sequence.
                self._idle_handle = asyncio.get_running_loop().call_later(0.1, self._idle_check)
                return
            self._warned = True
            left = max(round(config.idle_timeout - idle), 1)
            shown = duration_text(round(left / 60) * 60 if left >= 120 else left)
            text = f"No key pressed for a while: closing in {shown}. Press a key to stay."
            cols, rows = self.size[0], self.size[1]
            self._child_output(idle_warning_bytes(text, cols, rows))
        self._schedule_idle_check()

    # -- ending -------------------------------------------------------------------------

    def close(self, message: str = "", reason: str = "") -> None:
        """Hang up the app, tell the client why (if it is still there), close the channel.

        `reason` goes into the session's log line, unless an earlier one is already there."""
        if reason and not self.end_reason:
            self.end_reason = reason
        if self._closing:
            return
        self._closing = True
        if self._idle_handle:
            self._idle_handle.cancel()
        self._spawn(self._close(message))

    async def _close(self, message: str) -> None:
        if self.child and self.child.running:
            await self.child.hang_up(self.settings.hangup_grace)
        # _child_exited has run by now and sent the exit status; tell the client why.
        if message and self.chan is not None:
            try:
                self.chan.write(_RESTORE_TERMINAL + message.encode() + b"\r\n")
                self.chan.exit(0)
            except OSError:
                pass

    def _child_exited(self, code: int) -> None:
        if self._idle_handle:
            self._idle_handle.cancel()
        if not self.end_reason:
            self.end_reason = "app-exit"
        if not self._closing:
            self._send_exit(code)
        self._finish(code)

    def _send_exit(self, code: int) -> None:
        if self.chan is None:
            return
        try:
            if code < 0:
                # Killed: the app could not put the terminal back; do it for the client.
                self.chan.write(_RESTORE_TERMINAL)
                try:
                    name = signal.Signals(-code).name.removeprefix("SIG")
                except ValueError:
                    name = "KILL"
                self.chan.exit_with_signal(name)
            else:
                self.chan.exit(code)
        except OSError:
            pass

    def connection_lost(self, exc: Exception | None) -> None:
        """The client went away (or we closed): nothing may outlive the connection."""
        if self.child and self.child.running:
            if not self.end_reason:
                self.end_reason = "client-dropped" if exc else "client-closed"
            self._closing = True
            if self._idle_handle:
                self._idle_handle.cancel()
            self._spawn(self.child.hang_up(self.settings.hangup_grace))
        elif self.child is None and not self._done.done():
            self._finish(None)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        # The loop keeps only weak references to tasks: hold this one until it is done.
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _finish(self, code: int | None) -> None:
        self.registry.unregister(self)
        if not self._logged:
            self._logged = True
            who = self.identity
            # The couple and partner go last, so the fields before them read as they always did.
            couple = f" couple={who.couple}" if who.couple is not None else ""
            partner = f" partner={who.partner}" if who.partner is not None else ""
            log.info(
                "session user=%s role=%s from=%s started=%s duration=%.1fs exit=%s end=%s%s%s",
                who.person, who.role, self.peer,
                self.started_wall.strftime("%Y-%m-%dT%H:%M:%SZ"), time.monotonic() - self.started,
                "-" if code is None else code, self.end_reason or "closed", couple, partner,
            )
        if not self._done.done():
            self._done.set_result(code)

    async def wait_closed(self) -> int | None:
        return await asyncio.shield(self._done)
