"""Submit-to-durable latency: Session.submit until the event is committed (fsynced) in SQLite.

    .venv/bin/python benchmarks/store_latency.py [--submits 2000] [--dir DIR]

Each submit runs the engine check, appends in a BEGIN IMMEDIATE transaction
and commits with synchronous=FULL (the WAL is fsynced), exactly as the app
does. Draft saves (an upsert, also fsynced) are timed the same way. DIR
defaults to a fresh folder under the system temp dir; point it at the disk
you care about.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import open_store


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="td-latency-"))
    store = open_store(folder / "data")
    assert store.persistent, store.warning
    exercise = load_library().exercises["when-i-felt"]
    session = Session.new(store, exercise, {"a": "Ann", "b": "Bob"})
    session.submit("ready", "a")
    session.submit("ready", "b")
    note = "We agreed to talk again after dinner; I need a little time first. " * 3
    submits: list[float] = []
    for i in range(args.submits // 2):
        # Pause and resume: any step, any time, so the loop never runs out of flow.
        for kind, partner, data in (("paused", "a", {"note": note, "resume_at": None}), ("resumed", "b", {})):
            t = time.perf_counter()
            session.submit(kind, partner, **data)
            submits.append(time.perf_counter() - t)
    drafts: list[float] = []
    for i in range(min(500, args.submits)):
        t = time.perf_counter()
        session.save_draft("voice:1:a:event", note[: 20 + i % 150])
        drafts.append(time.perf_counter() - t)
    assert len(store.events(session.id)) == 2 + len(submits)
    ms = lambda v: f"{v * 1000:.2f} ms"  # noqa: E731
    print(f"data dir: {folder / 'data'}")
    print(f"submit to durable, {len(submits)} submits: p50 {ms(statistics.median(submits))}, "
          f"p95 {ms(pct(submits, 95))}, p99 {ms(pct(submits, 99))}, max {ms(max(submits))}")
    print(f"draft save, {len(drafts)} saves: p50 {ms(statistics.median(drafts))}, "
          f"p95 {ms(pct(drafts, 95))}")


if __name__ == "__main__":
    main()
