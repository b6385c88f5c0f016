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
    # Race rounds of 2 x 250 appends until the log shows 1,000 interleavings
    # (places where the writer changes), checking every round in full.
    wanted, max_rounds, per_process = 1000, 12, 250
    switches = 0
    for r in range(max_rounds):
        if switches >= wanted:
            break
        store = open_store(data_dir)
        # A second store in the same process, opened while the first is: it
        # must not drop the first one's file locks (that corrupted the file).
        twin = open_store(data_dir)
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
        # `conn` stays open into the next round on purpose: opening the store
        # again must not drop this process's locks under it (that once
        # corrupted the file when the last writer closed).
        assert store.info(sid).events == 2 * per_process
        assert twin.events(sid) == events
        twin.close()
        store.close()
    # The two writers really did race (otherwise this test would prove nothing).
    print(f"\n{mode}: {switches} interleavings in {r} rounds")
    assert switches >= wanted
