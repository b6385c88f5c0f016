"""The app template: a process that imports the app once, then forks a ready app for each connection.

The server starts it as `python -m trustdialog.ssh.forkserver FD PARENT_PID [MODULE...]`
with one end of a Unix SEQPACKET socket pair (the modules: what these apps need besides
PRELOAD, such as the PostgreSQL store). It imports what the app needs (before any thread or
event loop exists here, so forking is safe), says it is ready, then answers requests
one at a time: a JSON request (argv, environment, working folder) with the pty slave
attached (SCM_RIGHTS) is answered with the new app's pid.

Each app is made by a double fork: a go-between forks the app and exits at once, so
the app is reparented to the server (which is a child subreaper, see subreaper.py) and
the server reaps it, gets its real exit status and can wait for it as for any child.
The app becomes a session leader with the pty as its controlling terminal and fds
0/1/2, takes the request's environment, argv and folder, reseeds `random`, closes
every other descriptor, and then runs the module or script as `python` would.

This module imports nothing heavy at the top: the server imports it for `runnable`.
"""

from __future__ import annotations

import fcntl
import gc
import importlib
import io
import json
import os
import random
import signal
import socket
import sys
import termios
from dataclasses import dataclass

PROTOCOL = 1  # the ready message says it; a server expecting another one does not use the template
MAX_MESSAGE = 1 << 20  # a request is argv and an environment: far below this
# What the trustdialog app imports up to its first frame and just after it (the store, the
# library): imported here once, shared copy-on-write by every app forked from here.
PRELOAD = (
    "trustdialog.cli", "trustdialog.commands.app", "trustdialog.identity", "trustdialog.ui.app",
    "trustdialog.ui.screens.welcome", "trustdialog.ui.screens.exercise", "trustdialog.ui.terminal_input",
    "trustdialog.ui.widgets.answer_form", "trustdialog.ui.widgets.rating", "trustdialog.conversation",
    "trustdialog.store", "trustdialog.store.sqlite", "trustdialog.exercise.library",
    "trustdialog.language", "trustdialog.resources", "textual.drivers.linux_driver",
    "textual.drivers.headless_driver", "textual.layouts.factory", "textual.layouts.horizontal",
    "textual.layouts.stream", "textual.pilot", "textual.scrollbar",
)
_PR_SET_PDEATHSIG = 1
_PR_SET_MEMORY_MERGE = 67  # Linux 6.4 and later
_KEPT: list[object] = []  # the template's standard streams, in an app (see _become_app)


@dataclass(frozen=True)
class Job:
    """What a forked app runs: a module (`-m NAME`) or a script file, with its arguments."""

    kind: str  # "module" or "path"
    target: str
    args: tuple[str, ...]


def runnable(argv: list[str] | tuple[str, ...], executable: str = sys.executable) -> Job | None:
    """The job for `argv` if a fork of this interpreter can run it (`python -m NAME ...` or
    `python FILE.py ...`); None for another program or interpreter options."""
    if len(argv) < 2 or argv[0] != executable:
        return None
    if argv[1] == "-m":
        if len(argv) >= 3 and argv[2] and not argv[2].startswith("-"):
            return Job("module", argv[2], tuple(argv[3:]))
        return None
    if argv[1].endswith(".py") and not argv[1].startswith("-"):
        return Job("path", argv[1], tuple(argv[2:]))
    return None


def _prctl(option: int, value: int) -> bool:
    """prctl(2) on this process; False where the system has no such call or option."""
    try:
        import ctypes

        return bool(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _die_with_parent(parent: int) -> None:
    """Never outlive the server: the kernel kills this process when its parent goes."""
    _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))  # if not, the socket's end of file still stops it
    if os.getppid() != parent:  # the server died before the line above
        os._exit(0)


def let_the_kernel_merge() -> bool:
    """Offer every page of the template, and so of each app forked from it, to the kernel's
    same-page merging (KSM); False where the kernel has no such offer.

    An app copies most of the template's pages it reads from, because reading a Python
    object writes its reference count. Most counts go back to the template's values once
    the app has drawn, so those copies hold the same bytes in every app: where the host
    runs KSM (/sys/kernel/mm/ksm/run), they become one shared page again. Where it does
    not, this changes nothing."""
    return _prctl(_PR_SET_MEMORY_MERGE, 1)


def _reply(sock: socket.socket, message: dict[str, object]) -> None:
    sock.send(json.dumps(message).encode())


