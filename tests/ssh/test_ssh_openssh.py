"""The system OpenSSH client in a real terminal (tmux): the app renders, types, resizes, quits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ssh_helpers import BARE_APP, START_PATHS, children_of, leads_session, pid_alive, ssh_command, wait_for


@pytest.fixture(scope="module", params=START_PATHS)
def server(request, start_server):
    """Each test on it runs twice: apps forked from the template, and fresh interpreters."""
    return start_server(BARE_APP, template=request.param == "template")


def test_the_app_renders_takes_keys_follows_a_resize_and_quits(server, keys, tmux):
    tmux.start(ssh_command(server.port, keys["alice"]), width=100, height=30)
    screen = tmux.wait_screen("partner B")
    assert "BareApp" in screen and "partner A" in screen
    tmux.keys("hello there")
    assert "hello there" in tmux.wait_screen("hello there")
    # Wide: the two panes side by side, one border each at the top of a 100-column line.
    top = next(line for line in screen.splitlines() if line.startswith("╭"))
    assert len(top) == 100
    tmux.run("resize-window", "-t", "t", "-x", "60", "-y", "16")
    wait_for(lambda: any(line.startswith("╭") and len(line) == 60 for line in tmux.screen().splitlines()))
    resized = tmux.screen().splitlines()
    assert any(line.startswith("╭") and len(line) == 60 for line in resized)
    assert "hello there" in tmux.screen()
    [child] = server.children()
    tmux.keys("C-q")  # the app's own quit key
    assert wait_for(tmux.finished, 10)
    assert tmux.exit_status() == "0"
    assert wait_for(lambda: not pid_alive(child), 5)
    wait_for(lambda: "exit=0 end=app-exit" in server.log, 5)
    assert "user=alice role=facilitator" in server.log and "exit=0 end=app-exit" in server.log


def test_killing_the_ssh_client_leaves_no_app_behind(server, keys, tmux):
    tmux.start(ssh_command(server.port, keys["bob"]))
    tmux.wait_screen("partner B")
    [child] = server.children()
    os.kill(tmux.ssh_pid(), signal.SIGKILL)  # the client vanishes without a word
    assert wait_for(lambda: not pid_alive(child), 8), "the app outlived its connection"
    wait_for(lambda: "end=client-dropped" in server.log, 5)
    assert "user=bob role=client" in server.log and "end=client-dropped" in server.log


def test_openssh_is_offered_public_keys_only_and_no_commands(server, keys):
    refused = subprocess.run(
        ssh_command(server.port, keys["eve"], "-o", "PubkeyAuthentication=no",
                    "-o", "PreferredAuthentications=password,keyboard-interactive").split(),
        capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    assert refused.returncode == 255 and "Permission denied (publickey)." in refused.stderr
    command = subprocess.run(ssh_command(server.port, keys["alice"], "-t").split() + ["ls", "/"],
                             capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    assert command.returncode != 0 and "exec request failed" in command.stderr
    no_tty = subprocess.run(ssh_command(server.port, keys["alice"], "-T").split(),
                            capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    assert no_tty.returncode == 1 and "only runs the trustdialog app in a terminal" in no_tty.stderr


def test_an_idle_connection_is_warned_then_closed(start_server, keys, tmux):
    quick = start_server(BARE_APP, idle_timeout=4, idle_warning=2.5)
    tmux.start(ssh_command(quick.port, keys["bob"]), width=90, height=20)
    tmux.wait_screen("partner B")
    tmux.keys("a")  # the idle clock starts again from here, with the app surely drawn
    screen = tmux.wait_screen("No key pressed for a while", timeout=6)
    assert "Press a key to stay" in screen.splitlines()[-1]
    tmux.keys("x")  # a key: the notice goes, the app redraws its bottom line
    wait_for(lambda: "No key pressed" not in tmux.screen(), 5)
    assert "No key pressed" not in tmux.screen() and "palette" in tmux.screen()
    [child] = quick.children()
    assert wait_for(tmux.finished, 15)
    assert "closed after 4 seconds without a key press" in tmux.screen()
    assert "Your session is saved" in tmux.screen()
    assert wait_for(lambda: not pid_alive(child), 5)
    wait_for(lambda: "end=idle" in quick.log, 5)
    assert "end=idle" in quick.log


@pytest.mark.parametrize("path", START_PATHS)
def test_sigterm_stops_the_server_and_ends_every_app(start_server, keys, tmux, path):
    doomed = start_server(BARE_APP, template=path == "template")
    tmux.start(ssh_command(doomed.port, keys["alice"]))
    tmux.wait_screen("partner B")
    [child] = doomed.children()
    helpers = [pid for pid in children_of(doomed.proc.pid) if not leads_session(pid)]
    assert len(helpers) == (path == "template")  # the template, and nothing else
    assert doomed.stop() == 0
    assert not pid_alive(child)
    assert not any(pid_alive(pid) for pid in helpers)
    assert wait_for(tmux.finished, 10)
    assert "the server is stopping; your session is saved" in tmux.screen()
    assert "end=server-stop" in doomed.log


@pytest.mark.parametrize("path", START_PATHS)
def test_the_real_command_serves_the_trustdialog_app(tmp_path, access_file, keys, tmux, path):
    # `trustdialog serve` as a facilitator runs it, with its default app: python -m trustdialog.
    proc = subprocess.Popen([sys.executable, "-m", "trustdialog", "--data-dir", str(tmp_path), "serve",
                             "--port", "0", "--access", str(access_file),
                             *(["--no-template"] if path == "fresh" else [])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out = "".join(proc.stdout.readline() for _ in range(3))
        port = int(re.search(r"listening on [\d.]+:(\d+)", out).group(1))
        tmux.start(ssh_command(port, keys["bob"]), width=100, height=30)
        screen = tmux.wait_screen("trustdialog", timeout=20)
        assert "trustdialog" in screen and "Traceback" not in screen
        [child] = [pid for pid in children_of(proc.pid) if pid_alive(pid) and leads_session(pid)]
        if path == "fresh":
            cmdline = open(f"/proc/{child}/cmdline").read().split("\0")
            assert cmdline[1:5] == ["-m", "trustdialog", "--data-dir", str(tmp_path.resolve())]
        else:  # a fork keeps the template's command line: the store it opens shows its data dir
            assert "trustdialog.ssh.forkserver" in open(f"/proc/{child}/cmdline").read()
            def store_open() -> bool:
                links = [os.readlink(fd) for fd in Path(f"/proc/{child}/fd").iterdir()]
                return any(link.startswith(str(tmp_path.resolve())) for link in links)
            assert wait_for(store_open, 10), "the app did not open the data dir's store"
        os.kill(tmux.ssh_pid(), signal.SIGKILL)
        assert wait_for(lambda: not pid_alive(child), 8)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
