"""The app on a database server that is down: it closes, then says so in one line."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time

from pg_server import free_port
from store_helpers import REPO


def test_the_app_on_a_server_that_is_down_closes_with_one_line():
    url = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/practice"
    leader, follower = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS="80", LINES="24")
    # This checkout's code (-m from the repository), opened as people open it.
    proc = subprocess.Popen([sys.executable, "-m", "trustdialog", "--store", url], stdin=follower,
                            stdout=follower, stderr=follower, env=env, close_fds=True, cwd=REPO)
    os.close(follower)
    output = bytearray()
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the program has exited and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    text = output.decode(errors="replace")
    assert code == 1, text
    # What is left on the normal screen once the app has left the alternate one.
    after = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", text.rpartition("\x1b[?1049l")[2]).strip()
    assert after.startswith("trustdialog: cannot reach the database postgresql://ann:***@"), after
    assert "\n" not in after and "s3cret" not in text and "Traceback" not in text
