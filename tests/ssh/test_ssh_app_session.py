"""A logged-in client gets the app in its own pty: who it is, its TERM, its size, raw bytes."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import asyncssh
import pytest

from ssh_helpers import PROBE_APP, START_PATHS, client_options, pid_alive, wait_for


async def read_until(stream, needle: bytes, timeout: float = 10.0) -> bytes:
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


def probe_info(output: bytes) -> dict:
    line = output.split(b"PROBE ", 1)[1].split(b"\r\n", 1)[0]
    return json.loads(line)


@pytest.fixture(scope="module", params=START_PATHS)
def probe_server(request, start_server):
    """Every test here runs twice: apps forked from the template, and fresh interpreters."""
    server = start_server(PROBE_APP, template=request.param == "template")
    server.path = request.param
    return server


def decoded(output: bytes) -> bytes:
    """The bytes the probe reported, from its complete `GOT <hex>` lines."""
    lines = [line for line in output.split(b"\r\n")[:-1] if line.startswith(b"GOT ")]
    return b"".join(bytes.fromhex(line[4:].decode()) for line in lines)


def run(coro):
    return asyncio.run(coro)


def test_the_app_learns_who_connected_and_gets_the_client_terminal(probe_server, keys):
    async def scenario():
        async with asyncssh.connect(port=probe_server.port, **client_options(keys["bob"])) as conn:
            process = await conn.create_process(term_type="xterm-256color", term_size=(91, 27),
                                                encoding=None, env={"COLORTERM": "truecolor", "SSH_EVIL": "1"})
            info = probe_info(await read_until(process.stdout, b"\r\n"))
            process.stdin.write(b"q")
            await process.wait()
            return info, process.exit_status
    info, status = run(scenario())
    assert info["user"] == "bob" and info["role"] == "client"
    assert info["term"] == "xterm-256color" and info["colorterm"] == "truecolor"
    assert info["size"] == "91 27"
    # Its own session, and the pty is its controlling terminal (so a hang-up reaches it).
    assert info["session_leader"] and info["foreground"] and info["ctty"]
    assert info["leaked"] == []
    assert info["preloaded"] is (probe_server.path == "template")  # it went the way asked
    assert info["ppid"] == probe_server.proc.pid  # the server's own child either way
    assert status == 3  # the app's own exit code goes back to the client


def test_a_facilitator_key_logs_in_as_the_facilitator_whatever_the_user_name(probe_server, keys):
    async def scenario():
        options = client_options(keys["alice"]) | {"username": "root"}
        async with asyncssh.connect(port=probe_server.port, **options) as conn:
            process = await conn.create_process(term_type="screen", encoding=None)
            info = probe_info(await read_until(process.stdout, b"\r\n"))
            process.stdin.write(b"q")
            await process.wait()
            return info
    info = run(scenario())
    assert (info["user"], info["role"], info["term"]) == ("alice", "facilitator", "screen")
    assert info["colorterm"] is None  # 256 colours from TERM; no guess of 24-bit colour


def test_keys_arrive_as_raw_bytes_and_resizes_reach_the_app(probe_server, keys):
    async def scenario():
        async with asyncssh.connect(port=probe_server.port, **client_options(keys["bob"])) as conn:
            process = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
            await read_until(process.stdout, b"\r\n")
            # Ctrl+C, Ctrl+Z, ESC, a UTF-8 letter: the app sees each byte as sent (no line editor,
            # no signals from the server side's terminal).
            sent = b"\x03\x1a\x1b[A\xc3\xa9"
            process.stdin.write(sent)
            got = b""
            while len(decoded(got)) < len(sent):  # may come in several reads
                got += await read_until(process.stdout, b"\r\n")
            process.change_terminal_size(120, 40)
            resized = await read_until(process.stdout, b"SIZE 120 40")
            process.stdin.write(b"q")
            await process.wait()
            return got, resized
    got, resized = run(scenario())
    assert decoded(got) == b"\x03\x1a\x1b[A\xc3\xa9"
    assert b"SIZE 120 40" in resized


def test_a_closed_connection_hangs_up_its_app(probe_server, keys):
    async def scenario():
        conn = await asyncssh.connect(port=probe_server.port, **client_options(keys["bob"]))
        process = await conn.create_process(term_type="xterm", encoding=None)
        info = probe_info(await read_until(process.stdout, b"\r\n"))
        conn.abort()  # no goodbye: as if the network went away
        return info["pid"]
    pid = run(scenario())
    assert wait_for(lambda: not pid_alive(pid), 8)
    ended = wait_for(lambda: "end=client-dropped" in probe_server.log or "end=client-closed" in probe_server.log, 5)
    assert ended, probe_server.log


def test_one_session_ending_leaves_the_others_running(probe_server, keys):
    async def scenario():
        options = client_options(keys["alice"])
        async with asyncssh.connect(port=probe_server.port, **options) as one, \
                asyncssh.connect(port=probe_server.port, **options) as two:
            first = await one.create_process(term_type="xterm", encoding=None)
            second = await two.create_process(term_type="xterm", encoding=None)
            await read_until(first.stdout, b"\r\n")
            await read_until(second.stdout, b"\r\n")
            one.abort()
            await asyncio.sleep(0.3)
            second.stdin.write(b"z")
            still = await read_until(second.stdout, b"GOT 7a")
            second.stdin.write(b"q")
            await second.wait()
            return still
    assert b"GOT 7a" in run(scenario())


def test_the_log_has_a_line_per_session_and_nothing_typed(probe_server, keys):
    secret = b"my-secret-words"
    async def scenario():
        async with asyncssh.connect(port=probe_server.port, **client_options(keys["bob"])) as conn:
            process = await conn.create_process(term_type="xterm", encoding=None)
            await read_until(process.stdout, b"\r\n")
            process.stdin.write(secret)
            await read_until(process.stdout, b"GOT")
            process.stdin.write(b"q")
            await process.wait()
    run(scenario())
    wait_for(lambda: "exit=3" in probe_server.log, 5)
    log = probe_server.log
    assert "session user=bob role=client from=127.0.0.1:" in log and "exit=3 end=app-exit" in log
    assert "duration=" in log and "started=" in log
    assert secret.decode() not in log and secret.hex() not in log


def test_a_big_paste_arrives_whole_and_in_order(probe_server, keys):
    pasted = bytes(range(32, 113)) * 4000  # 324 kB, no "q" in it: far more than the pty holds
    assert b"q" not in pasted

    async def scenario():
        async with asyncssh.connect(port=probe_server.port, **client_options(keys["alice"])) as conn:
            process = await conn.create_process(term_type="xterm", encoding=None)
            await read_until(process.stdout, b"\r\n")
            process.stdin.write(pasted)
            got = b""
            while len(decoded(got)) < len(pasted):
                got += await read_until(process.stdout, b"\r\n", timeout=20)
            process.stdin.write(b"q")
            await process.wait()
            return decoded(got)
    assert run(scenario()) == pasted


def test_an_app_that_crashes_ends_only_its_own_connection(probe_server, keys):
    async def scenario():
        options = client_options(keys["alice"])
        async with asyncssh.connect(port=probe_server.port, **options) as one, \
                asyncssh.connect(port=probe_server.port, **options) as two:
            doomed = await one.create_process(term_type="xterm", encoding=None)
            other = await two.create_process(term_type="xterm", encoding=None)
            pid = probe_info(await read_until(doomed.stdout, b"\r\n"))["pid"]
            await read_until(other.stdout, b"\r\n")
            os.kill(pid, signal.SIGKILL)
            crashed = await doomed.wait()
            other.stdin.write(b"z")
            still = await read_until(other.stdout, b"GOT 7a")
            other.stdin.write(b"q")
            return crashed, still, (await other.wait()).exit_status
    crashed, still, status = run(scenario())
    assert crashed.exit_signal[0] == "KILL"
    assert b"\x1b[?1049l" in crashed.stdout  # the terminal is put back for the client
    assert b"GOT 7a" in still and status == 3
