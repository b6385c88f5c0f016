"""Replay time of a 10,000-event session: load its events from SQLite, then engine.replay.

    .venv/bin/python benchmarks/replay.py [--events 10000] [--runs 5]

The session is a real flow (the shipped "when-i-felt" with enough rounds),
driven by engine.valid_actions so every event is one the engine accepts:
answers, mirrors, confirmations, ratings, private notes. It is written once
(synchronous off, for speed: not what is measured), then each run opens the
file in a fresh store, loads the events and replays them. Medians printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path

from trustdialog import engine
from trustdialog.exercise import load_library
from trustdialog.store import open_store
from trustdialog.store.sqlite import SQLiteStore


def build(path: Path, n: int) -> tuple[str, object]:
    base = load_library().exercises["when-i-felt"]
    exercise = dataclasses.replace(base, rounds=100_000)  # never runs out of flow
    names = {"a": "Ann", "b": "Bob"}
    store = open_store(path)
    store._conn.execute("PRAGMA synchronous=OFF")  # building only; the measure reopens
    sid = store.create_session(exercise.id, exercise.title, names)
    state = engine.start(exercise, names)
    at = 1_700_000_000.0
    events = []
    while len(events) < n:
        action = engine.valid_actions(state)[0]
        event = dataclasses.replace(action, at=at + len(events))
        state = engine.apply(state, event)
        events.append(event)
    store._conn.execute("BEGIN")
    for seq, event in enumerate(events, 1):
        store._conn.execute("INSERT INTO events (session_id, seq, kind, at, body) VALUES (?,?,?,?,?)",
                            (sid, seq, event.kind, event.at, json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"))))
    store._conn.execute("UPDATE sessions SET events = ? WHERE id = ?", (n, sid))
    store._conn.execute("COMMIT")
    store.close()
    return sid, exercise, state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="td-replay-"))
    sid, exercise, expected = build(folder, args.events)
    loads, replays = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        store = SQLiteStore(folder / "sessions.db")
        events = store.events(sid)
        t1 = time.perf_counter()
        state = engine.replay(exercise, {"a": "Ann", "b": "Bob"}, events)
        t2 = time.perf_counter()
        store.close()
        assert state == expected and len(events) == args.events
        loads.append(t1 - t0)
        replays.append(t2 - t1)
    kinds = {}
    for e in events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    print(f"{args.events} events ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"{(folder / 'sessions.db').stat().st_size // 1024} KiB")
    print(f"median of {args.runs}: open+load {statistics.median(loads) * 1000:.0f} ms, "
          f"engine.replay {statistics.median(replays) * 1000:.0f} ms, "
          f"total {statistics.median([a + b for a, b in zip(loads, replays)]) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
