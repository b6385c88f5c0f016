"""Memory of apps forked from a template like serve's, and what changes it: private pages per app.

This process does what trustdialog/ssh/forkserver.py does before forking
(imports its PRELOAD, collects, gc.freeze, offers its pages to the kernel's
same-page merging), with one of the variants below first, then forks N apps, each on its own pty (100x30) running `trustdialog`
with its own data folder. Once every app has drawn its welcome and gone
quiet, it prints each app's mean RSS, PSS and private dirty memory, and the
template's. Private dirty is what one more connection costs. For one app it also says
where its private heap lies: in ranges the template has too (pages copied on a write,
such as a reference count) or in new ones.

With `--merge S` it then waits S seconds more, printing the apps' mean PSS every 5 s, for the
kernel to merge the pages the apps hold alike; that happens only where the host runs KSM
(`echo 1 > /sys/kernel/mm/ksm/run`, as root): the figures say whether it did.

    .venv/bin/python benchmarks/fork_memory.py [--apps 4] [--variant none|warm|fill|nogc|trace] [--merge 30]

Variants (each an idea for a smaller app, to measure):
  none   the template as serve starts it
  warm   the template first runs one app headless (welcome, a name, an exercise
         step, a few keys in the answer box), so its caches and code are warm
  fill   the template fills the free blocks of its allocator's pools before
         freezing, so an app's new objects do not land in the template's pages
  nogc   the apps never run the garbage collector
  trace  as none, and the first app reports its new Python allocations
         (tracemalloc, started after the fork) after 6 s, by file
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import gc
import importlib
import json
import os
import pty
import re
import select
import struct
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rollup(pid: int) -> dict[str, int]:
    """/proc/PID/smaps_rollup in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "kB":
            found[parts[0].rstrip(":")] = int(parts[1])
    return found


def heap_ranges(pid: int) -> list[tuple[int, int, int]]:
    """(start, end, private dirty KiB) of each anonymous or heap mapping of PID."""
    found = []
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            heap = len(parts) < 6 or parts[5] == "[heap]"
            found.append([start, end, 0] if heap else [0, 0, -1])
        elif parts[0] == "Private_Dirty:" and found and found[-1][2] == 0:
            found[-1][2] = int(parts[1])
    return [(a, b, kib) for a, b, kib in found if kib >= 0]


def where_private(app: int, template: int) -> dict[str, float]:
    """An app's private heap memory, MiB: in ranges the template has too (pages copied from
    it) and in ranges of the app's own (memory it allocated anew)."""
    theirs = heap_ranges(template)
    copied = new = 0
    for start, end, kib in heap_ranges(app):
        if any(start < t_end and t_start < end for t_start, t_end, _ in theirs):
            copied += kib
        else:
            new += kib
    return {"private_heap_in_template_ranges_mib": round(copied / 1024, 1),
            "private_heap_in_new_ranges_mib": round(new / 1024, 1)}


def warm() -> None:
    from trustdialog.session import Session
    from trustdialog.store import MemoryStore
    from trustdialog.ui.app import make_app

    async def run() -> None:
        app = make_app(store=MemoryStore())
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("enter", *"alex")
            session = Session.new(app.store, app.library.exercises["when-i-felt"],
                                  {"a": "Alex", "b": "Sam"}, clock=app.clock)
            for kind, partner in (("ready", "a"), ("ready", "b"), ("continued", "a")):
                session.submit(kind, partner)
            app.run_session(session)
            await pilot.pause(0.5)
            await pilot.press(*"we talked")
            await pilot.pause()

    asyncio.run(run())


def fill() -> int:
    """Take every free block of pymalloc's used pools (sizes 32 and 48..512 bytes)."""
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write)
    with os.fdopen(read) as stats:
        text = stats.read()
    held: list[object] = []
    for line in text.splitlines():
        match = re.match(r"^\s+\d+\s+(\d+)\s+\d+\s+\d+\s+(\d+)\s*$", line)
        if match:
            size, free = map(int, match.groups())
            if size >= 48:
                held.extend(bytes(size - 33) for _ in range(free))  # a bytes object is 33 + len
            elif size == 32:
                held.extend(10**6 + i for i in range(free))  # an int is 28 bytes
    FILLED.extend(held)
    return len(held)


