"""Load on the SSH server: many sessions typing, key-to-echo latency, memory, CPU, bytes on the wire.

Loopback only. Starts a real `trustdialog` SSH server (its own data dir, a fresh key
in its access file) serving either the bare two-pane app (benchmarks/bare_app.py) or
trustdialog itself, opens N concurrent sessions (pty 100x30, TERM=xterm-256color)
with the asyncssh client, and for each N:

  * waits until every app has drawn its first screen and gone quiet,
  * idle: counts the bytes the server sends while nobody types (a short window,
    scaled to a minute: the figure says so),
  * typing: every session types 5 keys a second (letters, a backspace now and
    then), staggered; latency is from writing a key to the first screen update
    that follows it (updates arriving within 3 ms of each other are one update);
    bytes per keystroke are the bytes received while typing over the keys sent,
  * memory: RSS and PSS of each app process (PSS shares out common pages; apps forked
    from the template share its imported modules), and the template's own,
  * CPU: the server process's user+system time over the typing window, as % of
    one core, and the same for all the apps together and for this client.

The client load runs in this process, on the same machine: on a small box it
competes with the server and the apps, so read latencies as upper bounds.

    python benchmarks/ssh_load.py                       # bare app and trustdialog, 10/25/50
    python benchmarks/ssh_load.py --apps bare --sessions 10 --seconds 10
    python benchmarks/ssh_load.py --apps trustdialog --paths template,fresh --sessions 50,100
    python benchmarks/ssh_load.py --json results.json
    python benchmarks/ssh_load.py --apps trustdialog --mix --sessions 100,150
    python benchmarks/ssh_load.py --apps trustdialog --store postgresql --hosts 2 --sessions 50

`--merge S` waits S seconds after the apps have started, before measuring memory, for
the kernel to merge the pages the apps hold alike (the template offers them; it
happens only where the host runs KSM: `ksm_run` says, `ksmd_cpu_pct` is what the
merging costs while everyone types, `pss_end_mib_per_session` is PSS after typing).

Each result also has `p95_ms_by_2s`, the 95th percentile of the keys sent in each two
seconds of typing, to tell a rise at the start from a steady load.

`--mix` is a workshop rather than a typing test: a third of the sessions type in
bursts (2-6 s at the rate, then 3-10 s reading), the rest only read. `--hosts N`
starts N servers, each with that many sessions (so `--hosts 2 --sessions 50` is 100
connections on this machine), all on one store: `--store postgresql` starts a
throw-away PostgreSQL server for the run (as the tests do, tests/store/pg_server.py),
or give a `postgresql://` URL; the default is each host's own SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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

from stores import store_url  # noqa: E402
from trustdialog.ssh.access import AccessList, parse_key  # noqa: E402

APPS = {
    "bare": [sys.executable, str(REPO / "benchmarks" / "bare_app.py")],
    "trustdialog": None,  # the server's default: python -m trustdialog --data-dir DIR
}
LAUNCHER = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from trustdialog.ssh.server import ServerConfig, run\n"
    "cfg = json.loads(sys.argv[1])\n"
    "for k in ('data_dir', 'access_file', 'host_key_file'): cfg[k] = Path(cfg[k])\n"
    "run(ServerConfig(**cfg))\n"
)
TYPED = "the quick brown fox jumps over a lazy dog "
BURST = 0.003  # chunks closer than this belong to one screen update
# Text both apps draw once their first screen is up (compared in lower case); the
# trustdialog app draws its screen in steps, so "some output" is not enough.
READY_MARKER = b"partner b"
COLS, ROWS = 100, 30


class Terminal(asyncssh.SSHClientSession):
    """One client: counts bytes, notes when each key's screen update arrives."""

    def __init__(self) -> None:
        self.bytes = 0
        self.first_output: float | None = None
        self.last_output = 0.0
        self.pending: list[float] = []  # send times of keys whose update has not come yet
        self.latencies: list[float] = []
        self.sent_at: list[float] = []  # when each key of `latencies` was written
        self.closed = False
        self.exit_status: int | None = None
        self.text = b""
        self.ready = False  # the ready marker has been drawn
        self._tail = b""

    def data_received(self, data: bytes, datatype) -> None:
        now = time.perf_counter()
        if self.first_output is None:
            self.first_output = now
        if len(self.text) < 4096:
            self.text += data[:4096]
        if not self.ready:
            seen = self._tail + data.lower()
            self.ready = READY_MARKER in seen
            self._tail = seen[-64:]
        new_update = now - self.last_output > BURST
        self.bytes += len(data)
        self.last_output = now
        if new_update and self.pending:
            sent_at = self.pending.pop(0)
            self.latencies.append(now - sent_at)
            self.sent_at.append(sent_at)

    def exit_status_received(self, status: int) -> None:
        self.exit_status = status

    def connection_lost(self, exc) -> None:
        self.closed = True


