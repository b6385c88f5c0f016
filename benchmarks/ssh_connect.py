"""Connect to first frame over SSH: apps forked from the warm template against fresh interpreters.

Loopback only. Starts two real `trustdialog` SSH servers in one run (each with its own
data dir and a fresh key in its access file), one forking apps from its template and
one with --no-template, serving trustdialog itself. Each run, alternating between the
two so a noisy machine slows both alike, times from the TCP connect (asyncssh client,
pty 100x30, TERM=xterm-256color) until the welcome's text shows on the client,
then closes the connection and waits for its app to end. Also noted per run: the
login (connect returned), the app's first byte, and the CPU the app process used up
to its first frame (a fork's CPU is counted from the fork).

    python benchmarks/ssh_connect.py               # 20 runs each
    python benchmarks/ssh_connect.py --runs 30 --json results.json

With --invite, a third series times a newcomer: each run makes a one-time invite,
connects with a key the server has never seen, types the code at once (keyboard-
interactive) and times from the connect to the welcome, enrolment included.

Goal: the template's median <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import trustdialog.ssh  # noqa: E402,F401  (before asyncssh: it quiets asyncssh's import warning)
import asyncssh  # noqa: E402

from ssh_load import LAUNCHER, app_children, cpu_seconds  # noqa: E402
from startup import plain  # noqa: E402

from trustdialog.ssh import invites  # noqa: E402
from trustdialog.ssh.access import AccessList, parse_key  # noqa: E402

MARKER = b"not therapy"  # a sentence of the welcome screen (as benchmarks/startup.py)
COLS, ROWS = 100, 30


class Terminal(asyncssh.SSHClientSession[bytes]):
    """Notes when the first byte and the welcome's text arrive."""

    def __init__(self) -> None:
        self.output = bytearray()
        self.first_byte: float | None = None
        self.framed = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes, datatype: object) -> None:
        now = time.perf_counter()
        if self.first_byte is None:
            self.first_byte = now
        self.output += data
        if not self.framed.done() and MARKER in plain(bytes(self.output)).lower():
            self.framed.set_result(now)



def start_server(folder: Path, key: asyncssh.SSHKey, template: bool) -> tuple[subprocess.Popen[str], int]:
    access = AccessList()
    access.add("bench", "client", [parse_key(key.export_public_key().decode())])
    access.save(folder / "access.toml")
    config = {"data_dir": str(folder / "data"), "access_file": str(folder / "access.toml"),
              "host_key_file": str(folder / "host_key"), "port": 0, "max_sessions": 50,
              "idle_timeout": 0, "hangup_grace": 1.0, "template": template}
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, json.dumps(config)],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    for _ in range(2):
        proc.stdout.readline()
    if "listening on" not in first:
        raise SystemExit(f"server did not start: {first}")
    return proc, int(first.rsplit(":", 1)[1])


class Newcomer(asyncssh.SSHClient):
    """Answers the server's question for the invite code, at once."""

    def __init__(self, code: str) -> None:
        self.code = code

    def kbdint_auth_requested(self) -> str:
        return ""

    def kbdint_challenge_received(self, name: str, instructions: str, lang: str,
                                  prompts: list[tuple[str, bool]]) -> list[str]:
        return [self.code for _ in prompts]


async def one_run(port: int, key: asyncssh.SSHKey, server_pid: int,
                  code: str | None = None) -> dict[str, float]:
    """Seconds from connect to login, first byte and first frame; the app's CPU seconds."""
    start = time.perf_counter()
    if code is None:
        conn = await asyncssh.connect("127.0.0.1", port, username="bench", client_keys=[key],
                                      known_hosts=None, agent_path=None, config=None)
    else:
        conn, _client = await asyncssh.create_connection(
            lambda: Newcomer(code), "127.0.0.1", port, username="newcomer", client_keys=[key],
            known_hosts=None, agent_path=None, config=None,
            preferred_auth="publickey,keyboard-interactive")
    logged_in = time.perf_counter()
    _chan, session = await conn.create_session(Terminal, term_type="xterm-256color",
                                               term_size=(COLS, ROWS), encoding=None)
    framed = await asyncio.wait_for(session.framed, 30)
    apps = app_children(server_pid)
    cpu = sum(cpu_seconds(pid) for pid in apps)
    conn.close()
    await conn.wait_closed()
    deadline = time.perf_counter() + 10
    while app_children(server_pid) and time.perf_counter() < deadline:  # one app at a time
        await asyncio.sleep(0.02)
    assert session.first_byte is not None
    return {"login": logged_in - start, "first_byte": session.first_byte - start,
            "frame": framed - start, "app_cpu": cpu}


def summary(name: str, runs: list[dict[str, float]]) -> dict[str, float | str]:
    def median_ms(field: str) -> float:
        return round(statistics.median(r[field] for r in runs) * 1000, 1)
    frames = sorted(r["frame"] * 1000 for r in runs)
    return {"path": name, "runs": len(runs), "frame_median_ms": median_ms("frame"),
            "frame_min_ms": round(frames[0], 1), "frame_max_ms": round(frames[-1], 1),
            "login_median_ms": median_ms("login"), "first_byte_median_ms": median_ms("first_byte"),
            "app_cpu_median_ms": median_ms("app_cpu")}


async def bench(runs: int, invite: bool = False) -> list[dict[str, float | str]]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    with tempfile.TemporaryDirectory(prefix="td-ssh-connect-") as folder:
        servers = {}
        for name, template in (("template", True), ("fresh", False)):
            path = Path(folder) / name
            path.mkdir()
            servers[name] = start_server(path, key, template)
        try:
            results: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
            if invite:
                results["invite"] = []
            for name, (proc, port) in servers.items():  # one unmeasured run each: caches warm
                await one_run(port, key, proc.pid)
            access_file = Path(folder) / "template" / "access.toml"
            for n in range(runs):
                for name, (proc, port) in servers.items():
                    results[name].append(await one_run(port, key, proc.pid))
                if invite:  # a newcomer to the template's server: a new person, key and code
                    _made, code = invites.create(invites.invites_path(access_file), f"guest{n}",
                                                 "client", None, None)
                    stranger = asyncssh.generate_private_key("ssh-ed25519")
                    proc, port = servers["template"]
                    results["invite"].append(await one_run(port, stranger, proc.pid, code))
            return [summary(name, results[name]) for name in results]
        finally:
            for proc, _ in servers.values():
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each path (default 20)")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    parser.add_argument("--invite", action="store_true",
                        help="also time newcomers who get in with an invite code")
    args = parser.parse_args()
    results = asyncio.run(bench(args.runs, args.invite))
    print(f"connect to first frame over SSH, {COLS}x{ROWS}, {args.runs} alternating runs each")
    for r in results:
        print(f"{r['path']:<9} median {r['frame_median_ms']:7.1f} ms   min {r['frame_min_ms']:7.1f}   "
              f"max {r['frame_max_ms']:7.1f}   login {r['login_median_ms']:6.1f}   first byte "
              f"{r['first_byte_median_ms']:6.1f}   app cpu {r['app_cpu_median_ms']:6.1f} ms")
    by = {r["path"]: r for r in results}
    ratio = float(by["template"]["frame_median_ms"]) / float(by["fresh"]["frame_median_ms"])
    print(f"template/fresh: {ratio:.2f} (goal: template median <= 100 ms)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
