"""Apps forked from the server's warm template: each its own, a dead or hung template never
keeps a connection waiting, and --no-template starts them fresh as before."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import asyncssh
import pytest

from ssh_helpers import FORK_PROBE_APP, PROBE_APP, client_options, pid_alive, wait_for

from trustdialog.ssh.forkserver import Job, runnable


async def read_until(stream, needle: bytes, timeout: float = 15.0) -> bytes:
    seen = b""
    async def reader():
        nonlocal seen
        while needle not in seen:
            chunk = await stream.read(4096)
            if not chunk:
                break
            seen += chunk
    await asyncio.wait_for(reader(), timeout)
    return seen


def report(output: bytes, tag: bytes) -> dict:
    return json.loads(output.split(tag + b" ", 1)[1].split(b"\r\n", 1)[0])


async def open_app(port: int, key, tag: bytes = b"PROBE"):
    """Connect, start the app, read its report: (connection, process, report)."""
    conn = await asyncssh.connect(port=port, **client_options(key))
    process = await conn.create_process(term_type="xterm", encoding=None)
    return conn, process, report(await read_until(process.stdout, b"\r\n"), tag)


def test_two_forked_apps_share_no_random_state_open_file_or_store_connection(start_server, keys, tmp_path):
    server = start_server([*FORK_PROBE_APP, str(tmp_path)])
    assert wait_for(server.template_pids, 5), server.log

    async def scenario():
        one = await open_app(server.port, keys["bob"], b"FORK")
        two = await open_app(server.port, keys["bob"], b"FORK")
        for conn, process, _ in (one, two):
            process.stdin.write(b"x")
            await process.wait()
            conn.close()
        return one[2], two[2]
    first, second = asyncio.run(scenario())
    for app in (first, second):
        assert app["preloaded"], "not forked from the template"
        assert app["ppid"] == server.proc.pid  # handed to the server, which reaps it
        assert app["session_leader"]
        assert app["inherited_fds"] == {}  # not the template's socket, not a store file
        assert app["connections_before"] == 0  # no SQLite connection made before the fork
        assert app["argv"] == [FORK_PROBE_APP[1], str(tmp_path)]
        if os.path.exists("/proc/self/ksm_stat"):  # a kernel that can tell (6.4 and later)
            assert app["ksm_merge_any"], "the template did not offer its pages for merging"
    assert first["pid"] != second["pid"] and first["random"] != second["random"]
    assert sorted(p.name for p in tmp_path.glob("probe-*.sqlite")) == sorted(
        f"probe-{app['pid']}.sqlite" for app in (first, second))
    assert wait_for(lambda: server.log.count("exit=5 end=app-exit") == 2, 5), server.log


def test_without_the_template_apps_start_fresh(start_server, keys):
    server = start_server(PROBE_APP, template=False)

    async def scenario():
        conn, process, info = await open_app(server.port, keys["bob"])
        process.stdin.write(b"q")
        await process.wait()
        conn.close()
        return info
    info = asyncio.run(scenario())
    assert not info["preloaded"] and info["ppid"] == server.proc.pid
    assert server.template_pids() == [] and "app template" not in server.log


def test_a_dead_template_is_replaced_and_the_apps_it_forked_go_on(start_server, keys):
    server = start_server(PROBE_APP)
    [template] = wait_for(server.template_pids, 5)

    async def scenario():
        running = await open_app(server.port, keys["alice"])
        assert running[2]["preloaded"]
        os.kill(template, signal.SIGKILL)
        # At once: whether the server has noticed yet or not, the app starts (fresh).
        meanwhile = await open_app(server.port, keys["bob"])
        assert await asyncio.to_thread(wait_for, lambda: len(server.template_pids()) == 2, 10), server.log
        after = await open_app(server.port, keys["bob"])
        running[1].stdin.write(b"z")
        still = await read_until(running[1].stdout, b"GOT 7a")
        for conn, process, _ in (running, meanwhile, after):
            process.stdin.write(b"q")
            await process.wait()
            conn.close()
        return meanwhile[2], after[2], still
    meanwhile, after, still = asyncio.run(scenario())
    assert b"GOT 7a" in still  # the app forked before the template died did not notice
    assert not meanwhile["preloaded"]
    assert after["preloaded"] and after["ppid"] == server.proc.pid
    assert server.log.count(f"app template (pid {template}) stopped") == 1, server.log
    assert not pid_alive(template)


def test_a_hung_template_is_not_waited_for(start_server, keys):
    server = start_server(PROBE_APP, template_timeout=1.0)
    [template] = wait_for(server.template_pids, 5)

    async def scenario():
        os.kill(template, signal.SIGSTOP)
        loop = asyncio.get_running_loop()
        started = loop.time()
        conn, process, info = await open_app(server.port, keys["bob"])
        took = loop.time() - started
        process.stdin.write(b"q")
        await process.wait()
        conn.close()
        return info, took
    info, took = asyncio.run(scenario())
    assert not info["preloaded"]  # a fresh interpreter, after the template's second
    assert took < 6, took
    assert "did not answer within 1s" in server.log
    assert wait_for(lambda: not pid_alive(template), 5)  # the hung one was killed ...
    assert wait_for(lambda: len(server.template_pids()) == 2, 10), server.log  # ... and replaced


def test_only_python_running_a_module_or_a_script_is_forked():
    python = sys.executable
    assert runnable([python, "-m", "trustdialog", "--data-dir", "/x"]) == Job(
        "module", "trustdialog", ("--data-dir", "/x"))
    assert runnable([python, "/srv/app.py", "a"]) == Job("path", "/srv/app.py", ("a",))
    assert runnable(["/usr/bin/python3-other", "-m", "trustdialog"], executable=python) is None
    assert runnable([python, "-X", "dev", "-m", "trustdialog"]) is None  # options: start it fresh
    assert runnable([python, "-m"]) is None and runnable(["true"]) is None
    assert runnable([python, "-c", "print(1)"]) is None


@pytest.mark.parametrize("option, env, template", [
    ([], "", True), (["--no-template"], "", False), ([], "1", False), ([], "0", True)])
def test_the_serve_command_can_start_apps_fresh(option, env, template, tmp_path, monkeypatch):
    from trustdialog.cli import build_parser
    from trustdialog.commands.serve import server_config

    monkeypatch.setenv("TRUSTDIALOG_NO_TEMPLATE", env)
    args = build_parser().parse_args(["--data-dir", str(tmp_path), "serve", *option])
    args.exercises = args.exercises or []  # as cli.main leaves it
    assert server_config(args).template is template


def test_a_process_an_app_leaves_behind_is_reaped_by_the_server(start_server, keys):
    # Apps forked from the template are handed to the server as a subreaper, so their own
    # orphans come to it too: it must reap them, never keep them as zombies.
    server = start_server([sys.executable, str(Path(__file__).with_name("orphan_app.py"))])
    assert wait_for(server.template_pids, 5), server.log

    async def scenario():
        conn = await asyncssh.connect(port=server.port, **client_options(keys["bob"]))
        process = await conn.create_process(term_type="xterm", encoding=None)
        said = await read_until(process.stdout, b"\r\n")
        process.stdin.write(b"\n")  # the line the app reads (its terminal is not raw)
        await asyncio.wait_for(process.wait(), 10)
        conn.close()
        return int(said.split(b"ORPHAN ", 1)[1].split(b"\r\n", 1)[0])
    orphan = asyncio.run(scenario())
    assert wait_for(lambda: not os.path.exists(f"/proc/{orphan}"), 5), \
        f"the orphan was left as a zombie: {open(f'/proc/{orphan}/stat').read()}"


def test_the_ready_line_says_whether_pages_apps_hold_alike_are_merged(tmp_path):
    from trustdialog.ssh.template import merging_text

    run = tmp_path / "run"
    run.write_text("1\n")
    assert merging_text(True, str(run)) == "the pages apps hold alike are merged (KSM)"
    run.write_text("0\n")
    assert "KSM is off on this host" in merging_text(True, str(run))
    assert "KSM is off on this host" in merging_text(True, str(tmp_path / "absent"))
    assert merging_text(False, str(run)) == "this kernel cannot merge the pages apps hold alike"
    assert merging_text(None, str(run)) == merging_text(False, str(run))  # an older template


def test_a_template_for_apps_that_save_to_postgresql_imports_psycopg_before_it_forks(tmp_path, monkeypatch):
    """Imported after the fork, psycopg and libpq cost every app about 8 MiB of its own."""
    from trustdialog.ssh.server import ServerConfig, template_preload
    from trustdialog.ssh.session import base_environment
    from trustdialog.ssh.template import AppTemplate

    monkeypatch.delenv("TRUSTDIALOG_STORE", raising=False)

    def config(*app_args: str, child_argv: list[str] | None = None) -> ServerConfig:
        return ServerConfig(data_dir=tmp_path, access_file=tmp_path / "access.toml",
                            host_key_file=tmp_path / "host_key", app_args=list(app_args),
                            child_argv=child_argv)

    on_postgresql = config("--store", "postgresql://td@127.0.0.1:5432/td")
    assert template_preload(on_postgresql) == ("trustdialog.store.postgres",)
    assert template_preload(config()) == ()
    assert template_preload(config("--store", f"sqlite://{tmp_path}/s.db")) == ()
    assert template_preload(config(child_argv=[sys.executable, "app.py"])) == ()
    monkeypatch.setenv("TRUSTDIALOG_STORE", "postgresql://td@127.0.0.1:5432/td")
    assert template_preload(config()) == ("trustdialog.store.postgres",)

    async def started() -> str:
        template = AppTemplate(base_environment(), preload=template_preload(on_postgresql))
        try:
            assert await template.start()  # psycopg starts no thread: the template still forks
            return Path(f"/proc/{template.pid}/maps").read_text()
        finally:
            await template.close()

    assert "libpq" in asyncio.run(started())
