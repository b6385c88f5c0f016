"""Drive a real terminal: a program in a private tmux server, read back with capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Mapping, Sequence


class TmuxError(AssertionError):
    """tmux is missing, failed, or the screen never showed what was waited for."""


class TmuxSession:
    """One tmux server of our own (`tmux -L <unique>`), one window, one pane.

    The server is private so a developer's tmux is never touched, and `kill()`
    (call it in a `finally`) takes the whole server down with what runs in it.
    """

    def __init__(self, width: int = 100, height: int = 30,
                 env: Mapping[str, str] | None = None) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            # Never a skip: CI installs tmux, and a missing tmux must be seen.
            raise TmuxError("tmux is not installed; the end-to-end tests need it (apt-get install tmux)")
        self.tmux = tmux
        self.socket = f"trustdialog-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height
        self.env = dict(env or {})
        self.target = "main"
        self.started = False
        self._config: tempfile._TemporaryFileWrapper | None = None

    # -- life ----------------------------------------------------------------

    def start(self, command: Sequence[str], cwd: str | os.PathLike | None = None) -> "TmuxSession":
        """Run `command` in a new detached session of the given size."""
        env = {**os.environ, **self.env}
        env.pop("TMUX", None)  # we may be running inside someone's tmux
        # Our own config, read before the first pane starts: no user config, the
        # TERM a new user's terminal would have, the pane kept after its program
        # exits (to read what was left behind), no status line, no Esc delay.
        self._config = tempfile.NamedTemporaryFile("w", prefix="tmux-", suffix=".conf", delete=False)
        with self._config as conf:
            conf.write(f'set -g default-terminal "{self.env.get("TERM", "xterm-256color")}"\n'
                       "set -g remain-on-exit on\nset -g status off\nset -s escape-time 0\n"
                       "set -g history-limit 5000\n")
        args = ["-f", self._config.name, "new-session", "-d", "-s", self.target,
                "-x", str(self.width), "-y", str(self.height)]
        for key, value in self.env.items():
            args += ["-e", f"{key}={value}"]
        if cwd is not None:
            args += ["-c", str(cwd)]
        self.started = True  # from here on kill() has a server to stop
        self._run(*args, "--", *command, env=env)
        return self

    def kill(self) -> None:
        """Stop the server and everything in it; safe to call twice."""
        if self.started:
            subprocess.run([self.tmux, "-L", self.socket, "kill-server"],
                           capture_output=True, timeout=10)
            self.started = False
        if self._config is not None:
            Path(self._config.name).unlink(missing_ok=True)
            self._config = None

    def __enter__(self) -> "TmuxSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()

    # -- input ---------------------------------------------------------------

    def send(self, *keys: str) -> None:
        """Send tmux key names ("Enter", "Tab", "C-t", "F1", "Escape", "BTab")."""
        self._run("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        """Type `text` literally, character by character as a keyboard would."""
        self._run("send-keys", "-t", self.target, "-l", text)

    def paste(self, text: str) -> None:
        """Paste `text` as a terminal would (bracketed if the program asked for it).

        The buffer is loaded from standard input, so any byte can be pasted (NUL included).
        """
        result = subprocess.run([self.tmux, "-L", self.socket, "load-buffer", "-b", "test", "-"],
                                input=text.encode("utf-8"), capture_output=True, timeout=20)
        if result.returncode != 0:
            raise TmuxError(f"tmux load-buffer failed: {result.stderr.decode(errors='replace').strip()}")
        self._run("paste-buffer", "-p", "-r", "-d", "-b", "test", "-t", self.target)

    def resize(self, width: int, height: int) -> None:
        self._run("resize-window", "-t", self.target, "-x", str(width), "-y", str(height))

    # -- output --------------------------------------------------------------

    def screen(self, history: bool = False, styles: bool = False) -> str:
        """The visible screen as plain text (with `history`, the scrollback too).

        With `styles`, colours and attributes stay in as escape sequences (the
        focused button is only told apart by its reverse video).
        """
        args = ["capture-pane", "-p", "-t", self.target]
        if history:
            args += ["-S", "-", "-E", "-"]
        if styles:
            args.append("-e")
        return self._run(*args).stdout

    def pane_dead(self) -> bool:
        """Has the program in the pane exited?"""
        out = self._run("display-message", "-p", "-t", self.target, "#{pane_dead}").stdout
        return out.strip() == "1"

    def exit_status(self) -> int | None:
        out = self._run("display-message", "-p", "-t", self.target, "#{pane_dead_status}").stdout
        return int(out) if out.strip() else None

    def wait_for(self, text: str | Callable[[str], bool], timeout: float = 10.0,
                 gone: bool = False) -> str:
        """Poll the screen until `text` is on it (or, with `gone`, no longer is).

        `text` may be a predicate on the screen. Returns the screen that matched;
        raises TmuxError with the last screen when the time runs out.
        """
        test = text if callable(text) else (lambda screen: text in screen)
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            screen = self.screen()
            if bool(test(screen)) != gone:
                return screen
            if time.monotonic() > deadline:
                what = "gone" if gone else "shown"
                raise TmuxError(f"waited {timeout}s for {text!r} to be {what}; the screen was:\n{screen}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)

    def settle(self, quiet: float = 0.12, timeout: float = 5.0) -> str:
        """Wait until the screen has not changed for `quiet` seconds; returns it.

        Textual runs a key binding (Tab, arrows, End) after the key has bubbled
        up from the focused widget, while a typed letter is inserted at once; keys
        sent faster than a person types can therefore land out of order. Settling
        after each such key keeps the order a person's typing would have.
        """
        deadline = time.monotonic() + timeout
        last, since = self.screen(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.03)
            screen = self.screen()
            if screen != last:
                last, since = screen, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TmuxError(f"waited {timeout}s for {what or condition}; the screen was:\n{self.screen()}")
            time.sleep(0.05)

    # -- plumbing ------------------------------------------------------------

    def _run(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True,
                                text=True, env=env, timeout=20)
        if result.returncode != 0:
            raise TmuxError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result


def installed_command(name: str = "trustdialog") -> Path:
    """The installed console script next to the running Python (the venv's bin/)."""
    import sys

    return Path(sys.executable).parent / name
