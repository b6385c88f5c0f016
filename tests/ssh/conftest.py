"""Real servers on 127.0.0.1, real keys, real clients: the fixtures the SSH tests share."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from ssh_helpers import RunningServer, Tmux

from trustdialog.ssh.access import AccessList, read_key_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))  # the store tests' PostgreSQL
from pg_server import started  # noqa: E402


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> dict[str, Path]:
    """Private key paths for alice (facilitator), bob (client) and eve (not in the file)."""
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name in ("alice", "bob", "eve"):
        path = folder / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(path)],
                       check=True)
        made[name] = path
    return made


@pytest.fixture(scope="session")
def access_file(tmp_path_factory, keys) -> Path:
    path = tmp_path_factory.mktemp("access") / "access.toml"
    access = AccessList()
    access.add("alice", "facilitator", read_key_file(keys["alice"].with_suffix(".pub")))
    access.add("bob", "client", read_key_file(keys["bob"].with_suffix(".pub")))
    access.save(path)
    return path


@pytest.fixture(scope="module")
def start_server(tmp_path_factory, access_file):
    """Factory: start_server(child_argv, **ServerConfig options) -> RunningServer; all stopped after."""
    started: list[RunningServer] = []

    def start(child_argv=None, **options) -> RunningServer:
        server = RunningServer.start(tmp_path_factory.mktemp("server"), access_file, child_argv, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def tmux(tmp_path):
    """A private tmux server (its own socket) for driving the real `ssh` client."""
    if not shutil.which("tmux") or not shutil.which("ssh"):
        pytest.fail("these tests need tmux and the OpenSSH client installed")
    runner = Tmux(f"td-ssh-{uuid.uuid4().hex[:8]}", tmp_path)
    yield runner
    runner.kill()


@pytest.fixture
def database(monkeypatch):
    """A real PostgreSQL server, named by $TRUSTDIALOG_STORE for this test and every server it starts."""
    with started() as server:
        monkeypatch.setenv("TRUSTDIALOG_STORE", server.url)
        yield server.url