def serve(sock: socket.socket) -> tuple[Job, list[str]] | None:
    """Answer requests until the server closes the socket (None). In a forked app it
    returns that app's job and argv, for `main` to run as the program."""
    while True:
        data, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 4)
        if not data:
            for fd in fds:
                os.close(fd)
            return None
        started: int | tuple[Job, list[str]] | str
        try:
            request = json.loads(data)
            argv = [str(arg) for arg in request["argv"]]
            job = runnable(argv)
            if len(fds) != 1 or job is None:
                raise ValueError("a request needs one terminal and an argv this template can run")
            started = _fork_app(sock, fds[0], job, argv, request)
        except (ValueError, KeyError, TypeError, OSError) as error:
            started = f"{type(error).__name__}: {error}"
        if isinstance(started, tuple):  # the app: its terminal is on 0, 1 and 2 now
            return started
        for fd in fds:  # the app holds its own copy; the template keeps none
            os.close(fd)
        _reply(sock, {"pid": started} if isinstance(started, int) else {"error": started})


def _fork_app(sock: socket.socket, slave: int, job: Job, argv: list[str],
              request: dict[str, object]) -> int | tuple[Job, list[str]]:
    """Fork the app through a go-between: the app's pid here, (job, argv) in the app."""
    readable, writable = os.pipe()
    between = os.fork()
    if between == 0:
        # The go-between: fork the app, tell the template its pid, exit. Whatever goes
        # wrong here must end here, never run on in a copy of the template's loop.
        try:
            os.close(readable)
            app = os.fork()
            if app == 0:
                os.close(writable)
                _become_app(sock, slave, request)
                return job, argv
            os.write(writable, str(app).encode())
        except BaseException:
            os._exit(1)
        os._exit(0)
    os.close(writable)
    with io.open(readable, "rb") as pipe:
        said = pipe.read()
    # Once the go-between is reaped its child has been handed to the server (the subreaper).
    os.waitpid(between, 0)
    if not said:
        raise OSError("the app could not be forked")
    return int(said)


def _become_app(sock: socket.socket, slave: int, request: dict[str, object]) -> None:
    """In the forked app: its own session and terminal, the request's environment, nothing
    of the template's open files, its own random state."""
    sock.close()
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    if slave > 2:
        os.close(slave)
    os.closerange(3, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 1024)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as a fresh interpreter has it
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in env.items()})
    cwd = request.get("cwd")
    if isinstance(cwd, str):
        os.chdir(cwd)
    random.seed()  # a fork copies the generator: each app draws its own numbers
    # The template's standard streams were not a terminal: make new ones the way the
    # interpreter does for a tty (UTF-8, line-buffered).
    streams = {
        "stdin": io.TextIOWrapper(io.open(0, "rb", closefd=False), encoding="utf-8",
                                  errors="surrogateescape"),
        "stdout": io.TextIOWrapper(io.open(1, "wb", closefd=False), encoding="utf-8",
                                   errors="surrogateescape", line_buffering=True),
        "stderr": io.TextIOWrapper(io.open(2, "wb", closefd=False), encoding="utf-8",
                                   errors="backslashreplace", line_buffering=True),
    }
    for name, stream in streams.items():  # Textual's driver writes to sys.__stderr__
        # The template's own stream would close its fd (now the pty) when freed: keep it.
        _KEPT.append(getattr(sys, f"__{name}__"))
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)

def run(job: Job, argv: list[str]) -> None:
    """Run the job as `python -m NAME` or `python FILE` would (exit codes and tracebacks
    are the interpreter's, as the app's own process ends)."""
    import runpy

    if job.kind == "module":
        sys.argv = [argv[0], *job.args]
        runpy.run_module(job.target, run_name="__main__", alter_sys=True)
    else:
        sys.argv = [job.target, *job.args]
        sys.path[0] = os.path.dirname(os.path.abspath(job.target))
        runpy.run_path(job.target, run_name="__main__")


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    _die_with_parent(int(sys.argv[2]))
    # Ctrl+C at the server's terminal reaches this process too: the server decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in (*PRELOAD, *sys.argv[3:]):  # and what the server says its apps will need
        try:
            importlib.import_module(name)
        except ImportError as error:  # an app without that module: it imports what it needs itself
            print(f"trustdialog: the app template could not import {name}: {error}", file=sys.stderr)
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        # Forking a process with threads copies their locks mid-use: no template then.
        print("trustdialog: the app template started threads while importing; not forking",
              file=sys.stderr)
        return
    # Everything imported lives as long as the process: out of the collector's sight, so
    # no collection in an app touches (and so copies) these shared pages.
    gc.collect()
    gc.freeze()
    merging = let_the_kernel_merge()
    _reply(sock, {"ready": PROTOCOL, "pid": os.getpid(), "merging": merging})
    started = serve(sock)
    if started is None:
        return
    job, argv = started
    run(job, argv)


if __name__ == "__main__":
    main()
