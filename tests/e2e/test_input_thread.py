"""Reading the terminal sleeps until a key comes, a key wakes one thread, and a lone Escape still counts.

Textual's input thread woke ten times a second to see whether the app was closing: three
quarters of an idle app's CPU, and on a server where a hundred people read, a tenth of a core.
Textual also reads and writes the terminal in two threads of their own: each key woke both and
handed over between them and the loop (8.5 thread switches a key, about a ninth of the key's
CPU). The app's event loop now reads and writes the terminal itself.
Run as a person's would be: the installed `trustdialog` in a real pty. Wake-ups are counted
from the kernel's tally of each thread's switches, not timed.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from in_a_pty import ESCAPES, Running

APP = str(Path(sys.executable).parent / "trustdialog")
F1 = b"\x1bOP"


def wakeups(pid: int) -> dict[str, int]:
    """Each thread's context switches so far (one at least per wake-up)."""
    counts = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        status = dict(line.split(":\t", 1) for line in (task / "status").read_text().splitlines()
                      if ":\t" in line)
        counts[task.name] = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
    return counts


def most_wakeups_while_idle(app: Running, seconds: float) -> int:
    before = wakeups(app.proc.pid)
    app.read_for(seconds)
    after = wakeups(app.proc.pid)
    return max(after[tid] - before.get(tid, 0) for tid in after)


def test_an_idle_app_sleeps_and_a_lone_escape_still_closes_what_it_closes(tmp_path):
    app = Running([APP, "--data-dir", str(tmp_path)], {})
    try:
        app.wait_for("Partner")
        app.read_for(1.0)  # the first frame, and whatever follows it, is over
        # The main loop looks at the store once a second; the input thread polled ten times.
        assert most_wakeups_while_idle(app, 3.0) <= 10
        os.write(app.fd, F1)
        app.wait_for("quick exit")
        app.read_for(0.5)
        seen = len(app.output)
        # An ESC alone is Escape only once nothing follows it: the thread must wake for that.
        os.write(app.fd, b"\x1b")
        app.read_for(1.5)
        shown = ESCAPES.sub("", app.output[seen:].decode(errors="replace"))
        assert "Guided conversations" in shown, "Escape did not close the help"
        assert most_wakeups_while_idle(app, 3.0) <= 10
        os.write(app.fd, b"\x11")  # ctrl+q: on the welcome it quits at once
        assert app.proc.wait(10) == 0
    finally:
        if app.proc.poll() is None:
            app.proc.kill()


def test_a_key_wakes_only_the_apps_own_thread(tmp_path):
    app = Running([APP, "--data-dir", str(tmp_path)], {})
    try:
        app.wait_for("Partner")
        app.read_for(1.0)
        before = wakeups(app.proc.pid)
        typed = "abcdefghijklmnop"
        for letter in typed:
            os.write(app.fd, letter.encode())
            app.read_for(0.1)  # its frame, and time for any other thread to have been woken
        app.wait_for(typed)
        after = wakeups(app.proc.pid)
        woken = {tid: after[tid] - before.get(tid, 0) for tid in after}
        main = str(app.proc.pid)
        assert woken[main] >= len(typed)
        # Textual's reading and writing threads each woke once a key at least (16 here).
        assert all(count <= 3 for tid, count in woken.items() if tid != main), woken
    finally:
        app.stop()


def test_keys_from_a_file_are_read_to_its_end_and_then_the_app_rests(tmp_path):
    # A file as standard input cannot be watched by the event loop (it is always ready).
    # It is read to its end; the old reading thread read it too, and then spun on its
    # end for as long as the app ran, a whole core.
    keys = tmp_path / "keys.txt"
    keys.write_bytes(b"Ana\tBen")
    leader, follower = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TRUSTDIALOG"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8")
    with keys.open("rb") as stdin:
        proc = subprocess.Popen([APP, "--data-dir", str(tmp_path / "data")], stdin=stdin,
                                stdout=follower, stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    try:
        seen = bytearray()
        deadline = time.monotonic() + 30
        while "Ben" not in ESCAPES.sub("", seen.decode(errors="replace")):
            assert time.monotonic() < deadline, f"the names never showed: {bytes(seen[-300:])!r}"
            if select.select([leader], [], [], 0.2)[0]:
                seen += os.read(leader, 65536)
        shown = ESCAPES.sub("", seen.decode(errors="replace"))
        assert "Ana" in shown
        before = cpu_ticks(proc.pid)
        end = time.monotonic() + 3.0
        while (left := end - time.monotonic()) > 0:  # keep the terminal drained
            if select.select([leader], [], [], min(left, 0.2))[0]:
                os.read(leader, 65536)
        # A loop spinning on the file's end takes every tick; an app at rest, about none.
        assert cpu_ticks(proc.pid) - before < os.sysconf("SC_CLK_TCK")
    finally:
        proc.kill()
        proc.wait(10)
        os.close(leader)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_editing_keys_in_one_burst_act_in_the_order_typed(tmp_path):
    # Backspace, Ctrl+U and the arrows run in the field itself (trustdialog/ui/widgets/
    # own_keys.py), letters too: in one write from the terminal, each acts where it was typed.
    app = Running([APP, "--data-dir", str(tmp_path)], {})
    try:
        app.wait_for("Partner")
        app.read_for(0.5)
        left = b"\x1b[D"
        # "Wrex", two back, "o" -> "Wro"; Ctrl+U clears it; "Zoq", one back, "qx" -> "Zoqx";
        # two to the left, "y" -> "Zoyqx".
        os.write(app.fd, b"Wrex\x7f\x7fo\x15Zoq\x7fqx" + left + left + b"y")
        app.wait_for("Zoyqx", timeout=15)
        os.write(app.fd, b"\x11")  # ctrl+q: on the welcome it quits at once
        assert app.proc.wait(10) == 0
    finally:
        if app.proc.poll() is None:
            app.proc.kill()
