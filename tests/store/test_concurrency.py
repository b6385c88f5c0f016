"""Two real processes appending to one session: no event lost, none doubled."""

from __future__ import annotations

import collections
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from trustdialog.store import db_path, open_store

WORKER = Path(__file__).with_name("append_worker.py")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("mode", ["plain", "after"])
def test_two_processes_appending_to_one_session(data_dir, tmp_path, mode):
    rounds, per_process = 2, 250  # 2 modes x 2 rounds x 2 x 250 = 2,000 racing appends
    switches = 0
    for r in range(rounds):
        store = open_store(data_dir)
        sid = store.create_session("x", "T", {"a": "A", "b": "B"})
        go = tmp_path / f"go-{mode}-{r}"
        procs = [subprocess.Popen([sys.executable, str(WORKER), str(data_dir), sid, f"{r}{tag}",
                                   str(per_process), mode, str(go)], cwd=REPO)
                 for tag in ("a", "b")]
        go.touch()
        assert [p.wait(timeout=60) for p in procs] == [0, 0]
        events = store.events(sid)
        seen = collections.Counter((e.data["tag"], e.data["i"]) for e in events)
        assert len(events) == 2 * per_process
        assert set(seen.values()) == {1}  # none doubled...
        assert set(seen) == {(f"{r}{t}", i) for t in "ab" for i in range(per_process)}  # ...none lost
        # Each writer's events keep their own order.
        for t in "ab":
            assert [e.data["i"] for e in events if e.data["tag"] == f"{r}{t}"] == list(range(per_process))
        switches += sum(1 for x, y in zip(events, events[1:]) if x.partner != y.partner)
        conn = sqlite3.connect(db_path(data_dir))
        seqs = [s for (s,) in conn.execute("SELECT seq FROM events WHERE session_id = ? ORDER BY seq", (sid,))]
        assert seqs == list(range(1, 2 * per_process + 1))
        assert store.info(sid).events == 2 * per_process
        store.close()
    # The two writers really did race (otherwise this test would prove nothing).
    assert switches > 20
