"""Everything but the app is refused: other logins, unknown keys, commands, SFTP, forwarding."""

from __future__ import annotations

import asyncio

import asyncssh
import pytest
from asyncssh.packet import Boolean, String, UInt32

from ssh_helpers import PROBE_APP, client_options, wait_for
from trustdialog.ssh.session import NO_PTY_MESSAGE


@pytest.fixture(scope="module")
def server(start_server):
    return start_server(PROBE_APP)


def run(coro):
    return asyncio.run(coro)


async def logged_in(server, key):
    return await asyncssh.connect(port=server.port, **client_options(key))


def log_in(server, **options) -> None:
    """One login attempt, closed at once if it gets in."""
    async def attempt():
        async with asyncssh.connect(port=server.port, **options):
            pass
    run(attempt())


def test_password_login_is_refused(server):
    options = client_options(None) | {"password": "hunter2", "preferred_auth": "password"}
    with pytest.raises(asyncssh.PermissionDenied):
        log_in(server, **options)


def test_keyboard_interactive_login_is_refused(server):
    options = client_options(None) | {"password": "hunter2", "kbdint_auth": True,
                                      "preferred_auth": "keyboard-interactive"}
    with pytest.raises(asyncssh.PermissionDenied):
        log_in(server, **options)


def test_a_key_not_in_the_access_file_is_refused(server, keys):
    with pytest.raises(asyncssh.PermissionDenied):
        log_in(server, **client_options(keys["eve"]))
    wait_for(lambda: "login failed from 127.0.0.1" in server.log, 5)
    assert "login failed from 127.0.0.1" in server.log


def test_a_session_without_a_terminal_gets_one_line_then_closes(server, keys):
    async def scenario():
        async with await logged_in(server, keys["bob"]) as conn:
            process = await conn.create_process(encoding=None)  # no term_type: no pty asked for
            result = await process.wait()
            return result
    result = run(scenario())
    assert result.exit_status == 1
    assert result.stderr == NO_PTY_MESSAGE.encode() and result.stderr.count(b"\n") == 1
    assert result.stdout == b""


def test_a_command_is_refused(server, keys):
    async def scenario():
        async with await logged_in(server, keys["alice"]) as conn:
            await conn.create_process("cat /etc/passwd", term_type="xterm")
    with pytest.raises(asyncssh.ChannelOpenError):
        run(scenario())


def test_sftp_is_refused(server, keys):
    async def scenario():
        async with await logged_in(server, keys["alice"]) as conn:
            await conn.start_sftp_client()
    with pytest.raises(asyncssh.ChannelOpenError):
        run(scenario())


def test_tcp_forwarding_is_refused_both_ways(server, keys):
    async def scenario():
        async with await logged_in(server, keys["alice"]) as conn:
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.open_connection("127.0.0.1", server.port)  # ssh -L / -W
            with pytest.raises(asyncssh.ChannelListenError):
                await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 9)  # ssh -R
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.open_unix_connection("/tmp/.X11-unix/X0")
    run(scenario())


def test_agent_and_x11_forwarding_are_refused(server, keys):
    # Clients send these requests without asking for an answer, so nothing fails on their
    # side; ask for the answer to see the server's "no" itself.
    async def scenario():
        async with await logged_in(server, keys["alice"]) as conn:
            chan, _ = await conn.create_session(asyncssh.SSHClientSession, term_type="xterm",
                                                encoding=None)
            agent = await chan._make_request(b"auth-agent-req@openssh.com")
            x11 = await chan._make_request(b"x11-req", Boolean(False), String(b"MIT-MAGIC-COOKIE-1"),
                                           String(b"00" * 16), UInt32(0))
            chan.close()
            return agent, x11
    assert run(scenario()) == (False, False)


def test_repeated_failed_logins_from_one_address_are_slowed_down(start_server, keys):
    fresh = start_server(PROBE_APP)  # its own throttle: earlier tests' failures do not count
    for _ in range(3):
        with pytest.raises(asyncssh.PermissionDenied):
            log_in(fresh, **client_options(keys["eve"]))
    wait_for(lambda: "slowing down 127.0.0.1: 2 failed logins" in fresh.log, 5)
    assert "slowing down 127.0.0.1: 1 failed logins, waiting 0.5s" in fresh.log
    assert "slowing down 127.0.0.1: 2 failed logins, waiting 1.0s" in fresh.log


def test_a_full_server_says_so_and_keeps_its_sessions(start_server, keys):
    small = start_server(PROBE_APP, max_sessions=1)

    async def scenario():
        async with await logged_in(small, keys["alice"]) as first, \
                await logged_in(small, keys["bob"]) as second:
            running = await first.create_process(term_type="xterm", encoding=None)
            await running.stdout.readuntil(b"\r\n")
            turned_away = await (await second.create_process(term_type="xterm", encoding=None)).wait()
            running.stdin.write(b"q")
            kept = await running.wait()
            return turned_away, kept
    turned_away, kept = run(scenario())
    assert turned_away.exit_status == 1 and b"the server is full (1 sessions)" in turned_away.stderr
    assert kept.exit_status == 3


def test_a_client_trying_key_after_key_is_cut_off(server):
    strangers = [asyncssh.generate_private_key("ssh-ed25519") for _ in range(12)]
    options = client_options(None) | {"client_keys": strangers}
    with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError)):
        log_in(server, **options)
    wait_for(lambda: "10 unknown keys" in server.log or "11 unknown keys" in server.log, 5)
    assert "11 unknown keys" in server.log
