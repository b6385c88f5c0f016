"""Helpers for the SSH tests: start a server process, drive tmux, build client options."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BARE_APP = [sys.executable, str(REPO / "benchmarks" / "bare_app.py")]
PROBE_APP = [sys.executable, str(Path(__file__).with_name("probe_app.py"))]
FORK_PROBE_APP = [sys.executable, str(Path(__file__).with_name("fork_probe_app.py"))]
# How apps start: forked from the server's warm template, or each a fresh interpreter.
START_PATHS = ("template", "fresh")
# Starts the server the way `trustdialog serve` does, but with a chosen child command.
LAUNCHER = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from trustdialog.ssh.server import ServerConfig, run\n"
    "cfg = json.loads(sys.argv[1])\n"
    "for k in ('data_dir', 'access_file', 'host_key_file'): cfg[k] = Path(cfg[k])\n"
    "run(ServerConfig(**cfg))\n"
)


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll until `predicate()` is truthy; returns its value, or the last one after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def pid_alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before, or between open and read
        return False


def leads_session(pid: int) -> bool:
    try:
        return os.getsid(pid) == pid
    except ProcessLookupError:
        return False


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return found


def tree_of(pid: int) -> list[int]:
    """`pid` and every process below it, read from /proc (parents before their children)."""
    found, waiting = [], [pid]
    while waiting:
        at = waiting.pop(0)
        if at not in found:
            found.append(at)
            waiting += children_of(at)
    return found


class RunningServer:
    """A server process and what it said at start."""

    def __init__(self, proc: subprocess.Popen, log_path: Path, out: str, data_dir: Path) -> None:
        self.proc = proc
        self.log_path = log_path
        self.data_dir = data_dir
        self.port = int(re.search(r"listening on [\d.]+:(\d+)", out).group(1))
        self.fingerprint = re.search(r"host key (SHA256:\S+)", out).group(1)

    @classmethod
    def start(cls, folder: Path, access_file: Path, child_argv, **options) -> RunningServer:
        config = {"data_dir": str(folder / "data"), "access_file": str(access_file),
                  "host_key_file": str(folder / "data" / "host_key"), "port": 0,
                  "child_argv": child_argv, "hangup_grace": 1.0, **options}
        log_path = folder / "server.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, json.dumps(config)],
                                    stdout=subprocess.PIPE, stderr=log, text=True)
        out = "".join(proc.stdout.readline() for _ in range(3))
        if "listening" not in out:
            proc.kill()
            raise RuntimeError(f"server did not start: {out} {log_path.read_text()}")
        return cls(proc, log_path, out, folder / "data")

    @classmethod
    def serve_command(cls, data_dir: Path, access_file: Path, path: str = "template") -> RunningServer:
        """The real `trustdialog serve` command, with its default app, on a free port;
        `path` "fresh" adds --no-template."""
        log_path = data_dir.parent / f"{data_dir.name}-serve.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "trustdialog", "--data-dir", str(data_dir), "serve",
                 "--host", "127.0.0.1", "--port", "0", "--access", str(access_file),
                 *(["--no-template"] if path == "fresh" else [])],
                stdout=subprocess.PIPE, stderr=log, text=True)
        out = "".join(proc.stdout.readline() for _ in range(3))
        if "listening" not in out:
            proc.kill()
            raise RuntimeError(f"server did not start: {out} {log_path.read_text()}")
        return cls(proc, log_path, out, data_dir)

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def children(self) -> list[int]:
        """The apps: running children that lead their own session (the template does not)."""
        return [pid for pid in children_of(self.proc.pid) if pid_alive(pid) and leads_session(pid)]

    def template_pids(self) -> list[int]:
        """Every template the server has started, in order (from its log)."""
        return [int(pid) for pid in re.findall(r"app template ready \(pid (\d+)", self.log)]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> list[int]:
        """The machine dies: the server and everything below it (template, every app) are
        frozen at once, so none can say goodbye or finish a write, then killed; returns the pids."""
        frozen: list[int] = []
        # Stop what is there, then look again: a process may have forked before it was stopped.
        while new := [pid for pid in tree_of(self.proc.pid) if pid not in frozen and pid_alive(pid)]:
            for pid in new:
                try:
                    os.kill(pid, signal.SIGSTOP)
                except ProcessLookupError:
                    pass
            frozen += new
        for pid in frozen:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)
        assert wait_for(lambda: not any(pid_alive(pid) for pid in frozen), 10), "a killed process lived on"
        return frozen


class Tmux:
    """One tmux session on a private socket, running one command."""

    def __init__(self, socket: str, folder: Path) -> None:
        self.socket = socket
        self.status_file = folder / f"{socket}.status"

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              check=True).stdout

    def start(self, command: str, width: int = 100, height: int = 30) -> None:
        # The shell notes the command's exit status in a file (tmux's own pane_dead_status
        # is sometimes still empty when the pane is already dead); `remain-on-exit` keeps
        # the last screen to read.
        wrapped = f"{command}; echo $? > {self.status_file}"
        self.run("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), wrapped,
                 ";", "set-option", "-t", "t", "remain-on-exit", "on")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "t")

    def wait_screen(self, needle: str, timeout: float = 15.0) -> str:
        wait_for(lambda: needle in self.screen(), timeout)
        return self.screen()

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "t", *keys)

    def ssh_pid(self) -> int:
        shell = int(self.run("display", "-p", "-t", "t", "#{pane_pid}").strip())
        [ssh] = wait_for(lambda: children_of(shell), 5)
        return ssh

    def finished(self) -> bool:
        return self.status_file.exists() and self.status_file.read_text().strip() != ""

    def exit_status(self) -> str:
        """The command's exit status, once it has ended."""
        wait_for(self.finished, 5)
        return self.status_file.read_text().strip() if self.status_file.exists() else ""

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def ssh_command(port: int, key: Path, *extra: str) -> str:
    """The system OpenSSH client, ignoring the user's own config, agent and known hosts."""
    options = ["-F", "/dev/null", "-p", str(port), "-i", str(key), "-o", "IdentitiesOnly=yes",
               "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes"]
    return " ".join(["ssh", *options, *extra, "127.0.0.1"])


def client_options(key: Path | None) -> dict:
    """asyncssh.connect options: this key only, no agent, no known-hosts check, no config."""
    return {"host": "127.0.0.1", "username": "anyone", "known_hosts": None, "agent_path": None,
            "client_keys": [str(key)] if key else None, "config": None, "password": None,
            "kbdint_auth": False, "connect_timeout": 10}
