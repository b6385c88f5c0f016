"""One SSH session: the app in its own pty, bytes both ways, idle timeout, a log line at the end."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import asyncssh

from trustdialog.ssh.child import PtyChild

if TYPE_CHECKING:
    from trustdialog.ssh.server import AppServer, Connection

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
NO_PTY_MESSAGE = ("trustdialog: this server only runs the trustdialog app in a terminal; "
                  "connect with plain `ssh -p PORT HOST` (no command, no -T)\r\n")


def child_environment(term: str, client_env: dict[str, str], user: str, role: str) -> dict[str, str]:
    """The app's environment: the server's basics, the client's TERM, who connected."""
    env = {name: os.environ[name] for name in _PASS_THROUGH if name in os.environ}
    term = term or "xterm-256color"
    env.update(TERM=term, TRUSTDIALOG_USER=user, TRUSTDIALOG_ROLE=role,
               # The pty carries UTF-8 whatever locale the server runs in.
               PYTHONUTF8="1")
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


class AppSession(asyncssh.SSHServerSession):
    """An SSH session channel that runs the app; refuses exec and subsystems."""

    def __init__(self, server: AppServer, connection: Connection) -> None:
        self.server = server
        self.connection = connection
        self.chan: asyncssh.SSHServerChannel | None = None
        self.child: PtyChild | None = None
        self.term_type = ""
        self.size = (80, 24, 0, 0)
        self.has_pty = False
        self.started_wall = datetime.now(timezone.utc)
        self.started = time.monotonic()
        self.last_input = self.started
        self.last_output = self.started
        self.end_reason = ""
        self._warned = False
        self._idle_handle: asyncio.TimerHandle | None = None
        self._closing = False
        self._logged = False
        self._tasks: set[asyncio.Task] = set()
        self._done = asyncio.get_running_loop().create_future()

    # -- what the client asks for -------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def pty_requested(self, term_type, term_size, term_modes) -> bool:
        self.has_pty = True
        self.term_type = term_type
        cols, rows, px_w, px_h = term_size
        self.size = (cols or 80, rows or 24, px_w, px_h)
        return True

    def shell_requested(self) -> bool:
        return True  # "shell" is how a client asks for an interactive session: it gets the app

    def exec_requested(self, command: str) -> bool:
        self.end_reason = "refused-exec"
        log.info("refused exec request from %s (%s)", self.connection.peer_text, self.connection.who)
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self.end_reason = "refused-subsystem"
        log.info("refused subsystem %r from %s (%s)", subsystem[:40], self.connection.peer_text,
                 self.connection.who)
        return False

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
        if self.server.running_sessions() >= self.server.config.max_sessions:
            self.end_reason = "refused-full"
            self._refuse(f"trustdialog: the server is full ({self.server.config.max_sessions} "
                         "sessions); please try again in a few minutes\r\n")
            return
        person = self.connection.person
        env = child_environment(self.term_type, dict(self.chan.get_environment()),
                                person.name, person.role)
        try:
            self.child = PtyChild(self.server.child_argv(), env, self.size,
                                  self._child_output, self._child_exited, self._input_drained)
            self.child.start()
        except OSError as error:
            log.error("could not start the app for %s: %s", self.connection.who, error)
            self.end_reason = "start-failed"
            self._refuse("trustdialog: the app could not be started on the server; "
                         "please tell the facilitator\r\n")
            return
        self.server.sessions.add(self)
        self._schedule_idle_check()

    def _refuse(self, message: str) -> None:
        try:
            self.chan.write_stderr(message.encode())
            self.chan.exit(1)
        except OSError:
            pass
        self._finish(1)

    # -- bytes both ways ----------------------------------------------------------------

    def data_received(self, data: bytes, datatype) -> None:
        self.last_input = time.monotonic()
        if self._warned:
            self._warned = False
            self._repaint()
        if self.child is not None:
            self.child.write(data)
            if self.child.input_backlog > _INPUT_BACKLOG:
                # A huge paste the app is not reading yet: stop taking more from the client
                # (SSH flow control then holds the sender) until the pty has room again.
                self.chan.pause_reading()

    def _input_drained(self) -> None:
        if self.chan is not None:
            self.chan.resume_reading()

    def _child_output(self, data: bytes) -> None:
        self.last_output = time.monotonic()
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
        asyncio.get_running_loop().call_later(0.15, lambda: self.child and self.child.resize(*self.size))

    # -- idle timeout -------------------------------------------------------------------

    def _schedule_idle_check(self) -> None:
        timeout = self.server.config.idle_timeout
        if not timeout or self._closing:
            return
        warn_at = self.last_input + max(timeout - self.server.config.idle_warning, 0)
        due = warn_at if not self._warned else self.last_input + timeout
        delay = max(due - time.monotonic(), 0.05)
        self._idle_handle = asyncio.get_running_loop().call_later(delay, self._idle_check)

    def _idle_check(self) -> None:
        config = self.server.config
        idle = time.monotonic() - self.last_input
        if idle >= config.idle_timeout:
            minutes = config.idle_timeout / 60
            shown = f"{minutes:g} minutes" if minutes >= 1 else f"{config.idle_timeout:g} seconds"
            self.end_reason = "idle"
            self.close(f"trustdialog: closed after {shown} without a key press.\r\n"
                       "Your session is saved: connect again to go on.")
            return
        if not self._warned and idle >= config.idle_timeout - config.idle_warning:
            if time.monotonic() - self.last_output < 0.05:
                # The app is mid-frame (a clock, say): wait for a gap, never cut a sequence.
                self._idle_handle = asyncio.get_running_loop().call_later(0.1, self._idle_check)
                return
            self._warned = True
            left = max(round(config.idle_timeout - idle), 1)
            shown = f"{round(left / 60)} minutes" if left >= 120 else f"{left} seconds"
            text = f"No key pressed for a while: closing in {shown}. Press a key to stay."
            cols, rows = self.size[0], self.size[1]
            self._child_output(idle_warning_bytes(text, cols, rows))
        self._schedule_idle_check()

    # -- ending -------------------------------------------------------------------------

    def close(self, message: str = "") -> None:
        """Hang up the app, tell the client why (if it is still there), close the channel."""
        if self._closing:
            return
        self._closing = True
        if self._idle_handle:
            self._idle_handle.cancel()
        self._spawn(self._close(message))

    async def _close(self, message: str) -> None:
        if self.child and self.child.running:
            await self.child.hang_up(self.server.config.hangup_grace)
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
            self._spawn(self.child.hang_up(self.server.config.hangup_grace))
        elif self.child is None and not self._done.done():
            self._finish(None)

    def _spawn(self, coro) -> None:
        # The loop keeps only weak references to tasks: hold this one until it is done.
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _finish(self, code: int | None) -> None:
        self.server.sessions.discard(self)
        if not self._logged:
            self._logged = True
            who = self.connection.person
            log.info(
                "session user=%s role=%s from=%s started=%s duration=%.1fs exit=%s end=%s",
                who.name if who else "-", who.role if who else "-", self.connection.peer_text,
                self.started_wall.strftime("%Y-%m-%dT%H:%M:%SZ"), time.monotonic() - self.started,
                "-" if code is None else code, self.end_reason or "closed",
            )
        if not self._done.done():
            self._done.set_result(code)

    async def wait_closed(self):
        return await asyncio.shield(self._done)
