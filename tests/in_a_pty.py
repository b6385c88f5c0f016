"""Running a program in a real pseudo-terminal until it exits, as a person's terminal would."""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from pathlib import Path


def run_until_exit(argv: list[str], cwd: Path | None = None, timeout: float = 30.0) -> tuple[int, str]:
    """(exit code, everything it wrote) for `argv` run in an 80x24 pty with a plain environment."""
    leader, follower = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", COLUMNS="80", LINES="24")
    proc = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env,
                            close_fds=True, cwd=cwd)
    os.close(follower)
    output = bytearray()
    deadline = time.monotonic() + timeout
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
    return code, output.decode(errors="replace")


def left_on_screen(text: str) -> str:
    """What is left on the normal screen once the app has left the alternate one."""
    return re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", text.rpartition("\x1b[?1049l")[2]).strip()