def ksm_run() -> str | None:
    """The host's KSM switch: "1" when it merges pages offered to it."""
    try:
        return Path("/sys/kernel/mm/ksm/run").read_text().strip()
    except OSError:
        return None


FILLED: list[object] = []
TRACE_FILE = os.path.join(tempfile.gettempdir(), f"fork_memory_trace_{os.getpid()}.txt")


def app_child(variant: str) -> None:
    """In the fork: the app, as forkserver's apps run it."""
    import runpy

    folder = tempfile.mkdtemp()
    os.environ["TERM"] = "xterm-256color"
    sys.argv = ["trustdialog", "--data-dir", folder]
    if variant == "nogc":
        gc.disable()
        gc.enable = lambda: None  # type: ignore[assignment]
    if variant == "trace":
        import tracemalloc

        tracemalloc.start()

        def report() -> None:
            current, _ = tracemalloc.get_traced_memory()
            lines = [f"new Python allocations in the app: {current / 2**20:.1f} MiB"]
            lines += [str(stat) for stat in tracemalloc.take_snapshot().statistics("filename")[:15]]
            Path(TRACE_FILE).write_text("\n".join(lines))

        threading.Timer(6.0, report).start()
    runpy.run_module("trustdialog", run_name="__main__", alter_sys=True)
    os._exit(0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=4)
    parser.add_argument("--variant", choices=("none", "warm", "fill", "nogc", "trace"), default="none")
    parser.add_argument("--merge", type=float, default=0.0, metavar="S",
                        help="seconds to wait for the kernel's same-page merging before measuring")
    args = parser.parse_args()
    from trustdialog.ssh.forkserver import PRELOAD, let_the_kernel_merge

    for name in PRELOAD:
        importlib.import_module(name)
    if args.variant == "warm":
        warm()
    gc.collect()
    if args.variant == "fill":
        print(f"filled {fill()} free blocks")
    gc.freeze()
    offered = let_the_kernel_merge()
    apps = []
    for i in range(args.apps):
        pid, fd = pty.fork()
        if pid == 0:
            app_child(args.variant if i == 0 or args.variant != "trace" else "none")
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        apps.append((pid, fd))
    shown = {fd: b"" for _, fd in apps}
    deadline, last = time.monotonic() + 60, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - last < 3:
        ready, _, _ = select.select(list(shown), [], [], 0.5)
        for fd in ready:
            try:
                shown[fd] += os.read(fd, 65536)
                last = time.monotonic()
            except OSError:
                pass
    waited = 0.0
    while waited < args.merge:
        time.sleep(5)
        waited += 5
        pss = sum(rollup(pid)["Pss"] for pid, _ in apps) / len(apps) / 1024
        print(f"after {waited:.0f}s: PSS {pss:.1f} MiB per app", flush=True)
    if args.variant == "trace":
        time.sleep(max(0.0, 7 - (time.monotonic() - last)))
    if args.variant == "trace" and os.path.exists(TRACE_FILE):
        print(Path(TRACE_FILE).read_text())
        os.unlink(TRACE_FILE)
    missing = [pid for pid, fd in apps if b"Partner" not in shown[fd]]
    memory = [rollup(pid) for pid, _ in apps]
    template = rollup(os.getpid())
    where = where_private(apps[-1][0], os.getpid())
    for pid, _ in apps:
        os.kill(pid, 9)
        os.waitpid(pid, 0)

    def mean(key: str) -> float:
        return round(sum(m.get(key, 0) for m in memory) / len(memory) / 1024, 1)

    print(json.dumps({"variant": args.variant, "apps": args.apps, "rss_mib": mean("Rss"),
                      "pss_mib": mean("Pss"), "private_dirty_mib": mean("Private_Dirty"),
                      "shared_mib": round(mean("Shared_Dirty") + mean("Shared_Clean"), 1),
                      "template_rss_mib": round(template["Rss"] / 1024, 1),
                      **where, "merge_offered": offered, "ksm_run": ksm_run(), "merge_wait_s": args.merge,
                      "apps_without_a_welcome": len(missing)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
