"""Two servers on one PostgreSQL database agree on who may connect: an invite used on one lets the key into the other."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from ssh_helpers import RunningServer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "store"))  # the throw-away PostgreSQL server of the store tests
from pg_server import started  # noqa: E402

TELL_APP = [sys.executable, "-c",
            "import os; print('APP', *(os.environ.get('TRUSTDIALOG_' + k, '-') "
            "for k in ('USER', 'ROLE', 'COUPLE', 'PARTNER')))"]
ASKPASS = "#!/bin/sh\ncat \"$ASKPASS_ANSWER\"\n"


@pytest.fixture(scope="module")
def database():
    with started() as server:
        yield server


def trustdialog(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustdialog", "--store", url, *args], capture_output=True,
                          text=True, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL)


def ssh(folder: Path, port: int, key: Path, answer: str = "", *extra: str) -> subprocess.CompletedProcess:
    """The OpenSSH client; an invite code, when asked for, is typed by SSH_ASKPASS."""
    answer_file = folder / "answer"
    answer_file.write_text(answer + "\n")
    askpass = folder / "askpass.sh"
    askpass.write_text(ASKPASS)
    askpass.chmod(0o700)
    command = ["ssh", "-F", "/dev/null", "-p", str(port), "-i", str(key), "-o", "IdentitiesOnly=yes",
               "-o", "IdentityAgent=none", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "PreferredAuthentications=publickey,keyboard-interactive", *extra, "-tt", "127.0.0.1"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "DISPLAY": ":0", "SSH_ASKPASS": str(askpass),
           "SSH_ASKPASS_REQUIRE": "force", "ASKPASS_ANSWER": str(answer_file)}
    return subprocess.run(command, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL, env=env)


def app_line(done: subprocess.CompletedProcess) -> list[str]:
    found = re.search(r"^APP (.*?)\r?$", done.stdout, re.MULTILINE)
    return found.group(1).split() if found else []


def test_a_key_enrolled_on_one_host_is_let_in_by_the_other_at_once(database, tmp_path, keys, monkeypatch):
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA shared_access")
    url = f"{database.url}?options=-csearch_path%3Dshared_access"
    # The servers find their store as every process does: $TRUSTDIALOG_STORE.
    monkeypatch.setenv("TRUSTDIALOG_STORE", url)
    access = tmp_path / "access.toml"  # its name, in the database; never written on disk
    added = trustdialog(url, "access", "add", "alice", "--role", "facilitator",
                        "--key", str(keys["alice"].with_suffix(".pub")), "--access", str(access))
    assert added.returncode == 0, added
    # One host key for every host, so the fingerprint in the invite is true of each.
    host_key = tmp_path / "host_key"
    for host in ("one", "two"):
        (tmp_path / host).mkdir()
    one = RunningServer.start(tmp_path / "one", access, TELL_APP, host_key_file=str(host_key))
    two = RunningServer.start(tmp_path / "two", access, TELL_APP, host_key_file=str(host_key))
    try:
        assert one.fingerprint == two.fingerprint
        invited = trustdialog(url, "invite", "--couple", "sam-and-kim", "--partner", "a", "--name", "sam",
                              "--access", str(access), "--host-key", str(host_key), "--host", "127.0.0.1",
                              "--port", str(one.port))
        assert invited.returncode == 0, invited
        assert one.fingerprint in invited.stdout
        code = re.search(r"Invite code:\s+(\S+)", invited.stdout).group(1)
        # Both servers were started before the invite was made, and ask for codes now.
        first = ssh(tmp_path, one.port, keys["eve"], code)
        assert first.returncode == 0, first.stderr
        assert app_line(first) == ["sam", "client", "sam-and-kim", "a"]
        # The other host, a moment later: the key alone, and nothing to answer with.
        second = ssh(tmp_path, two.port, keys["eve"], "", "-o", "BatchMode=yes")
        assert second.returncode == 0, second.stderr
        assert app_line(second) == ["sam", "client", "sam-and-kim", "a"]
        # The code worked once across both hosts: another key typing it on the other host is told so.
        again = ssh(tmp_path, two.port, keys["bob"], code, "-o", "NumberOfPasswordPrompts=1")
        assert again.returncode == 255 and "APP" not in again.stdout
        assert "already been used" in again.stderr
        listed = trustdialog(url, "access", "list")
        assert listed.returncode == 0 and re.search(r"^  sam +partner A +SHA256:\S+ +invite-", listed.stdout, re.M), listed
        used = trustdialog(url, "invite", "list")
        assert re.search(r"sam +partner A of sam-and-kim +used ", used.stdout), used
    finally:
        one.stop()
        two.stop()
    assert not access.exists()  # the list is in the database, not in a file on this host


def test_the_access_commands_work_on_the_database_and_say_so(database, tmp_path, keys):
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA access_commands")
    url = f"{database.url}?options=-csearch_path%3Daccess_commands"
    shown = f"access.toml in the database {url}"
    empty = trustdialog(url, "--data-dir", str(tmp_path), "access", "list")
    assert empty.stdout.startswith(f"nobody yet in {shown}; add someone"), empty
    added = trustdialog(url, "--data-dir", str(tmp_path), "access", "add", "bob",
                        "--key", str(keys["bob"].with_suffix(".pub")))
    assert added.returncode == 0 and added.stdout.rstrip().endswith(f"1 in all; {shown}"), added
    assert "bob" in trustdialog(url, "--data-dir", str(tmp_path), "access", "list").stdout
    removed = trustdialog(url, "--data-dir", str(tmp_path), "access", "remove", "bob")
    assert removed.returncode == 0, removed
    none = trustdialog(url, "--data-dir", str(tmp_path), "invite", "list")
    assert none.stdout.startswith(f"no invites in access-invites.toml in the database {url}"), none
    assert not (tmp_path / "access.toml").exists()


@pytest.mark.parametrize("command", [["access", "list"], ["access", "remove", "bob"],
                                     ["invite", "list"], ["invite", "--facilitator", "lee"]])
def test_a_database_that_is_down_is_one_line_for_the_access_commands(command, tmp_path):
    from pg_server import free_port

    url = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/practice"
    done = trustdialog(url, "--data-dir", str(tmp_path), *command)
    assert done.returncode in (1, 2), done
    assert done.stderr.count("\n") == 1 and "cannot reach the database postgresql://ann:***@" in done.stderr
    assert "no server is running there" in done.stderr and "s3cret" not in done.stderr
