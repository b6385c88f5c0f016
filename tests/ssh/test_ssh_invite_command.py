"""`trustdialog invite`, `invite list` and `invite revoke`: what is printed, and what is refused."""

from __future__ import annotations

import re
import stat
import subprocess
from datetime import timedelta

import pytest

from trustdialog.cli import main
from trustdialog.ssh import invites
from trustdialog.ssh.access import AccessList, read_key_file

CODE = re.compile(rf"[{invites.ALPHABET}]{{4}}-[{invites.ALPHABET}]{{4}}-[{invites.ALPHABET}]{{4}}")


@pytest.fixture
def data(tmp_path, keys):
    """A data dir whose access file holds alice (facilitator), bob (on his own) and a full couple."""
    folder = tmp_path / "data"
    access = AccessList()
    access.add("alice", "facilitator", read_key_file(keys["alice"].with_suffix(".pub")))
    access.add("bob", "client", read_key_file(keys["bob"].with_suffix(".pub")))
    access.add("sam", "client", [], "sam-and-kim", "a")
    access.add("kim", "client", [], "sam-and-kim", "b")
    folder.mkdir(mode=0o700)
    access.save(folder / "access.toml")
    return folder


def invite(data, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "invite", *args])
    out, err = capsys.readouterr()
    return code, out, err


def host_fingerprint(path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(path)], capture_output=True, text=True, check=True)
    return out.stdout.split()[1]


def test_the_invite_is_plain_text_with_code_validity_ssh_line_and_fingerprint(data, capsys):
    code, out, err = invite(data, capsys, "--couple", "lee-and-max", "--partner", "b", "--host",
                            "talk.example.org")
    assert code == 0 and err == ""
    assert out.isascii() and "\x1b" not in out  # pasteable into an email as it is
    shown = re.search(r"^  Invite code:  (\S+)$", out, re.MULTILINE).group(1)
    assert CODE.fullmatch(shown)
    assert re.search(r"^  Valid until:  \d{4}-\d\d-\d\d \d\d:\d\d UTC \(72 hours\); it works once\.$",
                     out, re.MULTILINE)
    assert "\n  ssh -p 2222 talk.example.org\n" in out
    # The host key serve will use, made now if serve has not run yet, kept private.
    host_key = data / "ssh_host_ed25519_key"
    assert stat.S_IMODE(host_key.stat().st_mode) == 0o600
    assert f"\n  {host_fingerprint(host_key)}\n" in out
    assert "Invite to trustdialog for lee-and-max-b, partner B of lee-and-max" in out
    assert "ssh-keygen -t ed25519" in out
    [made] = invites.load(invites.invites_path(data / "access.toml"))
    assert (made.name, made.role, made.couple, made.partner) == ("lee-and-max-b", "client", "lee-and-max", "b")
    assert made.expires - made.created == timedelta(hours=72)


@pytest.mark.parametrize("valid, lasts, delta", [
    ("24h", "24 hours", timedelta(hours=24)),
    ("3d", "72 hours", timedelta(days=3)),
    ("7d", "7 days", timedelta(days=7)),
    ("90m", "1.5 hours", timedelta(minutes=90)),
])
def test_how_long_an_invite_lasts(data, capsys, valid, lasts, delta):
    code, out, _ = invite(data, capsys, "--facilitator", "lee", "--valid", valid, "--port", "22",
                          "--host", "h.example")
    assert code == 0 and f"({lasts}); it works once." in out
    assert "\n  ssh h.example\n" in out  # port 22 needs no -p
    [made] = invites.load(invites.invites_path(data / "access.toml"))
    assert made.expires - made.created == delta


