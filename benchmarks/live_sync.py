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
        [--turn pause|answer|pause,answer]

Goal: p95 <= 150 ms with 25 live sessions; an idle watcher under 1% of a core
and 0 bytes a minute.

`--turn pause|answer` says what a timed turn is (default: pause; `pause,answer`
runs both in turn). `pause` is the pause and resume above. `answer` is what
partners really do: this script plays both partners through the exercise, and
each timed turn is a prompt answer holding a word of its own ("I felt w12x"),
timed from its commit until that word is on the watcher's screen. The moves in
between (reading on, confirming, the first answer of a hidden step, which the
screen keeps covered) are made untimed, and the watcher is left to draw them
first. A session that would end is replaced by a new one, and its watcher
restarted, so any number of turns fits any number of sessions.

`--store sqlite,postgresql` measures each store in turn with the same apps and
turns (default: sqlite). For `postgresql` the script starts a throw-away server
of its own (as the tests do, tests/store/pg_server.py) and removes it after; a
`postgresql://` URL uses that server instead (its database gets the sessions).
The apps are told the store through $TRUSTDIALOG_STORE.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import shutil
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from startup import BARE, BIN, Child  # noqa: E402
from stores import store_url  # noqa: E402

from trustdialog import engine  # noqa: E402
from trustdialog.engine import Event, SessionState  # noqa: E402
from trustdialog.exercise import load_library  # noqa: E402
from trustdialog.exercise.model import BOTH  # noqa: E402
from trustdialog.session import Session  # noqa: E402
from trustdialog.store import open_store  # noqa: E402
from trustdialog.ui.widgets.pane import HIDDEN_NOTE  # noqa: E402

EXERCISE = "when-i-felt"
COLS, ROWS = 100, 30
TURNS = ("pause", "answer")


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


def move(state: SessionState, token: str | None = None) -> tuple[str, str, dict]:
    """(partner, kind, data): the current step's own move by the first partner on turn.

    A prompt gets each field's example value; with `token`, its first text field
    says "I felt <token>" instead (short, so the words never wrap apart).
    """
    partner = engine.on_turn(state)[0]
    step = state.step
    assert step is not None
    if step.kind == "say":
        return partner, engine.CONTINUED, {}
    if step.kind == "confirm":
        return partner, engine.CONFIRMED, {"yes": True}
    if step.kind == "choose":
        return partner, engine.CHOSE, {"option": 0}
    values = {f.name: engine.example_value(f) for f in step.fields}
    text = [f.name for f in step.fields if f.kind in ("text", "pick")]
    if token is not None and text:
        values[text[0]] = f"I felt {token}"
    return partner, engine.ANSWERED, {"values": values}


def shows_at_once(state: SessionState) -> bool:
    """Is an answer to the current step drawn as soon as it is saved? Not the first of a
    hidden "both" step (covered until both have answered), nor one with no text in it."""
    step = state.step
    if step is None or step.kind != "prompt" or not any(f.kind in ("text", "pick") for f in step.fields):
        return False
    return not (step.by == BOTH and step.hidden and not state.answered)


def drawn(before: SessionState, after: SessionState) -> str | None:
    """A text the watcher's screen shows once it has drawn `after` (None: nothing sure)."""
    if after.finished:
        return None
    p = after.progress
    if (p.step, p.round) != (before.progress.step, before.progress.round):
        # The status line's words (trustdialog/ui/status_line.py), whole at 100 columns.
        return f"step {p.step} of {p.steps}" + (f" · round {p.round} of {p.rounds}" if p.rounds > 1 else "")
    step = after.step
    if step is not None and step.by == BOTH and step.hidden and after.answered:
        return HIDDEN_NOTE  # the first answer, covered in its writer's pane
    return None


def still(state: SessionState) -> bool:
    """On a step whose screen does nothing by itself: read together, no timer."""
    step = state.step
    return state.phase == "step" and step is not None and step.kind == "say" and not step.timer


class Live:
    """`count` sessions on one store, each watched by a real app in a pty (a slot each)."""

    def __init__(self, count: int, url: str | None) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="td-live-data-"))
        self.url = url
        self.store = open_store(self.data, url=url)
        self.exercise = load_library().exercises[EXERCISE]
        self.sessions = [self.begin(i) for i in range(count)]
        self.watchers = [self.watch(s) for s in self.sessions]
        for w in self.watchers:
            w.read_until("Continue", timeout=60)
            w.quiet()

    def begin(self, i: int) -> Session:
        s = Session.new(self.store, self.exercise, {"a": f"Ann{i}", "b": f"Bob{i}"})
        s.submit("ready", "a")
        s.submit("ready", "b")
        return s  # on the first step, read together: untimed, so an idle screen is still

    def watch(self, s: Session) -> Child:
        return launch_in([str(BIN / "trustdialog"), "resume", s.id], self.data, self.url)

    def restart(self, i: int) -> None:
        """A new session for slot `i`, and a new watcher for it (untimed)."""
        self.watchers[i].stop()
        self.sessions[i] = self.begin(i)
        self.watchers[i] = self.watch(self.sessions[i])
        self.watchers[i].read_until("Continue", timeout=60)
        self.watchers[i].quiet()

    def step_on(self, i: int, until: Callable[[SessionState], bool]) -> None:
        """Make slot `i`'s moves, untimed, until `until(state)`; each is drawn before the next."""
        s, w = self.sessions[i], self.watchers[i]
        while not until(s.state):
            before = s.state
            partner, kind, data = move(before)
            after = engine.apply(before, Event(kind, partner, step=before.step_id, round=before.round, data=data))
            if after.finished:  # would end: a new session instead, on its first step
                self.restart(i)
                s, w = self.sessions[i], self.watchers[i]
                continue
            mark = len(w.output)
            s.submit(kind, partner, **data)
            sign = drawn(before, after)
            if sign is not None:
                w.read_until(sign, start=mark)
            w.quiet()

    def close(self) -> None:
        for w in self.watchers:
            w.stop()
        self.store.close()
        shutil.rmtree(self.data, ignore_errors=True)


