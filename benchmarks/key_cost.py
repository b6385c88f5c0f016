"""CPU per key in the app, measured in-process: a name field on the welcome, or the answer box.

The app runs on a driver that draws for real (every frame is built and written,
to a counter instead of a terminal); each key is the bytes a terminal sends,
parsed by the app's own paste-safe parser and posted as the terminal driver
posts it. Keys come one at a time, each once the frame of the key before has
been written (as people type: each key is its own frame). Reported: CPU time
(time.process_time, robust on a shared machine) per key, bytes written per
key, layouts and compositor passes per key, and with --profile the top
entries of cProfile by cumulative and own time.

    .venv/bin/python benchmarks/key_cost.py [--where name|answer] [--keys 200] [--profile 25]
    .venv/bin/python benchmarks/key_cost.py --where answer --keys 150 --pairs 3

`--plain` leaves out trustdialog.ui.lean (Textual's own way); `--pairs N`
runs plain and lean N times each, alternating, each in a fresh process, and
prints the median CPU per key of each.

`--pty` measures the real path instead: the installed `trustdialog` and the bare
app (benchmarks/bare_app.py) alternating, each in its own pseudo-terminal, typing
into the first name field (the bare app's first Input) as benchmarks/ssh_load.py
types: six letters, then six backspaces, each key once the frame of the one before
has arrived. Reported per key: CPU of the whole process (every thread, from the
kernel's /proc/PID/task/*/schedstat), letters and backspaces apart, and thread
switches (how often a key woke a thread).

    .venv/bin/python benchmarks/key_cost.py --pty [--keys 240] [--runs 3]

It imports this tree's package when run from the tree (PYTHONPATH=.).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import string
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.drivers.headless_driver import HeadlessDriver

sys.path.insert(0, str(Path(__file__).resolve().parent))

EXERCISE = "when-i-felt"


class DrawingDriver(HeadlessDriver):
    """A driver that is not headless: Textual renders every frame and writes it here."""

    written = 0
    writes = 0
    wrote: asyncio.Event | None = None  # set on each write, for the key loop to wait on

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        DrawingDriver.written += len(data)
        DrawingDriver.writes += 1
        if DrawingDriver.wrote is not None:
            DrawingDriver.wrote.set()

    def flush(self) -> None:
        pass


@dataclass
class Counts:
    """What happened in the app during the keys."""

    layouts: int = 0  # Screen._refresh_layout calls (a full layout of the screen)
    full_updates: int = 0  # compositor passes that redraw the whole screen
    partial_updates: int = 0  # compositor passes for the widgets that changed
    styles: int = 0  # Stylesheet.update_nodes calls (style recomputation)
    extra: dict[str, int] = field(default_factory=dict)


def count_passes(app: Any, counts: Counts) -> None:
    """Wrap the screen's layout and the compositor's passes so each call is counted."""
    from textual._compositor import Compositor
    from textual.css.stylesheet import Stylesheet

    screen = app.screen
    original_layout = screen._refresh_layout

    def layout(*args: Any, **kwargs: Any) -> Any:
        counts.layouts += 1
        return original_layout(*args, **kwargs)

    screen._refresh_layout = layout
    for name, attr in (("render_full_update", "full_updates"),
                       ("render_partial_update", "partial_updates")):
        original = getattr(Compositor, name)

        def wrapped(self: Any, *args: Any, _original: Any = original, _attr: str = attr,
                    **kwargs: Any) -> Any:
            setattr(counts, _attr, getattr(counts, _attr) + 1)
            return _original(self, *args, **kwargs)

        setattr(Compositor, name, wrapped)
    original_update = Stylesheet.update_nodes

    def update_nodes(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts.styles += 1
        return original_update(self, *args, **kwargs)

    Stylesheet.update_nodes = update_nodes  # type: ignore[method-assign]


async def settle(app: Any, seconds: float = 0.05) -> None:
    """Let the app finish what a key set off (its frame, its Changed messages)."""
    await asyncio.sleep(seconds)


async def to_name_field(pilot: Any) -> Any:
    await pilot.pause()
    await pilot.press("enter")  # from the first name field to the second
    await settle(pilot.app, 0.3)
    return pilot.app.focused


async def to_answer_box(pilot: Any) -> Any:
    from trustdialog.session import Session

    app = pilot.app
    await pilot.pause()
    exercise = app.library.exercises[EXERCISE]
    session = Session.new(app.store, exercise, {"a": "Alex", "b": "Sam"}, clock=app.clock)
    session.submit("ready", "a")
    session.submit("ready", "b")
    session.submit("continued", "a")
    app.run_session(session)
    from trustdialog.ui.widgets.answer_box import AnswerBox

    for _ in range(100):
        await settle(app, 0.05)
        if isinstance(app.focused, AnswerBox):
            break
    await settle(app, 0.3)
    return app.focused


def deliver(app: Any, data: bytes) -> None:
    """The bytes a terminal sends, parsed and posted as the terminal driver does."""
    for event in app._key_parser.feed(data.decode()):
        app._driver.process_message(event)


async def type_burst(app: Any, keys: int, counts: Counts | None = None) -> tuple[float, int]:
    """Type `keys` letters one frame at a time: (CPU seconds, characters written)."""
    letters = string.ascii_lowercase
    written = DrawingDriver.written
    cpu = time.process_time()
    for i in range(keys):
        if i and i % 40 == 0:
            deliver(app, b"\x15")  # ctrl+u: the line never grows long (not a letter: not counted apart)
        wrote = DrawingDriver.wrote = asyncio.Event()
        deliver(app, letters[i % 26].encode())
        try:  # until its frame is written (at most 2 s)
            await asyncio.wait_for(wrote.wait(), 2.0)
        except TimeoutError:
            pass
        await asyncio.sleep(0.02)  # what follows the frame (Changed messages, hints)
    return time.process_time() - cpu, DrawingDriver.written - written


def make_app(plain: bool = False) -> Any:
    from trustdialog.store import MemoryStore
    from trustdialog.ui import lean

    if plain:  # Textual's own way, for comparison: none of trustdialog.ui.lean's savings
        lean.install = lambda: None  # type: ignore[assignment]
        lean.lighten = lambda screen: screen  # type: ignore[assignment]
    from trustdialog.ui.app import make_app as make
    from trustdialog.ui.terminal_input import PasteSafeParser

    app = make(store=MemoryStore())
    app.driver_class = DrawingDriver
    app._key_parser = PasteSafeParser()
    return app


async def measure(where: str, keys: int, profile: int, cols: int, rows: int, plain: bool) -> None:
    app = make_app(plain)
    async with app.run_test(size=(cols, rows), headless=False) as pilot:
        focused = await (to_name_field(pilot) if where == "name" else to_answer_box(pilot))
        say(f"typing into {type(focused).__name__} ({where}), {keys} keys, {cols}x{rows}"
            f"{' (plain Textual: without trustdialog.ui.lean)' if plain else ''}")
        await type_burst(app, 20)  # warm up: caches, first-use imports
        counts = Counts()
        count_passes(app, counts)
        wall = time.perf_counter()
        cpu, written = await type_burst(app, keys)
        wall = time.perf_counter() - wall
        idle = time.process_time()
        await asyncio.sleep(min(wall, 5.0))
        idle = (time.process_time() - idle) / min(wall, 5.0) * wall  # the same time, no keys
        say(f"CPU per key {cpu / keys * 1000:.2f} ms, of which idle {idle / keys * 1000:.2f} ms "
            f"(the app ticking over for as long, with no key); {written / keys:.0f} characters written per key; "
              f"per key: layouts {counts.layouts / keys:.2f}, full compositor passes "
              f"{counts.full_updates / keys:.2f}, partial {counts.partial_updates / keys:.2f}, "
              f"style updates {counts.styles / keys:.2f}")
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await type_burst(app, keys)
            profiler.disable()
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
                stats.print_stats(profile)
                say(out.getvalue())


def thread_totals(pid: int) -> tuple[float, int]:
    """(CPU seconds of every thread of `pid`, their context switches) so far."""
    cpu, switches = 0, 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            cpu += int((task / "schedstat").read_text().split()[0])
            for line in (task / "status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    switches += int(line.split()[1])
        except OSError:  # a thread that ended meanwhile
            pass
    return cpu / 1e9, switches


def type_in_pty(program: tuple[str, list[str], str], keys: int, cols: int, rows: int) -> dict[str, float]:
    """CPU per letter and per backspace (ms), and thread switches per key, of one program."""
    import statistics

    from startup import launch

    _, argv, marker = program
    child = launch(argv, cols, rows)
    try:
        child.read_until(marker)
        child.quiet(0.5)
        spent: dict[str, list[float]] = {"letter": [], "backspace": []}
        _, switches_before = thread_totals(child.pid)
        for i in range(keys):
            kind = "backspace" if i % 12 >= 6 else "letter"
            cpu_before, _ = thread_totals(child.pid)
            child.write(b"\x7f" if kind == "backspace" else string.ascii_lowercase[i % 26].encode())
            child.pump(2.0)  # its frame
            child.quiet(0.01)  # and whatever follows it
            spent[kind].append(thread_totals(child.pid)[0] - cpu_before)
        _, switches_after = thread_totals(child.pid)
    finally:
        child.stop()
    every = spent["letter"] + spent["backspace"]
    return {"key": statistics.mean(every) * 1000, "letter": statistics.mean(spent["letter"]) * 1000,
            "backspace": statistics.mean(spent["backspace"]) * 1000,
            "switches": (switches_after - switches_before) / keys}


def pty_compare(args: argparse.Namespace) -> int:
    """The installed app and the bare one, alternating, each typed into in a real pty."""
    import statistics

    from startup import BARE, TRUSTDIALOG

    found: dict[str, list[dict[str, float]]] = {"bare": [], "trustdialog": []}
    for _ in range(args.runs):
        for program in (BARE, TRUSTDIALOG):
            result = type_in_pty(program, args.keys, args.cols, args.rows)
            found[program[0]].append(result)
            print(f"{program[0]:<12} CPU per key {result['key']:.2f} ms (letter {result['letter']:.2f}, "
                  f"backspace {result['backspace']:.2f}); thread switches per key {result['switches']:.1f}",
                  flush=True)
    medians = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for name, runs in found.items()}
    for name, m in medians.items():
        print(f"{name:<12} median of {args.runs}: {m['key']:.2f} ms a key (letter {m['letter']:.2f}, "
              f"backspace {m['backspace']:.2f}), {m['switches']:.1f} thread switches a key")
    print(f"ratio trustdialog/bare, CPU per key: {medians['trustdialog']['key'] / medians['bare']['key']:.2f}")
    return 0


def say(text: str) -> None:
    # Inside a running app, Textual captures sys.stdout.
    print(text, file=sys.__stdout__, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--where", choices=("name", "answer"), default="answer")
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="print this many top entries")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--plain", action="store_true", help="without trustdialog.ui.lean's savings")
    parser.add_argument("--pairs", type=int, default=0,
                        help="run plain and lean this many times each, alternating, in fresh "
                             "processes; print the medians")
    parser.add_argument("--pty", action="store_true",
                        help="the installed app and the bare one in real pseudo-terminals (see above)")
    parser.add_argument("--runs", type=int, default=3, help="with --pty: runs of each program")
    args = parser.parse_args()
    if args.pty:
        return pty_compare(args)
    if args.pairs:
        return compare(args)
    asyncio.run(measure(args.where, args.keys, args.profile, args.cols, args.rows, args.plain))
    return 0


def compare(args: argparse.Namespace) -> int:
    """Plain and lean, alternating, each in its own process: medians of CPU per key."""
    import re
    import statistics
    import subprocess

    found: dict[str, list[float]] = {"plain": [], "lean": []}
    for _ in range(args.pairs):
        for kind in ("plain", "lean"):
            argv = [sys.executable, __file__, "--where", args.where, "--keys", str(args.keys),
                    "--cols", str(args.cols), "--rows", str(args.rows)]
            out = subprocess.run(argv + (["--plain"] if kind == "plain" else []), capture_output=True,
                                 text=True, check=True).stdout
            match = re.search(r"CPU per key ([0-9.]+) ms", out)
            assert match, out
            found[kind].append(float(match.group(1)))
            print(f"{kind:<6}{out.splitlines()[-1]}")
    plain, lean = (statistics.median(found[k]) for k in ("plain", "lean"))
    print(f"{args.where}: CPU per key, median of {args.pairs}: plain Textual {plain:.2f} ms, "
          f"trustdialog.ui.lean {lean:.2f} ms ({lean / plain:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
