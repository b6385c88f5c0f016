"""Submit-to-durable latency: Session.submit until the event is committed, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/store_latency.py [--submits 2000] [--dir DIR] [--pg-url URL | --no-pg]

Each submit runs the engine check and appends in one transaction, exactly as
the app does. SQLite: BEGIN IMMEDIATE, committed with synchronous=FULL (the WAL
is fsynced). PostgreSQL: a row lock on the session, the insert and a NOTIFY,
committed with the server's defaults (fsync on, synchronous_commit on). Draft
saves (an upsert, also durable) are timed the same way. DIR defaults to a
fresh folder under the system temp dir; point it at the disk you care about.
Without --pg-url a throw-away PostgreSQL server is started on 127.0.0.1 (as
the tests do, with fsync on) when its programs are installed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(store: Store, label: str, n: int) -> None:
    assert store.persistent, store.warning
    exercise = load_library().exercises["when-i-felt"]
    session = Session.new(store, exercise, {"a": "Ann", "b": "Bob"})
    session.submit("ready", "a")
    session.submit("ready", "b")
    note = "We agreed to talk again after dinner; I need a little time first. " * 3
    submits: list[float] = []
    for i in range(n // 2):
        # Pause and resume: any step, any time, so the loop never runs out of flow.
        for kind, partner, data in (("paused", "a", {"note": note, "resume_at": None}), ("resumed", "b", {})):
            t = time.perf_counter()
            session.submit(kind, partner, **data)
            submits.append(time.perf_counter() - t)
    drafts: list[float] = []
    for i in range(min(500, n)):
        t = time.perf_counter()
        session.save_draft("voice:1:a:event", note[: 20 + i % 150])
        drafts.append(time.perf_counter() - t)
    assert len(store.events(session.id)) == 2 + len(submits)
    ms = lambda v: f"{v * 1000:.2f} ms"  # noqa: E731
    print(f"{label}: submit to durable, {len(submits)} submits: p50 {ms(statistics.median(submits))}, "
          f"p95 {ms(pct(submits, 95))}, p99 {ms(pct(submits, 99))}, max {ms(max(submits))}")
    print(f"{label}: draft save, {len(drafts)} saves: p50 {ms(statistics.median(drafts))}, "
          f"p95 {ms(pct(drafts, 95))}, p99 {ms(pct(drafts, 99))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL database to measure instead of "
                        "a throw-away local server")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="td-latency-"))
    print(f"data dir: {folder / 'data'}")
    store = open_store(folder / "data")
    measure(store, "sqlite", args.submits)
    store.close()
    if args.no_pg:
        return
    server = None
    url = args.pg_url
    if url is None:
        sys.path.insert(0, str(REPO / "tests" / "store"))
        from pg_server import NoPostgres, PostgresServer

        try:
            server = PostgresServer(fsync=True)
        except NoPostgres as error:
            print(f"postgresql: not measured: {error}")
            return
        url = server.start()
        print(f"postgresql: a throw-away server on 127.0.0.1:{server.port} (fsync on)")
    try:
        store = open_store(None, url=url)
        measure(store, "postgresql", args.submits)
        store.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
