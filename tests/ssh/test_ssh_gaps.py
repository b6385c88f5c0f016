"""Gaps found in use: `ssh -N`, forwarding's reason, the subsystem log line, parallel
failed logins, a known key after failures, the idle notice's plural."""

from __future__ import annotations

import asyncio
import socket
import subprocess

import asyncssh
import pytest

from ssh_helpers import PROBE_APP, client_options, ssh_command, wait_for
from trustdialog.ssh.session import duration_text


def run(coro):
    return asyncio.run(coro)


def test_ssh_without_a_session_is_closed_and_holds_a_place(start_server, keys):
    server = start_server(PROBE_APP, max_sessions=1, app_wait=3)
    quiet = subprocess.Popen(ssh_command(server.port, keys["alice"], "-N").split(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: "login alice/facilitator" in server.log, 10)

        async def second():
            async with asyncssh.connect(port=server.port, **client_options(keys["bob"])) as conn:
                process = await conn.create_process(term_type="xterm", encoding=None)
                return await asyncio.wait_for(process.wait(), 20)  # a probe app would wait for keys
        turned_away = run(second())
        assert turned_away.exit_status == 1 and b"the server is full (1 sessions)" in turned_away.stderr
        quiet.wait(20)  # closed by the server: no app within app_wait
    finally:
        quiet.kill()
        quiet.wait()
    assert "closed alice/facilitator from 127.0.0.1" in server.log


def test_forwarding_is_refused_as_administratively_prohibited(start_server, keys):
    server = start_server(PROBE_APP, app_wait=30)
    with socket.socket() as probe:  # a free local port for `ssh -L`
        probe.bind(("127.0.0.1", 0))
        local = probe.getsockname()[1]
    # At INFO the client prints why a forwarded channel failed (the helper's ERROR hides it).
    command = ssh_command(server.port, keys["alice"], "-N", "-L", f"{local}:127.0.0.1:9")
    client = subprocess.Popen(command.replace("LogLevel=ERROR", "LogLevel=INFO").split(),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert wait_for(lambda: "login alice/facilitator" in server.log, 10)
        with socket.create_connection(("127.0.0.1", local), timeout=10) as tunnel:
            assert tunnel.recv(1) == b""  # the client closes it: the server said no
        assert wait_for(lambda: "refused TCP/IP forwarding" in server.log, 5)
    finally:
        client.kill()  # its message is written already; SIGTERM is sometimes ignored at this stage
        _, stderr = client.communicate(timeout=10)
    assert "administratively prohibited" in stderr, stderr
    assert "Connection refused" not in stderr


def test_a_refused_subsystem_name_is_not_logged(start_server, keys):
    server = start_server(PROBE_APP)
    name = "x" * 10 + "EVIL-NAME-FROM-CLIENT"

    async def scenario():
        async with asyncssh.connect(port=server.port, **client_options(keys["alice"])) as conn:
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.create_session(asyncssh.SSHClientSession, subsystem=name)
    run(scenario())
    assert wait_for(lambda: "refused subsystem request from 127.0.0.1" in server.log, 5)
    assert "EVIL" not in server.log


def test_parallel_failed_logins_wait_in_line_and_a_known_key_does_not(start_server, keys):
    server = start_server(PROBE_APP)

    async def attempt(key):
        try:
            # Long enough for the last in line (the helper's 10 s would cut it off).
            async with asyncssh.connect(port=server.port, **client_options(key) | {"connect_timeout": 60}):
                return "in"
        except asyncssh.PermissionDenied:
            return "refused"

    async def scenario():
        strangers = [asyncio.ensure_future(attempt(keys["eve"])) for _ in range(6)]
        # Every one of the six has been told how long to wait: the last waits behind the others.
        for _ in range(400):  # 20 s at most: without the line-up the line never comes
            if "5 failed logins" in server.log:
                break
            await asyncio.sleep(0.05)
        assert "5 failed logins" in server.log, server.log
        known = await attempt(keys["alice"])
        pending = sum(not task.done() for task in strangers)
        results = await asyncio.gather(*strangers)
        return known, pending, results
    known, pending, results = run(scenario())
    assert known == "in"
    assert pending >= 1  # the known key got in while failed attempts were still waiting
    assert results == ["refused"] * 6
    waits = [float(line.rsplit("waiting ", 1)[1].rstrip("s"))
             for line in server.log.splitlines() if "slowing down" in line]
    assert sorted(waits) == waits and len(waits) == 5 and waits[-1] > 10  # in line, past the cap


@pytest.mark.parametrize("seconds, shown", [
    (60, "1 minute"), (120, "2 minutes"), (90, "1.5 minutes"), (3600, "60 minutes"),
    (1, "1 second"), (4, "4 seconds"), (0.5, "0.5 seconds"),
])
def test_the_idle_notice_counts_right(seconds, shown):
    assert duration_text(seconds) == shown
