"""Memory of apps forked from a template like serve's, and what changes it: private pages per app.

This process does what trustdialog/ssh/forkserver.py does before forking
(imports its PRELOAD, collects, gc.freeze, offers its pages to the kernel's
same-page merging), with one of the variants below first, then forks N apps, each on its own pty (100x30) running `trustdialog`
with its own data folder. Once every app has drawn its welcome and gone
quiet, it prints each app's mean RSS, PSS and private dirty memory, and the
template's. Private dirty is what one more connection costs. For one app it also says
where its private heap lies: in ranges the template has too (pages copied on a write,
such as a reference count) or in new ones.

With `--why` it also says why the last app copied each template page it holds: it compares
the page in the app and in the template word by word (as root: the kernel shows page
frames and other processes' memory only to root) and names what the changed words
belong to, from a map of the template's objects made before the fork.

With `--merge S` it then waits S seconds more, printing the apps' mean PSS every 5 s, for the
kernel to merge the pages the apps hold alike; that happens only where the host runs KSM
(`echo 1 > /sys/kernel/mm/ksm/run`, as root): the figures say whether it did.

    .venv/bin/python benchmarks/fork_memory.py [--apps 4] [--variant none|warm|fill|nogc|trace] [--merge 30] [--why]

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
import array
import asyncio
import bisect
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
import traceback
import types
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


class ObjectMap:
    """Where the template's objects lie: start, end and type of each, sorted, to name what
    a changed word of a copied page belongs to.

    A fork of the template makes it and writes it to a file, so that the template's heap
    is as serve's (the map's own memory, freed in the template, would be where its apps
    put their new objects); the template reads it back only at the end."""

    FIELDS = ("starts", "addresses", "ends", "kinds")

    def __init__(self, path: str) -> None:
        self.path = path
        child = os.fork()
        if child == 0:
            status = 0
            try:
                self._write()
            except BaseException:
                traceback.print_exc()
                status = 1
            os._exit(status)  # never back into the template's code
        if os.waitpid(child, 0)[1] != 0:
            raise RuntimeError("the map of the template's objects could not be made")

    def _write(self) -> None:
        seen: dict[int, object] = {}
        todo = list(gc.get_objects())
        while todo:  # the collector tracks containers; their strings, numbers and code too
            obj = todo.pop()
            if obj is None or id(obj) in seen:
                continue
            seen[id(obj)] = obj
            if isinstance(obj, types.CodeType):  # code is not tracked, nor traversed
                todo.extend((obj.co_consts, obj.co_names, obj.co_filename, obj.co_name,
                             obj.co_qualname, obj.co_linetable, obj.co_exceptiontable))
            else:
                todo.extend(gc.get_referents(obj))
        spans = []
        names: dict[str, int] = {}
        for address, obj in seen.items():
            start = address - (16 if gc.is_tracked(obj) else 0)  # a tracked object's GC header
            kind = "type" if isinstance(obj, type) else type(obj).__name__
            spans.append((start, address, start + sys.getsizeof(obj), names.setdefault(kind, len(names))))
        spans.sort()
        with open(self.path, "wb") as out:
            out.write(json.dumps({"names": list(names), "count": len(spans)}).encode() + b"\n")
            for i in range(len(self.FIELDS)):
                array.array("Q", (span[i] for span in spans)).tofile(out)

    def load(self) -> None:
        with open(self.path, "rb") as source:
            head = json.loads(source.readline())
            self.names = head["names"]
            for field in self.FIELDS:
                values = array.array("Q")
                values.fromfile(source, head["count"])
                setattr(self, field, values)
        os.unlink(self.path)

    def word(self, address: int) -> str:
        """What the word at `address` is: "<type> count" (a reference count), "<type>" (another
        field of an object of that type) or "outside any object" (free space, tables)."""
        k = bisect.bisect_right(self.starts, address) - 1
        if k < 0 or address >= self.ends[k]:
            return "outside any object"
        kind = self.names[self.kinds[k]]
        if kind == "code" and address != self.addresses[k]:
            return "code (warm-up count, specialised bytecode)"
        return f"{kind} count" if address == self.addresses[k] else kind


def why_copied(app: int, template: int, objects: ObjectMap) -> dict[str, float]:
    """MiB of the template's pages the app holds a copy of, by what its changed words belong
    to (a page counts once, for its most common kind of changed word). Needs root."""
    present = 1 << 63
    frame = (1 << 55) - 1
    found: dict[str, float] = {}
    with open(f"/proc/{template}/pagemap", "rb") as t_map, open(f"/proc/{app}/pagemap", "rb") as a_map, \
            open(f"/proc/{template}/mem", "rb") as t_mem, open(f"/proc/{app}/mem", "rb") as a_mem:
        for line in Path(f"/proc/{template}/maps").read_text().splitlines():
            parts = line.split()
            if "w" not in parts[1]:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            where = os.path.basename(parts[5]) if len(parts) > 5 else "anonymous memory"
            t_map.seek(start // 4096 * 8)
            a_map.seek(start // 4096 * 8)
            count = (end - start) // 4096
            theirs = struct.unpack(f"{count}Q", t_map.read(count * 8))
            ours = struct.unpack(f"{count}Q", a_map.read(count * 8))
            for i, (t, a) in enumerate(zip(theirs, ours)):
                if not (t & present and a & present) or t & frame == a & frame:
                    continue
                if not t & frame:
                    raise PermissionError("page frames are hidden: --why needs root")
                page = start + i * 4096
                t_mem.seek(page)
                a_mem.seek(page)
                before, after = t_mem.read(4096), a_mem.read(4096)
                kinds: dict[str, int] = {}
                for w in range(0, 4096, 8):
                    if before[w:w + 8] != after[w:w + 8]:
                        kind = objects.word(page + w)
                        if kind == "outside any object":
                            kind = f"outside any object, in {where}"
                        kinds[kind] = kinds.get(kind, 0) + 1
                kind = max(kinds, key=kinds.__getitem__) if kinds else "the same bytes again"
                found[kind] = found.get(kind, 0) + 4096 / 2**20
    ranked = sorted(found.items(), key=lambda item: -item[1])
    top = {kind: round(mib, 2) for kind, mib in ranked[:10]}
    top["other kinds"] = round(sum(mib for _, mib in ranked[10:]), 2)
    top["all copied pages"] = round(sum(found.values()), 1)
    return top


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
    parser.add_argument("--why", action="store_true",
                        help="say why the last app copied the template's pages it holds (as root)")
    args = parser.parse_args()
    from trustdialog.ssh.forkserver import PRELOAD, let_the_kernel_merge

    for name in PRELOAD:
        importlib.import_module(name)
    if args.variant == "warm":
        warm()
    gc.collect()
    if args.variant == "fill":
        print(f"filled {fill()} free blocks")
    objects = ObjectMap(os.path.join(tempfile.gettempdir(), f"fork_memory_map_{os.getpid()}")) \
        if args.why else None
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
    if objects is not None:
        objects.load()
        print(json.dumps({"why_copied_mib": why_copied(apps[-1][0], os.getpid(), objects)}, indent=1))
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
