"""A separate process that appends numbered events to one session (for the concurrency test)."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from trustdialog.engine import Event
from trustdialog.store import StoreConflict, open_store


def main(data_dir: str, session_id: str, tag: str, n: int, mode: str, go: str) -> None:
    store = open_store(Path(data_dir))
    assert store.persistent, store.warning
    while not Path(go).exists():  # start together with the other writer
        time.sleep(0.001)
    rng = random.Random(tag)
    for i in range(n):
        time.sleep(rng.uniform(0, 0.002))
        event = Event("paused", "a" if tag.endswith("a") else "b", data={"tag": tag, "i": i})
        if mode == "after":
            # The Session path: append only onto the log as last seen; on a
            # conflict, look again and retry.
            while True:
                try:
                    store.append(session_id, event, after=store.info(session_id).events)
                    break
                except StoreConflict:
                    continue
        else:
            store.append(session_id, event)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
