"""A watcher of one session sends nothing to its terminal while the host's other sessions go on.

With 25 live sessions on a host, every pause on any of them made every other watcher redraw its
whole screen (the welcome, still behind the exercise, refilled its list of sessions): 20-30 kB
to each terminal and about 45 ms of CPU in each app, which is what held the turn from one
connection to another at 0.7 s at the 95th percentile. Run as a person's would be: the installed
`trustdialog resume` in a real pty, the other sessions written by another process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from in_a_pty import Running

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import open_store


def _begun(store, names):
    session = Session.new(store, load_library().exercises["when-i-felt"], names)
    session.submit("ready", "a")
    session.submit("ready", "b")
    return session


def test_other_sessions_pausing_and_going_on_send_nothing_to_this_watcher(tmp_path):
    store = open_store(tmp_path)
    watched = _begun(store, {"a": "Ana", "b": "Ben"})
    others = [_begun(store, {"a": f"Kim{i}", "b": f"Lee{i}"}) for i in range(3)]
    app = Running([str(Path(sys.executable).parent / "trustdialog"), "resume", watched.id],
                  {"TRUSTDIALOG_DATA_DIR": str(tmp_path)})
    try:
        app.wait_for("Continue")
        app.read_for(2.0)  # the first frame, and whatever follows it, is over
        for other in others:
            other.submit("paused", "b", resume_at=None, note="")
            time.sleep(0.2)
            other.submit("resumed", "a")
            other.submit("continued", "a")
            time.sleep(0.2)
        assert app.read_for(1.5) == b""
        # ...and it is listening: its own session's pause shows at once.
        watched.submit("paused", "b", resume_at=None, note="")
        app.wait_for("Taking a break.", timeout=10)
    finally:
        app.stop()
        store.close()
