"""Live sessions: a turn saved on one connection until it shows on another's screen; idle cost.

For each count of live sessions (default 1, 10 and 25), that many real
`trustdialog resume ID` apps run in their own pseudo-terminals on one data
file, each watching its own session. Another process (this script, as the
other partner's app would) submits turns to the sessions in turn: a pause,
then a resume. Each turn is timed from its commit to the moment the watching
app has drawn it (the pause note appears on every screen; then the step comes back), and
the watcher's own CPU time for it is counted (on a busy host the wall time is mostly
waiting for a core; the CPU time is what the app itself costs). After
the turns, every watcher is left alone for `--idle` seconds and its CPU time
and the bytes it wrote to its terminal are counted, beside a bare Textual
app's in the same run.

    .venv/bin/python benchmarks/live_sync.py [--sessions 1,10,25] [--turns 200] [--idle 60]

Goal: p95 <= 150 ms with 25 live sessions; an idle watcher under 1% of a core
and 0 bytes a minute.

`--store sqlite,postgresql` measures each store in turn with the same apps and
turns (default: sqlite). For `postgresql` the script starts a throw-away server
of its own (as the tests do, tests/store/pg_server.py) and removes it after; a
`postgresql://` URL uses that server instead (its database gets the sessions).
The apps are told the store through $TRUSTDIALOG_STORE.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from startup import BARE, BIN, Child  # noqa: E402

from trustdialog.exercise import load_library  # noqa: E402
from trustdialog.session import Session  # noqa: E402
from trustdialog.store import open_store  # noqa: E402

EXERCISE = "when-i-felt"
COLS, ROWS = 100, 30


@contextlib.contextmanager
def store_url(name: str) -> Iterator[str | None]:
    """The URL the apps use for `name`: None (SQLite in the data folder), a throw-away
    PostgreSQL server's for "postgresql", or `name` itself when it is a URL."""
    if name == "sqlite":
        yield None
    elif name in ("postgresql", "postgres"):
        sys.path.insert(0, str(HERE.parent / "tests" / "store"))
        from pg_server import PostgresServer

        server = PostgresServer()
        try:
            yield server.start()
        finally:
            server.stop()
    elif "://" in name:
        yield name
    else:
        raise SystemExit(f"--store: {name!r} is not sqlite, postgresql or a store URL")


def launch_in(argv: list[str], data_dir: Path, url: str | None = None) -> Child:
    """`argv` in its own pty, with TRUSTDIALOG_DATA_DIR set to the shared data folder
    (and TRUSTDIALOG_STORE to `url`, when the sessions are on a database server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TRUSTDIALOG"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", TRUSTDIALOG_DATA_DIR=str(data_dir))
    if url:
        env["TRUSTDIALOG_STORE"] = url
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    return Child(pid, fd, tempfile.mkdtemp(prefix="td-live-"))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(count: int, turns: int, idle: float, url: str | None = None) -> None:
    data = Path(tempfile.mkdtemp(prefix="td-live-data-"))
    store = open_store(data, url=url)
    exercise = load_library().exercises[EXERCISE]
    sessions = []
    for i in range(count):
        s = Session.new(store, exercise, {"a": f"Ann{i}", "b": f"Bob{i}"})
        s.submit("ready", "a")
        s.submit("ready", "b")
        sessions.append(s)  # on the first step, read together: untimed, so an idle screen is still
    watchers = [launch_in([str(BIN / "trustdialog"), "resume", s.id], data, url) for s in sessions]
    try:
        for w in watchers:
            w.read_until("Continue", timeout=60)
            w.quiet()
        latencies: list[float] = []
        cpu_per_turn: list[float] = []  # the watcher's own CPU time: what load on the host cannot blur
        n = 0
        while len(latencies) < turns:
            s, w = sessions[n % count], watchers[n % count]
            n += 1
            for kind, partner, drawn in (("paused", "b", "Taking a break."), ("resumed", "a", "Continue")):
                mark = len(w.output)
                cpu = cpu_seconds(w.pid)
                data = {"resume_at": None, "note": ""} if kind == "paused" else {}
                s.submit(kind, partner, **data)
                committed = time.perf_counter()
                latencies.append(w.read_until(drawn, start=mark) - committed)
                w.quiet(0.1)  # the whole frame, and whatever the app does after it, counted
                cpu_per_turn.append(cpu_seconds(w.pid) - cpu)
        ms = [v * 1000 for v in latencies]
        print(f"{count:>3} live sessions, {len(ms)} turns: p50 {statistics.median(ms):6.1f} ms   "
              f"p95 {pct(ms, 95):6.1f} ms   p99 {pct(ms, 99):6.1f} ms   max {max(ms):6.1f} ms   "
              f"watcher CPU per turn: mean {statistics.fmean(cpu_per_turn) * 1000:.0f} ms", flush=True)
        if idle:
            bare = launch_in([BARE[1][0], *BARE[1][1:]], data)
            bare.read_until(BARE[2], timeout=60)
            everyone = [*watchers, bare]
            for w in everyone:
                w.quiet()
            start_cpu = [cpu_seconds(w.pid) for w in everyone]
            start_bytes = [len(w.output) for w in everyone]
            deadline = time.perf_counter() + idle
            while time.perf_counter() < deadline:
                for w in everyone:
                    w.pump(0.01)
            cpu = [cpu_seconds(w.pid) - c for w, c in zip(everyone, start_cpu)]
            sent = [len(w.output) - b for w, b in zip(everyone, start_bytes)]
            per_minute = 60 / idle
            watcher_cpu = statistics.median(cpu[:-1]) / idle * 100
            watcher_bytes = statistics.median(sent[:-1]) * per_minute
            print(f"    idle watcher: {watcher_cpu:.2f}% of a core, {watcher_bytes:.0f} bytes/min "
                  f"(median of {count}); bare Textual app: {cpu[-1] / idle * 100:.2f}% of a core, "
                  f"{sent[-1] * per_minute:.0f} bytes/min", flush=True)
            bare.stop()
    finally:
        for w in watchers:
            w.stop()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,25")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--store", default="sqlite",
                        help="sqlite, postgresql (a throw-away server), a URL, or several, comma-separated")
    args = parser.parse_args()
    for name in args.store.split(","):
        with store_url(name.strip()) as url:
            print(f"store: {name.strip() if '://' not in name else 'postgresql (given URL)'}", flush=True)
            for count in (int(c) for c in args.sessions.split(",")):
                run(count, args.turns, args.idle, url)


if __name__ == "__main__":
    main()
