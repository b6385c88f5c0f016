"""`trustdialog serve` itself: host key, fingerprint, clean stop, clear failures."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys

from trustdialog.cli import build_parser
from trustdialog.commands.serve import server_config
from trustdialog.ssh.server import app_command, session_settings


def serve(data_dir, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "trustdialog", "--data-dir", str(data_dir), "serve",
                             "--port", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_lines(proc, count=3) -> str:
    return "".join(proc.stdout.readline() for _ in range(count))


def test_first_run_makes_a_private_host_key_and_prints_its_fingerprint(tmp_path):
    proc = serve(tmp_path)
    try:
        out = first_lines(proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
    key = tmp_path / "ssh_host_ed25519_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    listed = subprocess.run(["ssh-keygen", "-lf", str(key)], capture_output=True, text=True, check=True)
    fingerprint = listed.stdout.split()[1]
    assert f"host key {fingerprint} (ssh-ed25519)" in out
    assert re.search(r"listening on 127\.0\.0\.1:\d+", out)
    assert "0 people" in out and "trustdialog access add" in out
    assert code == 0  # SIGTERM is a clean stop
    again = serve(tmp_path)
    try:
        assert fingerprint in first_lines(again)  # the same key next time
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(15)


def test_a_busy_port_is_a_one_line_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "trustdialog", "--data-dir", str(tmp_path), "serve",
                              "--port", str(port)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert out.stderr.startswith(f"trustdialog: cannot listen on 127.0.0.1:{port}")
    assert out.stderr.count("\n") == 1


def test_a_host_key_others_can_read_is_refused(tmp_path):
    key = tmp_path / "hostkey"
    key.write_text("secret")
    os.chmod(key, 0o644)
    out = subprocess.run([sys.executable, "-m", "trustdialog", "--data-dir", str(tmp_path), "serve",
                          "--port", "0", "--host-key", str(key)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "readable by others" in out.stderr and "chmod 600" in out.stderr
    assert "Traceback" not in out.stderr


def test_each_connection_runs_trustdialog_on_the_server_data_and_library(tmp_path):
    args = build_parser().parse_args(["--data-dir", str(tmp_path / "d"), "--exercises", str(tmp_path / "ex"),
                                      "--no-save", "serve", "--idle-timeout", "30", "--max-sessions", "5"])
    args.exercises = args.exercises or []
    config = server_config(args)
    assert config.idle_timeout == 1800 and config.idle_warning == 120 and config.max_sessions == 5
    assert config.access_file == (tmp_path / "d" / "access.toml").resolve()
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700
    argv = app_command(config)
    assert argv == [sys.executable, "-m", "trustdialog", "--data-dir", str((tmp_path / "d").resolve()),
                    "--exercises", str((tmp_path / "ex").resolve()), "--no-save"]
    # What each session is handed instead of the server: the same command and limits.
    settings = session_settings(config)
    assert settings.child_argv == tuple(argv)
    assert (settings.idle_timeout, settings.idle_warning, settings.max_sessions) == (1800, 120, 5)
