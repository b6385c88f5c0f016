"""Invites over real SSH: the OpenSSH client types a code, the server enrols its key, once."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ssh_helpers import RunningServer, wait_for
from trustdialog.ssh import invites
from trustdialog.ssh.access import AccessList, read_key_file

REPO = Path(__file__).resolve().parents[2]
# The app the server starts: says who it was told connected, then ends.
TELL_APP = [sys.executable, "-c",
            "import os; print('APP', *(os.environ.get('TRUSTDIALOG_' + k, '-') "
            "for k in ('USER', 'ROLE', 'COUPLE', 'PARTNER')))"]
ASKPASS = "#!/bin/sh\necho \"$1\" >> \"$ASKPASS_LOG\"\ncat \"$ASKPASS_ANSWER\"\n"


def trustdialog(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustdialog", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=30, stdin=subprocess.DEVNULL)


class Place:
    """One test's access file, server and the means to answer ssh's questions."""

    def __init__(self, folder: Path, keys) -> None:
        self.folder = folder
        self.access = folder / "access.toml"
        people = AccessList()
        people.add("alice", "facilitator", read_key_file(keys["alice"].with_suffix(".pub")))
        people.save(self.access)
        self.server = RunningServer.start(folder, self.access, TELL_APP)
        self.host_key = folder / "data" / "host_key"
        self.invite_file = invites.invites_path(self.access)
        self.askpass = folder / "askpass.sh"
        self.askpass.write_text(ASKPASS)
        self.askpass.chmod(0o700)
        self.asked = folder / "asked.log"

    def invite(self, *args: str) -> subprocess.CompletedProcess:
        return trustdialog("invite", "--access", str(self.access), "--host-key", str(self.host_key),
                           "--host", "127.0.0.1", "--port", str(self.server.port), *args)

    def code_for(self, *args: str) -> str:
        done = self.invite(*args)
        assert done.returncode == 0, done.stderr
        return re.search(r"Invite code:\s+(\S+)", done.stdout).group(1)

    def ssh(self, key: Path | None, answer: str = "", *extra: str) -> subprocess.CompletedProcess:
        """The OpenSSH client, its keyboard-interactive answers typed by SSH_ASKPASS."""
        answer_file = self.folder / "answer"
        answer_file.write_text(answer + "\n")
        keys = ["-i", str(key), "-o", "IdentitiesOnly=yes"] if key else ["-o", "PubkeyAuthentication=no"]
        command = ["ssh", "-F", "/dev/null", "-p", str(self.server.port), *keys, "-o", "IdentityAgent=none",
                   "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                   "-o", "PreferredAuthentications=publickey,keyboard-interactive", *extra, "-tt", "127.0.0.1"]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.folder), "DISPLAY": ":0",
               "SSH_ASKPASS": str(self.askpass), "SSH_ASKPASS_REQUIRE": "force",
               "ASKPASS_LOG": str(self.asked), "ASKPASS_ANSWER": str(answer_file)}
        return subprocess.run(command, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL, env=env)


@pytest.fixture
def place(tmp_path, keys):
    made = Place(tmp_path, keys)
    yield made
    made.server.stop()


def app_line(done: subprocess.CompletedProcess) -> list[str]:
    found = re.search(r"^APP (.*?)\r?$", done.stdout, re.MULTILINE)
    return found.group(1).split() if found else []


def test_the_right_code_enrols_the_key_and_the_key_alone_gets_in_next_time(place, keys):
    code = place.code_for("--couple", "sam-and-kim", "--partner", "a", "--name", "sam")
    # Typed the way people do: small letters, spaces for the dashes.
    typed = code.lower().replace("-", " ")
    done = place.ssh(keys["eve"], typed)
    assert done.returncode == 0, done.stderr
    assert app_line(done) == ["sam", "client", "sam-and-kim", "a"]
    assert "Invite code:" in place.asked.read_text()
    [sam] = [p for p in AccessList.load(place.access).people if p.name == "sam"]
    assert [k.blob for k in sam.keys] == [k.blob for k in read_key_file(keys["eve"].with_suffix(".pub"))]
    assert (sam.couple, sam.partner) == ("sam-and-kim", "a")
    assert stat.S_IMODE(place.access.stat().st_mode) == 0o600
    fingerprint = sam.keys[0].fingerprint
    wait_for(lambda: "login sam/client" in place.server.log, 5)
    assert re.search(rf"enrolled sam \(partner A of sam-and-kim\) key {re.escape(fingerprint)} "
                     r"from 127\.0\.0\.1:\d+ with invite [0-9a-f]{8}", place.server.log)
    assert code not in place.server.log and invites.normalise(code) not in place.server.log
    # Again with the same key, and no way to answer a question: in at once.
    place.asked.unlink()
    again = place.ssh(keys["eve"], "", "-o", "BatchMode=yes")
    assert again.returncode == 0, again.stderr
    assert app_line(again) == ["sam", "client", "sam-and-kim", "a"]
    assert not place.asked.exists()
    listed = trustdialog("invite", "--access", str(place.access), "list")
    assert re.search(rf"sam +partner A of sam-and-kim +used .* UTC, key {re.escape(fingerprint)}, "
                     r"from 127\.0\.0\.1:\d+", listed.stdout)


def test_a_wrong_code_is_refused_and_counted_as_a_failed_login(place, keys):
    code = place.code_for("--facilitator", "lee")
    wrong = "XXXX-XXXX-XXXX" if code != "XXXX-XXXX-XXXX" else "YYYY-YYYY-YYYY"
    done = place.ssh(keys["eve"], wrong, "-o", "NumberOfPasswordPrompts=2")
    assert done.returncode == 255 and "APP" not in done.stdout
    assert "Permission denied" in done.stderr
    assert "That code did not work. Check it and type it again." in done.stderr
    wait_for(lambda: "login failed from" in place.server.log, 5)
    log = place.server.log
    # The unknown key is the first failure; each wrong code is one more, answered more slowly.
    assert "wrong invite code from 127.0.0.1" in log
    assert re.search(r"wrong invite code from \S+ \(1 failed logins before, waiting 0\.5s\)", log)
    assert re.search(r"wrong invite code from \S+ \(2 failed logins before, waiting 1\.0s\)", log)
    assert AccessList.load(place.access).find("lee") is None
    [invite] = invites.load(place.invite_file)
    assert invite.used is None  # still good for the right code
    assert place.ssh(keys["eve"], code).returncode == 0


def test_an_expired_code_says_so_in_one_line(place, keys):
    earlier = invites.now_utc() - timedelta(hours=3)
    _, code = invites.create(place.invite_file, "sam", "client", "pair", "a", timedelta(hours=1), now=earlier)
    done = place.ssh(keys["eve"], code)
    assert done.returncode == 255
    said = [line for line in done.stderr.splitlines() if "expired" in line]
    assert len(said) == 1 and said[0].endswith("This invite code has expired. Please ask whoever sent it "
                                               "for a new one.")
    assert AccessList.load(place.access).find("sam") is None


def test_a_used_code_says_so_in_one_line(place, keys):
    code = place.code_for("--couple", "pair", "--partner", "b")
    assert place.ssh(keys["eve"], code).returncode == 0
    done = place.ssh(keys["bob"], code)
    assert done.returncode == 255 and "APP" not in done.stdout
    said = [line for line in done.stderr.splitlines() if "already been used" in line]
    assert len(said) == 1 and "If that was you, connect again from the same computer" in said[0]
    assert [p.name for p in AccessList.load(place.access).people] == ["alice", "pair-b"]
    assert AccessList.load(place.access).owner_of(read_key_file(keys["bob"].with_suffix(".pub"))[0].blob) is None


def test_a_client_with_no_key_is_told_how_to_make_one(place):
    place.code_for("--couple", "pair", "--partner", "a")
    done = place.ssh(None, "anything")
    assert done.returncode == 255
    assert "your ssh did not offer one. To make a key, type: ssh-keygen -t ed25519" in done.stderr
    assert not place.asked.exists()  # no code asked for: there is no key to enrol


def test_the_invite_file_is_private_and_never_holds_the_code(place, keys):
    code = place.code_for("--couple", "pair", "--partner", "a")
    text = place.invite_file.read_text()
    assert stat.S_IMODE(place.invite_file.stat().st_mode) == 0o600
    assert code not in text and invites.normalise(code) not in text
    assert place.ssh(keys["eve"], code).returncode == 0
    text = place.invite_file.read_text()
    assert stat.S_IMODE(place.invite_file.stat().st_mode) == 0o600
    assert code not in text and invites.normalise(code) not in text


def test_a_revoked_code_no_longer_works(place, keys):
    code = place.code_for("--couple", "pair", "--partner", "a")
    [invite] = invites.load(place.invite_file)
    revoked = trustdialog("invite", "--access", str(place.access), "revoke", invite.id)
    assert revoked.returncode == 0 and "its code no longer works" in revoked.stdout
    done = place.ssh(keys["eve"], code, "-o", "NumberOfPasswordPrompts=1")
    assert done.returncode == 255
    assert AccessList.load(place.access).find("pair-a") is None


def test_without_invites_only_keys_are_asked_for(place, keys):
    done = place.ssh(keys["eve"], "anything", "-o", "NumberOfPasswordPrompts=1")
    assert done.returncode == 255 and "Permission denied (publickey)." in done.stderr
    assert not place.asked.exists()


def test_a_person_already_known_adds_a_new_laptop_key(place, keys):
    code = place.code_for("--person", "alice")
    done = place.ssh(keys["eve"], code)
    assert done.returncode == 0, done.stderr
    assert app_line(done) == ["alice", "facilitator", "-", "-"]
    [alice] = AccessList.load(place.access).people
    assert len(alice.keys) == 2 and alice.keys[1].comment.startswith("invite-")
    assert place.ssh(keys["alice"], "", "-o", "BatchMode=yes").returncode == 0  # the old key still works


def test_an_invite_never_moves_someone_the_file_has_placed_since(place, keys):
    code = place.code_for("--facilitator", "lee")
    main_args = ["access", "--access", str(place.access), "add", "lee", "--key", str(keys["bob"].with_suffix(".pub"))]
    assert trustdialog(*main_args).returncode == 0  # lee is added as a client in the meantime
    done = place.ssh(keys["eve"], code)
    assert done.returncode == 255
    assert "This invite cannot be used now (lee is now a client in the access file, and the invite was " \
           "for a facilitator)" in done.stderr
    assert AccessList.load(place.access).find("lee").role == "client"


def test_a_broken_invite_file_asks_for_no_code_and_the_log_says_why(place, keys):
    place.code_for("--couple", "pair", "--partner", "a")
    place.invite_file.write_text("this is = not toml [")
    done = place.ssh(keys["eve"], "anything", "-o", "NumberOfPasswordPrompts=1")
    assert done.returncode == 255 and "Permission denied (publickey)." in done.stderr
    wait_for(lambda: "invite file is mended" in place.server.log, 5)
    assert "invite codes are not asked for until the invite file is mended" in place.server.log
