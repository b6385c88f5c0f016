"""The server's handle on the app template (forkserver.py): start it, ask it for apps, restart it.

A connection never waits on a broken template: when the template is not ready, has
died, or does not answer within `timeout`, `spawn` returns None at once and the
session starts its app with a fresh interpreter. The template's end is logged once
per breakage; it is started again after a pause that grows while it keeps failing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

from trustdialog.ssh import subreaper
from trustdialog.ssh.forkserver import PROTOCOL, runnable

log = logging.getLogger("trustdialog.ssh")

_FIRST_RESTART = 1.0  # seconds before starting a template that died
_LAST_RESTART = 60.0  # the longest pause, for one that dies again and again
_KSM_RUN = "/sys/kernel/mm/ksm/run"


def merging_text(offered: object, ksm_run: str = _KSM_RUN) -> str:
    """What the ready line says of the pages apps hold alike (forkserver.let_the_kernel_merge)."""
    if offered is not True:
        return "this kernel cannot merge the pages apps hold alike"
    try:
        with open(ksm_run) as file:
            running = file.read().strip() == "1"
    except OSError:
        running = False
    if running:
        return "the pages apps hold alike are merged (KSM)"
    return f"KSM is off on this host, so each app keeps its own copy of pages it holds alike ({ksm_run})"


class AppTemplate:
    """One template process at a time; apps are asked of it one request at a time."""

    def __init__(self, env: Mapping[str, str], timeout: float = 3.0, ready_timeout: float = 20.0,
                 preload: Sequence[str] = ()) -> None:
        self.env = dict(env)
        self.preload = tuple(preload)  # modules imported besides forkserver.PRELOAD
        self.timeout = timeout  # seconds for the template to answer a request
        self.ready_timeout = ready_timeout  # seconds for a new template to import the app
        self.pid: int | None = None
        self.ready = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._pidfd: int | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self._restart_delay = _FIRST_RESTART
        self._restart: asyncio.TimerHandle | None = None
        self._starting: asyncio.Task[bool] | None = None
        self._started_at = 0.0
        self._recv: asyncio.Task[bytes] | None = None  # the answer being waited for

    @staticmethod
    def can_run(argv: Sequence[str]) -> bool:
        return runnable(list(argv)) is not None

    # -- the process --------------------------------------------------------------------

    async def start(self) -> bool:
        """Start the template and wait until it has imported the app; False if it did not."""
        if self._starting is None or self._starting.done():
            self._starting = asyncio.get_running_loop().create_task(self._start())
        return await asyncio.shield(self._starting)

    async def _start(self) -> bool:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "trustdialog.ssh.forkserver", str(theirs.fileno()), str(os.getpid()),
                 *self.preload],
                pass_fds=[theirs.fileno()], env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, close_fds=True)
        except OSError as error:
            ours.close()
            log.error("could not start the app template: %s; apps start with a fresh interpreter", error)
            self._schedule_restart()
            return False
        finally:
            theirs.close()
        subreaper.claim(proc.pid)
        self._proc, self._sock, self.pid = proc, ours, proc.pid
        self._started_at = time.monotonic()
        ours.setblocking(False)
        self._watch(proc.pid)
        recv = self._recv = loop.create_task(loop.sock_recv(ours, 4096))
        done, _ = await asyncio.wait({recv}, timeout=self.ready_timeout)
        self._recv = None
        hello: dict[str, object] = {"error": f"not within {self.ready_timeout:g}s"}
        if not done:
            recv.cancel()
        elif not recv.cancelled():
            try:
                said = recv.result()
                hello = json.loads(said) if said else {"error": "it closed its socket"}
            except (OSError, ValueError) as error:
                hello = {"error": str(error) or type(error).__name__}
        if self._proc is not proc:  # it died while importing (the watcher has logged it)
            return False
        if hello.get("ready") != PROTOCOL:
            self._broken(f"it did not get ready ({hello.get('error') or hello})")
            return False
        self.ready = True
        log.info("app template ready (pid %d, %.2fs): apps start as forks of it; %s",
                 proc.pid, time.monotonic() - self._started_at, merging_text(hello.get("merging")))
        return True

    def _watch(self, pid: int) -> None:
        try:
            self._pidfd = os.pidfd_open(pid)
        except OSError:
            return  # a failed request finds out instead
        asyncio.get_running_loop().add_reader(self._pidfd, self._exited)

    def _unwatch(self) -> None:
        if self._pidfd is not None:
            asyncio.get_running_loop().remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def _exited(self) -> None:
        proc = self._proc
        code = proc.poll() if proc is not None else None
        if proc is None or code is None:
            return
        self._broken(f"it ended (status {code})")

    def _broken(self, why: str) -> None:
        """Stop using this template: kill it, say so once, and start another later."""
        proc = self._proc
        if proc is None:
            return
        self.ready = False
        self._proc = None
        self._unwatch()
        if self._recv is not None:
            self._recv.cancel()  # the request waiting on this socket gives up now
        if self._sock is not None:
            # Closed after the cancelled read has dropped its reader (call_soon keeps the order).
            asyncio.get_running_loop().call_soon(self._sock.close)
            self._sock = None
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        subreaper.release(proc.pid)
        if self._closed:
            return
        # A template that lived a good while gets a quick restart; one that keeps dying waits longer.
        if time.monotonic() - self._started_at > 60:
            self._restart_delay = _FIRST_RESTART
        log.error("app template (pid %d) stopped: %s; apps start with a fresh interpreter until "
                  "a new one is ready (in %gs)", proc.pid, why, self._restart_delay)
        self._schedule_restart()

    def _schedule_restart(self) -> None:
        if self._closed or self._restart is not None:
            return
        delay = self._restart_delay
        self._restart_delay = min(self._restart_delay * 2, _LAST_RESTART)
        self._restart = asyncio.get_running_loop().call_later(delay, self._restart_now)

    def _restart_now(self) -> None:
        self._restart = None
        asyncio.get_running_loop().create_task(self.start())

    async def close(self) -> None:
        """Stop the template (apps already forked go on: they are the server's children)."""
        self._closed = True
        if self._restart is not None:
            self._restart.cancel()
            self._restart = None
        proc = self._proc
        self.ready = False
        self._proc = None
        self._unwatch()
        if self._sock is not None:
            self._sock.close()  # its end of file: the template returns and exits
            self._sock = None
        if proc is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(proc.wait), 2.0)
            except asyncio.TimeoutError:
                proc.kill()
                proc.wait()
            subreaper.release(proc.pid)

    # -- asking for an app --------------------------------------------------------------

    async def spawn(self, argv: Sequence[str], env: Mapping[str, str], slave: int) -> int | None:
        """Fork an app on the pty `slave`: its pid (already claimed as the server's child),
        or None when the template cannot (the caller starts a fresh interpreter)."""
        if not self.ready:
            return None
        subreaper.spawning(+1)
        try:
            async with self._lock:
                sock = self._sock
                if not self.ready or sock is None:
                    return None
                request = json.dumps({"argv": list(argv), "env": dict(env), "cwd": os.getcwd()}).encode()
                loop = asyncio.get_running_loop()
                try:
                    socket.send_fds(sock, [request], [slave])
                except OSError as error:
                    self._broken(f"its socket failed ({error})")
                    return None
                recv = self._recv = loop.create_task(loop.sock_recv(sock, 4096))
                done, _ = await asyncio.wait({recv}, timeout=self.timeout)
                self._recv = None
                if not done:
                    recv.cancel()
                    self._broken(f"it did not answer within {self.timeout:g}s")
                    return None
                if recv.cancelled():  # it was found dead meanwhile
                    return None
                try:
                    reply = recv.result()
                except OSError as error:
                    self._broken(f"its socket failed ({error})")
                    return None
                if not reply:
                    self._broken("it closed its socket")
                    return None
                try:
                    answer = json.loads(reply)
                except ValueError:
                    self._broken("it answered nonsense")
                    return None
                pid = answer.get("pid")
                if not isinstance(pid, int):
                    log.error("the app template could not start an app: %s", answer.get("error"))
                    return None
                subreaper.claim(pid)
                return pid
        finally:
            subreaper.spawning(-1)