def proc_children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def app_children(server_pid: int) -> list[int]:
    """The server's apps: they lead their own session (the template does not)."""
    found = []
    for pid in proc_children(server_pid):
        try:
            if os.getsid(pid) == pid:
                found.append(pid)
        except ProcessLookupError:
            pass
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (its backends do the store's work)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() == "postgres":
                found.append(int(stat.parent.name))
        except OSError:
            pass
    return found


def ksmd_pids() -> list[int]:
    """The kernel's same-page merging thread (KSM), whose CPU is the cost of merging."""
    return [int(comm.parent.name) for comm in Path("/proc").glob("[0-9]*/comm")
            if _read(comm) == "ksmd"]


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def start_server(folder: Path, app: str, template: bool = True,
                       store: str | None = None) -> tuple[subprocess.Popen, int, asyncssh.SSHKey]:
    folder.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    access = AccessList()
    access.add("bench", "client", [parse_key(key.export_public_key().decode())])
    access.save(folder / "access.toml")
    config = {"data_dir": str(folder / "data"), "access_file": str(folder / "access.toml"),
              "host_key_file": str(folder / "host_key"), "port": 0, "child_argv": APPS[app],
              "max_sessions": 500, "idle_timeout": 0, "hangup_grace": 1.0, "template": template,
              "app_args": ["--store", store] if store and app == "trustdialog" else []}
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, json.dumps(config)],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    first = proc.stdout.readline()
    for _ in range(2):
        proc.stdout.readline()
    if "listening on" not in first:
        raise SystemExit(f"server did not start: {first}")
    return proc, int(first.rsplit(":", 1)[1]), key


async def open_sessions(port: int, key, count: int):
    async def one():
        conn = await asyncssh.connect("127.0.0.1", port, username="bench", client_keys=[key],
                                      known_hosts=None, agent_path=None, config=None)
        chan, session = await conn.create_session(Terminal, term_type="xterm-256color",
                                                  term_size=(COLS, ROWS), encoding=None)
        return conn, chan, session
    return await asyncio.gather(*(one() for _ in range(count)))


async def settle(sessions, window: float = 2.0, limit: float = 180.0) -> float:
    """Wait until every app has drawn its first screen (the ready marker) and then sent
    little for `window` seconds (a blinking cursor never goes fully quiet); returns the
    seconds it took."""
    start = time.perf_counter()
    marks = [0] * len(sessions)
    while time.perf_counter() - start < limit:
        await asyncio.sleep(window)
        counts = [s.bytes for _, _, s in sessions]
        calm = all(s.closed or (s.ready and count - mark < 2000 * window)
                   for (_, _, s), count, mark in zip(sessions, counts, marks))
        marks = counts
        if calm:
            break
    return time.perf_counter() - start


async def type_keys(chan, session: Terminal, seconds: float, rate: float, stagger: bool = True) -> int:
    if stagger:
        await asyncio.sleep(random.random() / rate)  # stagger the sessions
    sent = 0
    interval = 1 / rate
    next_at = time.perf_counter()
    end = next_at + seconds
    while time.perf_counter() < end and not session.closed:
        # Six letters, then six backspaces: the line stays short (a name field may have a
        # length limit, past which keys would draw nothing) and both apps get the same keys.
        key = b"\x7f" if sent % 12 >= 6 else TYPED[sent % len(TYPED)].encode()
        session.pending.append(time.perf_counter())
        chan.write(key)
        sent += 1
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    return sent


async def type_in_bursts(chan, session: Terminal, seconds: float, rate: float) -> int:
    """As someone writing an answer: a few seconds of typing, then a pause to read and think."""
    sent = 0
    end = time.perf_counter() + seconds
    await asyncio.sleep(random.uniform(0, 5))
    while (left := end - time.perf_counter()) > 0:
        sent += await type_keys(chan, session, min(left, random.uniform(2, 6)), rate, stagger=False)
        await asyncio.sleep(min(max(0.0, end - time.perf_counter()), random.uniform(3, 10)))
    return sent


