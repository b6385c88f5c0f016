"""Presence: who is on a session, seen from other processes, gone the moment a process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from trustdialog.presence import WRITING_FOR, Presence

SID = "abc123"


def _hold(folder, who: str) -> subprocess.Popen:
    """Another process that joins the session and then waits (as an app would)."""
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from trustdialog.presence import Presence
        here = Presence(Path({str(folder)!r})).join({SID!r}, {who!r}, "client", "b")
        here.writing() if "--typing" in sys.argv else None
        print("joined", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code, "--typing"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "joined"
    return proc


def test_someone_on_another_process_is_seen_and_their_typing_shows_not_their_words(tmp_path):
    presence = Presence(tmp_path)
    mine = presence.join(SID, "ana", "client", "a")
    other = _hold(tmp_path, "ben")
    try:
        time.sleep(0.3)
        seen = {p.who: p for p in presence.present(SID, mine)}
        assert set(seen) == {"ana", "ben"} and seen["ana"].mine and not seen["ben"].mine
        assert seen["ben"].partner == "b" and not seen["ana"].writing
    finally:
        other.kill()
        other.wait()
    mine.leave()


def test_a_killed_app_leaves_no_ghost(tmp_path):
    presence = Presence(tmp_path)
    other = _hold(tmp_path, "ben")
    assert [p.who for p in presence.present(SID)] == ["ben"]
    os.kill(other.pid, signal.SIGKILL)
    other.wait()
    assert presence.present(SID) == []  # the lock went with the process
    assert os.listdir(tmp_path / SID) == []  # and the file is cleaned up on that look


def test_writing_shows_for_a_few_seconds_after_a_keystroke(tmp_path):
    presence = Presence(tmp_path)
    mine = presence.join(SID, "ana", "client", "a")
    time.sleep(0.3)
    mine.writing()
    [me] = presence.present(SID, mine)
    assert me.writing
    later = time.time() - WRITING_FOR - 1
    os.utime(mine.path, (later, later))
    [me] = presence.present(SID, mine)
    assert not me.writing
    mine.leave()
    assert presence.present(SID) == []


def test_a_session_id_that_is_not_an_id_is_never_a_path(tmp_path):
    presence = Presence(tmp_path / "p")
    assert presence.join("../escape", "x", "client", None) is None
    assert presence.present("../escape") == []
    assert not (tmp_path / "escape").exists()
