"""Running a program in a real pseudo-terminal until it exits, as a person's terminal would."""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from pathlib import Path

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # a terminal's control sequences, left out of text


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
    return ESCAPES.sub("", text.rpartition("\x1b[?1049l")[2]).strip()


class Running:
    """A program left running in its own pty (100x30), read as a terminal would read it."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 100, rows: int = 30) -> None:
        import fcntl
        import struct
        import termios

        leader, follower = os.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        plain = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TRUSTDIALOG"))}
        plain.update(TERM="xterm-256color", LANG="C.UTF-8", **env)
        self.proc = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=plain,
                                     close_fds=True, start_new_session=True)
        os.close(follower)
        self.fd = leader
        self.output = bytearray()

    def read_for(self, seconds: float) -> bytes:
        """Everything the program writes in the next `seconds`."""
        start = len(self.output)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._pump(left)
        return bytes(self.output[start:])

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Read until `text` is on screen (escape codes left out)."""
        deadline = time.monotonic() + timeout
        while text not in ESCAPES.sub("", self.output.decode(errors="replace")):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never showed; last: {self.output[-400:]!r}")
            self._pump(left)

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], min(timeout, 0.2))
        if ready:
            try:
                self.output += os.read(self.fd, 65536)
            except OSError:  # gone
                time.sleep(min(timeout, 0.2))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.fd)
