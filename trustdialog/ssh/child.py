"""One app process in its own pseudo-terminal: start it, feed it, resize it, hang it up.

The pty slave is the child's controlling terminal (new session + TIOCSCTTY), so
closing the master hangs the child up the way a dropped terminal line would; we
also signal its process group ourselves (SIGHUP, then SIGTERM, then SIGKILL) so
that nothing outlives the connection.

The child is either forked by the app template (template.py; it is then reparented
to the server, which reaps it) or, without one, a fresh interpreter started here.
Either way it is this process's child, and its exit status is its own.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from trustdialog.ssh import subreaper

if TYPE_CHECKING:
    from trustdialog.ssh.template import AppTemplate

# subprocess can start a new session but cannot make the pty its controlling
# terminal, and preexec_fn is unsafe once threads exist; a two-line stub does the
# ioctl and then execs the real command (it costs one short interpreter start).
_CTTY_STUB = (
    "import fcntl,os,sys,termios\n"
    "fcntl.ioctl(0,termios.TIOCSCTTY,0)\n"
    "os.execvp(sys.argv[1],sys.argv[1:])\n"
)
_READ_SIZE = 65536


def _winsize(cols: int, rows: int, px_width: int = 0, px_height: int = 0) -> bytes:
    def clamp(n: int) -> int:
        return max(0, min(int(n), 0xFFFF))  # the struct field is 16 bits

    return struct.pack("HHHH", clamp(rows), clamp(cols), clamp(px_width), clamp(px_height))


class PtyChild:
    """A command running in a fresh pty. Output goes to `on_output(bytes)`; when the
    process has ended and its output is drained, `on_exit(returncode)` is called once."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int, int, int],
                 on_output: Callable[[bytes], None], on_exit: Callable[[int], None],
                 on_input_drained: Callable[[], None] | None = None) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.size = size  # (cols, rows, px_width, px_height)
        self._on_output = on_output
        self._on_exit = on_exit
        self._on_input_drained = on_input_drained
        self._loop = asyncio.get_running_loop()
        self._master: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None  # a fresh interpreter
        self._pid: int | None = None
        self._starting: asyncio.Future[None] | None = None
        self._pidfd: int | None = None
        self._poll_handle: asyncio.TimerHandle | None = None
        self._pending = bytearray()  # input the pty could not take yet
        self._reading = False
        self._paused = False
        self._exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.returncode: int | None = None

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def running(self) -> bool:
        """Being started, or started and not yet ended."""
        return self._starting is not None or (self._pid is not None and self.returncode is None)

    def start(self) -> None:
        """Start a fresh interpreter now (no template)."""
        master, slave = self._open_pty()
        try:
            self._start_fresh(slave)
        except BaseException:
            self._close_master()
            raise
        finally:
            os.close(slave)  # only the child holds it now: its exit gives us EOF
        self._started()

    async def launch(self, template: AppTemplate | None) -> None:
        """Fork the app from `template` if it can, else start a fresh interpreter.

        Until the pid is known, keys already go into the pty (the app reads them when it
        starts) and a hang-up waits for the start to end first."""
        if template is None or not template.can_run(self.argv):
            self.start()
            return
        self._starting = self._loop.create_future()
        master, slave = self._open_pty()
        try:
            pid = await template.spawn(self.argv, self.env, slave)
            if pid is None:
                self._start_fresh(slave)
            else:
                self._pid = pid
        except BaseException:
            self._close_master()
            raise
        finally:
            os.close(slave)
            starting, self._starting = self._starting, None
            starting.set_result(None)
        self._started()

    def _open_pty(self) -> tuple[int, int]:
        master, slave = os.openpty()
        try:
            fcntl.ioctl(master, termios.TIOCSWINSZ, _winsize(*self.size))
        except OSError:
            os.close(master)
            os.close(slave)
            raise
        self._master = master
        os.set_blocking(master, False)
        return master, slave

    def _start_fresh(self, slave: int) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _CTTY_STUB, *self.argv],
            stdin=slave, stdout=slave, stderr=slave, env=self.env,
            start_new_session=True, close_fds=True,
        )
        subreaper.claim(proc.pid)
        self._proc, self._pid = proc, proc.pid

    def _started(self) -> None:
        assert self._pid is not None
        self._start_reading()
        self._watch_exit(self._pid)

    # -- input, output, size -----------------------------------------------------------

    def write(self, data: bytes) -> None:
        if self._master is None or not data:
            return
        if self._pending:
            self._pending += data
            return
        try:
            written = os.write(self._master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return  # the child is gone; the exit path tidies up
        if written < len(data):
            self._pending += data[written:]
            self._loop.add_writer(self._master, self._flush_pending)

    def _flush_pending(self) -> None:
        master = self._master
        if master is None:  # closed since; _close_master dropped the writer and the backlog
            return
        try:
            written = os.write(master, self._pending)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._pending)
        del self._pending[:written]
        if not self._pending:
            self._loop.remove_writer(master)
            if self._on_input_drained:
                self._on_input_drained()

    @property
    def input_backlog(self) -> int:
        return len(self._pending)

    def resize(self, cols: int, rows: int, px_width: int = 0, px_height: int = 0) -> None:
        """Set the pty size; the kernel sends SIGWINCH to the child's foreground group
        when the size really changes (TIOCSWINSZ on the master does that on Linux and BSD)."""
        self.size = (cols, rows, px_width, px_height)
        if self._master is not None:
            try:
                fcntl.ioctl(self._master, termios.TIOCSWINSZ, _winsize(*self.size))
            except OSError:
                pass

    def pause_output(self) -> None:
        """Stop reading the child's output (the client is slow): the pty fills and the app waits."""
        self._paused = True
        self._stop_reading()

    def resume_output(self) -> None:
        self._paused = False
        self._start_reading()

    def _start_reading(self) -> None:
        if self._master is not None and not self._reading and not self._paused:
            self._loop.add_reader(self._master, self._read)
            self._reading = True

    def _stop_reading(self) -> None:
        if self._master is not None and self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False

    def _read(self) -> None:
        master = self._master
        if master is None:  # closed since; _close_master dropped the reader
            return
        try:
            data = os.read(master, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:  # EIO: every holder of the slave has closed it
            data = b""
        if data:
            self._on_output(data)
        else:
            self._stop_reading()

    def _drain(self) -> None:
        """Pass on whatever output is left after the child ended."""
        if self._master is None or self._paused:
            return
        for _ in range(64):
            try:
                data = os.read(self._master, _READ_SIZE)
            except OSError:
                return
            if not data:
                return
            self._on_output(data)

    # -- ending --------------------------------------------------------------------------

    def _watch_exit(self, pid: int) -> None:
        try:
            self._pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # not Linux, or an old kernel: poll instead
            self._poll_handle = self._loop.call_later(0.2, self._poll_exit)
            return
        self._loop.add_reader(self._pidfd, self._check_exit)

    def _poll_exit(self) -> None:
        if not self._check_exit():
            self._poll_handle = self._loop.call_later(0.2, self._poll_exit)

    def _check_exit(self) -> bool:
        code = self._reap()
        if code is None:
            return False
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        self.returncode = code
        self._drain()
        self._close_master()
        if not self._exited.done():
            self._exited.set_result(code)
        self._on_exit(code)
        subreaper.reap_strays()  # anything an app left behind and that has ended since
        return True

    def _reap(self) -> int | None:
        """The exit code (negative: the signal) once the child has ended, else None."""
        if self._proc is not None:
            code = self._proc.poll()
        elif self._pid is not None:
            try:
                pid, status = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: the status is lost
                pid, status = self._pid, 255 << 8
            code = os.waitstatus_to_exitcode(status) if pid else None
        else:
            return None
        if code is not None and self._pid is not None:
            subreaper.release(self._pid)
        return code

    def _close_master(self) -> None:
        if self._master is None:
            return
        self._stop_reading()
        if self._pending:
            self._loop.remove_writer(self._master)
            self._pending.clear()
        os.close(self._master)
        self._master = None

    def signal(self, signum: int) -> None:
        """Signal the child's whole process group (it leads its own session)."""
        if self._pid is not None and self.returncode is None:  # running
            try:
                os.killpg(self._pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)

    async def hang_up(self, grace: float = 3.0) -> int:
        """End the child as a dropped line would: close the terminal and send SIGHUP; after
        `grace` seconds SIGTERM, two more and SIGKILL. Its output is no longer passed on."""
        if self._starting is not None:
            await asyncio.shield(self._starting)
        if self._pid is None:
            return 0
        if self.returncode is not None:
            return self.returncode
        self._paused = True
        self._close_master()
        for signum, wait in ((signal.SIGHUP, grace), (signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            self.signal(signum)
            try:
                return await asyncio.wait_for(self.wait(), wait)
            except asyncio.TimeoutError:
                continue
        return await self.wait()