def pause_turns(live: Live, turns: int) -> tuple[list[float], list[float]]:
    """Turns of a pause, then a resume, each until the watcher has drawn it."""
    count = len(live.sessions)
    for i in range(count):
        live.step_on(i, still)  # "Continue" must come back on resume
    latencies: list[float] = []
    cpu_per_turn: list[float] = []  # the watcher's own CPU time: what load on the host cannot blur
    n = 0
    while len(latencies) < turns:
        s, w = live.sessions[n % count], live.watchers[n % count]
        n += 1
        for kind, partner, shown in (("paused", "b", "Taking a break."), ("resumed", "a", "Continue")):
            mark = len(w.output)
            cpu = cpu_seconds(w.pid)
            data = {"resume_at": None, "note": ""} if kind == "paused" else {}
            s.submit(kind, partner, **data)
            committed = time.perf_counter()
            latencies.append(w.read_until(shown, start=mark) - committed)
            w.quiet(0.1)  # the whole frame, and whatever the app does after it, counted
            cpu_per_turn.append(cpu_seconds(w.pid) - cpu)
    return latencies, cpu_per_turn


def answer_turns(live: Live, turns: int) -> tuple[list[float], list[float]]:
    """Prompt answers, each until its own word shows on the watcher's screen."""
    count = len(live.sessions)
    latencies: list[float] = []
    cpu_per_turn: list[float] = []
    n = 0
    while len(latencies) < turns:
        i = n % count
        n += 1
        token = f"w{n}x"
        while True:
            live.step_on(i, shows_at_once)
            s, w = live.sessions[i], live.watchers[i]
            state = s.state
            partner, kind, data = move(state, token)
            after = engine.apply(state, Event(kind, partner, step=state.step_id, round=state.round, data=data))
            if not after.finished:
                break
            live.restart(i)  # the last answer would end it (and show another screen)
        mark = len(w.output)
        cpu = cpu_seconds(w.pid)
        s.submit(kind, partner, **data)
        committed = time.perf_counter()
        latencies.append(w.read_until(token, start=mark) - committed)
        w.quiet(0.1)
        cpu_per_turn.append(cpu_seconds(w.pid) - cpu)
    return latencies, cpu_per_turn


def run(count: int, turns: int, idle: float, url: str | None = None, kinds: tuple[str, ...] = ("pause",)) -> None:
    live = Live(count, url)
    try:
        for kind in kinds:
            latencies, cpu_per_turn = (pause_turns if kind == "pause" else answer_turns)(live, turns)
            ms = [v * 1000 for v in latencies]
            print(f"{count:>3} live sessions, {len(ms)} {kind} turns: p50 {statistics.median(ms):6.1f} ms   "
                  f"p95 {pct(ms, 95):6.1f} ms   p99 {pct(ms, 99):6.1f} ms   max {max(ms):6.1f} ms   "
                  f"watcher CPU per turn: mean {statistics.fmean(cpu_per_turn) * 1000:.0f} ms", flush=True)
        if idle:
            for i in range(count):
                live.step_on(i, still)  # answers leave screens with a timer or a blinking cursor
            watchers = live.watchers
            bare = launch_in([BARE[1][0], *BARE[1][1:]], live.data)
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
        live.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,25")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--store", default="sqlite",
                        help="sqlite, postgresql (a throw-away server), a URL, or several, comma-separated")
    parser.add_argument("--turn", default="pause",
                        help="what a timed turn is: pause (a pause, then a resume), answer (a prompt answer), "
                             "or both, comma-separated")
    args = parser.parse_args()
    kinds = tuple(k.strip() for k in args.turn.split(","))
    for kind in kinds:
        if kind not in TURNS:
            parser.error(f"--turn: {kind!r} is not pause or answer")
    for name in args.store.split(","):
        with store_url(name.strip(), max(int(c) for c in args.sessions.split(","))) as url:
            print(f"store: {name.strip() if '://' not in name else 'postgresql (given URL)'}", flush=True)
            for count in (int(c) for c in args.sessions.split(",")):
                run(count, args.turns, args.idle, url, kinds)


if __name__ == "__main__":
    main()