async def run_level(hosts: list[tuple[int, asyncssh.SSHKey, int]], count: int, seconds: float, idle: float,
                    rate: float, prelude: bytes, mix: bool = False, merge: float = 0.0) -> dict:
    """`count` sessions on each host (port, key, server pid)."""
    sessions = [s for port, key, _ in hosts for s in await open_sessions(port, key, count)]
    settle_time = await settle(sessions)
    if prelude:
        for _, chan, _ in sessions:
            chan.write(prelude)
        await settle(sessions)
    alive = [s for s in sessions if not s[2].closed]
    result: dict = {"sessions": count * len(hosts), "hosts": len(hosts), "started": len(alive),
                    "startup_s": round(settle_time, 1)}
    if len(alive) < len(sessions):
        print(f"only {len(alive)} of {len(sessions)} apps started; the first that did not said: "
              f"{next(s for _, _, s in sessions if s.closed).text.decode(errors='replace')[-300:]!r}",
              file=sys.stderr, flush=True)
    if not alive:
        sample = sessions[0][2].text.decode(errors="replace").strip()
        result["error"] = f"every app exited at once (status {sessions[0][2].exit_status}): {sample[:200]}"
        return result
    server_pids = [pid for _, _, pid in hosts]
    children = [child for pid in server_pids for child in app_children(pid)]
    ksmd = {pid: cpu_seconds(pid) for pid in ksmd_pids()}
    await asyncio.sleep(merge)
    result["ksm_run"] = _read(Path("/sys/kernel/mm/ksm/run"))
    result["merge_wait_s"] = merge
    if merge:
        result["ksmd_cpu_pct_merging"] = round(sum(cpu_seconds(pid) - t for pid, t in ksmd.items())
                                               / merge * 100, 1)
    memory = [memory_kib(pid) for pid in children]
    result["rss_mib_per_session"] = round(statistics.mean(m[0] for m in memory) / 1024, 1)
    result["pss_mib_per_session"] = round(statistics.mean(m[1] for m in memory) / 1024, 1)
    result["server_rss_mib"] = round(sum(memory_kib(pid)[0] for pid in server_pids) / 1024, 1)
    helpers = [child for pid in server_pids for child in proc_children(pid) if child not in children]  # templates
    result["template_pss_mib"] = round(sum(memory_kib(pid)[1] for pid in helpers) / 1024, 1)
    # Everything the sessions cost together, the template included, shared out per session.
    result["total_pss_mib_per_session"] = round(
        (sum(m[1] for m in memory) + result["template_pss_mib"] * 1024) / len(memory) / 1024, 1)

    # Idle: nobody types.
    before = sum(s.bytes for _, _, s in alive)
    await asyncio.sleep(idle)
    idle_bytes = sum(s.bytes for _, _, s in alive) - before
    result["idle_window_s"] = idle
    result["idle_bytes_per_session_per_min"] = round(idle_bytes / len(alive) * 60 / idle, 1)

    # Typing.
    for _, _, s in alive:
        s.latencies.clear()
        s.sent_at.clear()
        s.pending.clear()
    before = sum(s.bytes for _, _, s in alive)
    server_cpu = sum(cpu_seconds(pid) for pid in server_pids)
    apps_cpu = sum(cpu_seconds(pid) for pid in children)
    database = {pid: cpu_seconds(pid) for pid in database_pids()}
    ksmd = {pid: cpu_seconds(pid) for pid in ksmd_pids()}
    client_cpu = time.process_time()
    started = time.perf_counter()
    # In a mix, a third type (in bursts) and the rest only read; their frames still count.
    typists = alive[::3] if mix else alive
    typing = type_in_bursts if mix else type_keys
    sent = await asyncio.gather(*(typing(chan, s, seconds, rate) for _, chan, s in typists))
    await asyncio.sleep(1.0)  # the last updates
    elapsed = time.perf_counter() - started
    typed_bytes = sum(s.bytes for _, _, s in alive) - before
    latencies = [lat for _, _, s in alive for lat in s.latencies]
    keys = sum(sent)
    # The 95th percentile of the keys sent in each 2 s of typing: a rise at the start is
    # pages copied back after merging, a steady one is load.
    by_slice: dict[int, list[float]] = {}
    for _, _, s in alive:
        for at, latency in zip(s.sent_at, s.latencies):
            by_slice.setdefault(int((at - started) // 2), []).append(latency)
    result["p95_ms_by_2s"] = [round(percentile(by_slice[k], 95) * 1000) for k in sorted(by_slice)]
    result.update(
        keys=keys,
        answered=len(latencies),
        p50_ms=round(percentile(latencies, 50) * 1000, 1),
        p95_ms=round(percentile(latencies, 95) * 1000, 1),
        bytes_per_key=round(typed_bytes / keys, 1) if keys else None,
        typing_sessions=len(typists),
        apps_cpu_ms_per_key=round((sum(cpu_seconds(pid) for pid in children) - apps_cpu) / keys * 1000, 2)
        if keys else None,
        server_cpu_pct=round((sum(cpu_seconds(pid) for pid in server_pids) - server_cpu) / elapsed * 100, 1),
        apps_cpu_pct=round((sum(cpu_seconds(pid) for pid in children) - apps_cpu) / elapsed * 100, 1),
        client_cpu_pct=round((time.process_time() - client_cpu) / elapsed * 100, 1),
        database_cpu_pct=round(sum(cpu_seconds(pid) - database.get(pid, 0.0) for pid in database_pids())
                               / elapsed * 100, 1),
        ksmd_cpu_pct=round(sum(cpu_seconds(pid) - t for pid, t in ksmd.items()) / elapsed * 100, 1),
        pss_end_mib_per_session=round(statistics.mean(memory_kib(pid)[1] for pid in children) / 1024, 1),
    )
    for conn, _, _ in sessions:
        conn.close()
    await asyncio.sleep(0.5)
    deadline = time.perf_counter() + 10
    while any(app_children(pid) for pid in server_pids) and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    result["left_behind"] = sum(len(app_children(pid)) for pid in server_pids)
    return result


async def bench(app: str, levels: list[int], seconds: float, idle: float, rate: float, prelude: bytes,
                path: str = "template", hosts: int = 1, store: str | None = None,
                mix: bool = False, merge: float = 0.0) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="td-ssh-load-") as folder:
        servers = [await start_server(Path(folder) / f"host{i}", app, template=path == "template",
                                      store=store) for i in range(hosts)]
        try:
            results = []
            for count in levels:
                result = await run_level([(port, key, proc.pid) for proc, port, key in servers], count,
                                         seconds, idle, rate, prelude, mix, merge)
                result["app"] = app
                result["path"] = path
                result["store"] = "postgresql" if store else "sqlite"
                result["mix"] = mix
                print(json.dumps(result), flush=True)
                results.append(result)
                if "error" in result:
                    break
            return results
        finally:
            for proc, _, _ in servers:
                proc.send_signal(signal.SIGTERM)
            for proc, _, _ in servers:
                proc.wait(30)


def table(results: list[dict]) -> str:
    head = ("app", "path", "store", "hosts", "mix", "sessions", "typing_sessions", "p50_ms", "p95_ms", "bytes_per_key", "idle_bytes_per_session_per_min",
            "rss_mib_per_session", "pss_mib_per_session", "template_pss_mib", "total_pss_mib_per_session",
            "pss_end_mib_per_session", "ksm_run", "ksmd_cpu_pct", "apps_cpu_ms_per_key", "server_cpu_pct", "apps_cpu_pct", "client_cpu_pct", "database_cpu_pct", "answered", "keys", "startup_s")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        if "error" in r:
            lines.append(f"{r['app']} | {r['sessions']} | {r['error']}")
        else:
            lines.append(" | ".join(str(r.get(h, "")) for h in head))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", default="bare,trustdialog", help="bare, trustdialog, or both (comma)")
    parser.add_argument("--paths", default="template", help="how apps start: template, fresh, or both (comma)")
    parser.add_argument("--sessions", default="10,25,50", help="concurrent sessions per level")
    parser.add_argument("--seconds", type=float, default=15, help="typing time per level")
    parser.add_argument("--idle", type=float, default=15, help="idle window per level (scaled to a minute)")
    parser.add_argument("--rate", type=float, default=5, help="keys per second per session")
    parser.add_argument("--prelude", default="", help="keys each session sends before typing "
                        "(Python escapes, e.g. '\\r' to open the first exercise)")
    parser.add_argument("--mix", action="store_true",
                        help="a workshop: a third type in bursts, the rest read")
    parser.add_argument("--hosts", type=int, default=1, help="servers, each with --sessions sessions")
    parser.add_argument("--store", default="sqlite",
                        help="sqlite (each host its own file), postgresql (a throw-away server), or a URL")
    parser.add_argument("--merge", type=float, default=0.0, metavar="S",
                        help="seconds to wait for the kernel's same-page merging before measuring memory")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args()
    levels = [int(n) for n in args.sessions.split(",")]
    if max(levels) * args.hosts > 300 or args.seconds > 120 or args.idle > 120 or args.merge > 600:
        raise SystemExit("bounded on purpose: at most 300 sessions, 120 s per phase, 600 s of merging")
    prelude = args.prelude.encode().decode("unicode_escape").encode()
    results = []
    with store_url(args.store, max(levels) * args.hosts) as url:
        for app in args.apps.split(","):
            for path in args.paths.split(","):
                results += asyncio.run(bench(app.strip(), levels, args.seconds, args.idle, args.rate, prelude,
                                             path.strip(), args.hosts, url, args.mix, args.merge))
    print()
    print(table(results))
    bare = {(r["sessions"], r["path"]): r for r in results if r["app"] == "bare" and "error" not in r}
    for r in results:
        if r["app"] != "bare" and "error" not in r and (r["sessions"], r["path"]) in bare:
            ratio = r["bytes_per_key"] / bare[r["sessions"], r["path"]]["bytes_per_key"]
            print(f"{r['app']} ({r['path']}) at {r['sessions']}: bytes per key {ratio:.2f}x the bare app's")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