@pytest.mark.parametrize("args, message", [
    (["--couple", "sam-and-kim", "--partner", "a", "--name", "zed"], "the couple 'sam-and-kim' already has two people"),
    (["--couple", "pair", "--partner", "a", "--name", "sam"], "sam is partner A of sam-and-kim; for a new key of theirs, use --person sam"),
    (["--couple", "sam-and-kim"], "--couple needs --partner a or b"),
    (["--partner", "a"], "say who the invite is for"),
    (["--couple", "pair", "--partner", "a", "--name", "alice"], "alice is a facilitator"),
    (["--facilitator", "bob"], "bob is a client, not a facilitator; for a new key of theirs, use --person bob"),
    (["--person", "zed"], "no one named 'zed'"),
    (["--couple", "bob", "--partner", "a", "--name", "carol"], "'bob' is already a client on their own"),
    (["--facilitator", "lee", "--valid", "forever"], "--valid must be a number of hours"),
    (["--facilitator", "lee", "--valid", "31d"], "at most 30 days"),
])
def test_an_invite_that_could_not_be_used_is_refused_before_it_is_made(data, capsys, args, message):
    code, out, err = invite(data, capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("trustdialog: ") and message in err and err.count("\n") == 1
    assert not invites.invites_path(data / "access.toml").exists()


def test_an_invite_for_a_partner_already_there_is_for_their_new_laptop(data, capsys):
    code, out, _ = invite(data, capsys, "--couple", "sam-and-kim", "--partner", "b")
    assert code == 0 and "for kim, partner B of sam-and-kim" in out
    code, out, _ = invite(data, capsys, "--person", "bob")
    assert code == 0 and "Invite to trustdialog for bob\n" in out
    made = invites.load(invites.invites_path(data / "access.toml"))
    assert [(i.name, i.couple, i.partner) for i in made] == [("kim", "sam-and-kim", "b"), ("bob", None, None)]


def test_list_and_revoke(data, capsys):
    assert invite(data, capsys, "list")[1].startswith("no invites in ")
    invite(data, capsys, "--couple", "pair", "--partner", "a")
    invite(data, capsys, "--facilitator", "lee")
    path = invites.invites_path(data / "access.toml")
    earlier = invites.now_utc() - timedelta(hours=5)
    invites.create(path, "old", "client", None, None, timedelta(hours=1), now=earlier)
    first, second, old = invites.load(path)
    code, out, _ = invite(data, capsys, "list")
    lines = out.splitlines()
    assert lines[0].split()[:5] == [first.id, "pair-a", "partner", "A", "of"]
    assert "waiting, until" in lines[0] and "waiting, until" in lines[1]
    assert lines[2].split()[:4] == [old.id, "old", "client", "expired"]
    code, out, _ = invite(data, capsys, "revoke", second.id)
    assert code == 0 and f"revoked invite {second.id} for lee (facilitator)" in out
    assert [i.id for i in invites.load(path)] == [first.id, old.id]
    code, _, err = invite(data, capsys, "revoke", "nope")
    assert code == 2 and f"no invite with id 'nope' (invites: {first.id}, {old.id})" in err


def test_codes_avoid_look_alikes_and_read_back_however_typed():
    codes = {invites.new_code() for _ in range(300)}
    assert len(codes) == 300
    assert all(CODE.fullmatch(code) for code in codes)
    assert not set("".join(codes)) & set("0O1IL")
    code = "KX7Q-4MPR-9TWD"
    assert invites.normalise(" kx7q 4mpr-9twd ") == invites.normalise(code) == "KX7Q4MPR9TWD"


def test_long_used_or_expired_invites_are_dropped(tmp_path):
    path = tmp_path / "access-invites.toml"
    long_ago = invites.now_utc() - timedelta(days=40)
    invites.create(path, "old", "client", None, None, timedelta(hours=1), now=long_ago)
    invites.create(path, "new", "client", None, None)
    assert [i.name for i in invites.load(path)] == ["new"]


def test_access_add_waits_while_the_server_enrols_a_key(data, keys):
    import sys
    import time
    from pathlib import Path

    access = data / "access.toml"
    command = [sys.executable, "-m", "trustdialog", "access", "--access", str(access), "add", "carol",
               "--key", str(keys["eve"].with_suffix(".pub"))]
    with invites.locked(invites.invites_path(access)):  # as the server holds it while enrolling
        proc = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert proc.poll() is None
    assert proc.wait(30) == 0
    assert AccessList.load(access).find("carol") is not None
