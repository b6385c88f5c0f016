"""Time from launch to first frame: `trustdialog` against the bare two-pane app, in a real pty.

Each run starts the program in a fresh pseudo-terminal of the same size and
reads what it writes until a text of its first screen appears. Runs alternate
(bare, trustdialog, bare, ...) so a noisy machine slows both alike; medians
are reported. Goal: trustdialog / bare <= 1.2.

    .venv/bin/python benchmarks/startup.py [--runs 15] [--cols 100] [--rows 30]

The pty helpers here are shared with benchmarks/keystroke.py.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
# What each program's first screen shows: the bare app's second placeholder, and
# the sentence the issue requires on trustdialog's welcome screen.
BARE = ("bare", [sys.executable, str(HERE / "bare_app.py")], "partner B")
TRUSTDIALOG = ("trustdialog", [str(BIN / "trustdialog")], "not therapy")

# Escape sequences, removed before looking for text: a frame is text between codes.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


@dataclass
class Child:
    """A program running in its own pseudo-terminal."""

    pid: int
    fd: int
    data_dir: str
    output: bytearray = field(default_factory=bytearray)

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def read_until(self, text: str, timeout: float = 20.0, start: int = 0) -> float:
        """Read output until `text` shows (in output[start:]); returns the time it did."""
        wanted = text.encode()
        deadline = time.perf_counter() + timeout
        while True:
            if wanted in plain(bytes(self.output[start:])):
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                tail = plain(bytes(self.output[-600:])).decode(errors="replace")
                raise TimeoutError(f"{text!r} never appeared; last output: {tail!r}")
            self.pump(left)

    def pump(self, timeout: float) -> bool:
        """Read whatever arrives within `timeout`; False when nothing did."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the child is gone
            raise TimeoutError("the program exited") from None
        if not chunk:
            raise TimeoutError("the program exited")
        self.output += chunk
        return True

    def quiet(self, gap: float = 0.05, limit: float = 5.0) -> None:
        """Drain output until nothing has arrived for `gap` seconds."""
        deadline = time.perf_counter() + limit
        while self.pump(gap) and time.perf_counter() < deadline:
            pass

    def stop(self) -> float:
        """Kill the program; returns the CPU seconds (user + system) it used."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, _, usage = os.wait4(self.pid, 0)
        os.close(self.fd)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return usage.ru_utime + usage.ru_stime


def plain(data: bytes) -> bytes:
    return _ESCAPES.sub(b"", data)


def launch(argv: list[str], cols: int, rows: int) -> Child:
    """Start `argv` in a new pty of cols x rows, with a fresh data dir and a plain environment."""
    data_dir = tempfile.mkdtemp(prefix="trustdialog-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TRUSTDIALOG"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", TRUSTDIALOG_DATA_DIR=data_dir,
               COLUMNS=str(cols), LINES=str(rows))
    env.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: size the terminal, then become the program
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    return Child(pid, fd, data_dir)


def time_startup(program: tuple[str, list[str], str], cols: int, rows: int) -> tuple[float, float]:
    """(wall seconds from fork to the first screen's marker text, CPU seconds it took).

    The CPU time is the steadier figure on a busy machine: other processes
    stretch the wall time, not the work the program itself does.
    """
    _, argv, marker = program
    start = time.perf_counter()
    child = launch(argv, cols, rows)
    try:
        wall = child.read_until(marker) - start
    finally:
        cpu = child.stop()  # killed as soon as the frame is seen
    return wall, cpu


def summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (f"{name:<12} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   "
            f"max {ms[-1]:7.1f}   (n={len(ms)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each program (default 15)")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    walls: dict[str, list[float]] = {BARE[0]: [], TRUSTDIALOG[0]: []}
    cpus: dict[str, list[float]] = {BARE[0]: [], TRUSTDIALOG[0]: []}
    # One unmeasured run of each warms the OS file cache and Python's bytecode cache.
    for program in (BARE, TRUSTDIALOG):
        time_startup(program, args.cols, args.rows)
    for _ in range(args.runs):
        for program in (BARE, TRUSTDIALOG):
            wall, cpu = time_startup(program, args.cols, args.rows)
            walls[program[0]].append(wall)
            cpus[program[0]].append(cpu)
    print(f"launch to first frame, {args.cols}x{args.rows} pty, {args.runs} alternating runs each")
    for name in walls:
        print(summary(name, walls[name]) + f"   cpu median {statistics.median(cpus[name]) * 1000:6.1f} ms")
    ratio = statistics.median(walls["trustdialog"]) / statistics.median(walls["bare"])
    cpu_ratio = statistics.median(cpus["trustdialog"]) / statistics.median(cpus["bare"])
    print(f"ratio trustdialog/bare: {ratio:.2f} wall, {cpu_ratio:.2f} cpu (goal <= 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
