"""The access file and `trustdialog access add|list|remove`."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from trustdialog.cli import main
from trustdialog.ssh.access import AccessError, AccessList, AccessWatcher, parse_key, read_key_file


def pub(keys, name):
    return keys[name].with_suffix(".pub")


def fingerprint(path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(path)], capture_output=True, text=True, check=True)
    return out.stdout.split()[1]


def test_add_list_remove_through_the_command_line(tmp_path, keys, capsys):
    access = tmp_path / "data" / "access.toml"
    base = ["--data-dir", str(tmp_path / "data"), "access"]
    assert main(base + ["add", "alice", "--role", "facilitator", "--key", str(pub(keys, "alice"))]) == 0
    assert main(base + ["add", "bob", "--key", str(pub(keys, "bob"))]) == 0
    assert stat.S_IMODE(access.stat().st_mode) == 0o600
    capsys.readouterr()
    assert main(base + ["list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split()[:3] == ["alice", "facilitator", fingerprint(pub(keys, "alice"))]
    assert listed[1].split()[:3] == ["bob", "client", fingerprint(pub(keys, "bob"))]
    assert listed[0].endswith("alice@test")
    assert main(base + ["remove", "bob"]) == 0
    people = AccessList.load(access).people
    assert [(p.name, p.role) for p in people] == [("alice", "facilitator")]
    assert stat.S_IMODE(access.stat().st_mode) == 0o600


def test_the_file_is_plain_toml_people_can_read(tmp_path, keys):
    access = tmp_path / "access.toml"
    assert main(["access", "--access", str(access), "add", "alice", "--key", str(pub(keys, "alice"))]) == 0
    import tomllib
    data = tomllib.loads(access.read_text())
    assert data == {"people": [{"name": "alice", "role": "client",
                                "keys": [pub(keys, "alice").read_text().strip()]}]}


def test_adding_again_adds_keys_and_changes_the_role(tmp_path, keys):
    access = tmp_path / "access.toml"
    run = ["access", "--access", str(access), "add", "alice"]
    main(run + ["--key", str(pub(keys, "alice"))])
    main(run + ["--role", "facilitator", "--key", str(pub(keys, "eve")), "--key", str(pub(keys, "alice"))])
    [alice] = AccessList.load(access).people
    assert alice.role == "facilitator" and len(alice.keys) == 2


@pytest.mark.parametrize("problem, args, message", [
    ("key of another person", ["add", "carol", "--key", "{bob}"], "already belongs to 'bob'"),
    ("private key", ["add", "carol", "--key", "{bob_private}"], "holds a private key; give the .pub file"),
    ("bad name", ["add", "no spaces", "--key", "{eve}"], "name must be"),
    ("unknown person", ["remove", "zed"], "no one named 'zed'"),
    ("missing key file", ["add", "carol", "--key", "/nonexistent.pub"], "cannot read key file"),
])
def test_mistakes_are_one_line_messages(tmp_path, keys, capsys, problem, args, message):
    access = tmp_path / "access.toml"
    main(["access", "--access", str(access), "add", "bob", "--key", str(pub(keys, "bob"))])
    capsys.readouterr()
    filled = [a.format(bob=pub(keys, "bob"), eve=pub(keys, "eve"), bob_private=keys["bob"]) for a in args]
    assert main(["access", "--access", str(access), *filled]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trustdialog: ") and message in err and err.count("\n") == 1
    assert [p.name for p in AccessList.load(access).people] == ["bob"]  # unchanged


def test_a_broken_access_file_is_named_with_its_line(tmp_path, capsys):
    access = tmp_path / "access.toml"
    access.write_text('[[people]]\nname = "ann"\nrole = "boss"\nkeys = []\n')
    assert main(["access", "--access", str(access), "list"]) == 1
    assert "role must be facilitator or client (got 'boss')" in capsys.readouterr().err
    access.write_text('[[people]\n')
    with pytest.raises(AccessError, match="line 1"):
        AccessList.load(access)


def test_keys_are_matched_on_the_key_not_the_comment(keys):
    line = pub(keys, "alice").read_text().strip()
    renamed = line.rsplit(" ", 1)[0] + " another-comment"
    assert parse_key(line).blob == parse_key(renamed).blob
    access = AccessList()
    access.add("alice", "client", read_key_file(pub(keys, "alice")))
    assert access.owner_of(parse_key(renamed).blob).name == "alice"
    assert access.owner_of(parse_key(pub(keys, "eve").read_text()).blob) is None


def test_the_server_sees_changes_without_a_restart_and_keeps_the_last_good_file(tmp_path, keys):
    access = tmp_path / "access.toml"
    errors = []
    watcher = AccessWatcher(access, on_error=errors.append)
    assert watcher.refresh().people == []
    main(["access", "--access", str(access), "add", "bob", "--key", str(pub(keys, "bob"))])
    assert [p.name for p in watcher.refresh().people] == ["bob"]
    access.write_text("this is = not toml [")
    assert [p.name for p in watcher.refresh().people] == ["bob"]
    assert len(errors) == 1 and "keeping the last good one" in errors[0]


def test_the_installed_command_runs_access_list(tmp_path):
    out = subprocess.run([sys.executable, "-m", "trustdialog", "--data-dir", str(tmp_path), "access", "list"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "nobody yet" in out.stdout
