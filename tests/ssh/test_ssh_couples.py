"""Couples in the access file: two people, one per partner, and the app told which one connected."""

from __future__ import annotations

import asyncio
import re
import tomllib

import asyncssh
import pytest

from ssh_helpers import PROBE_APP, RunningServer, client_options
from test_ssh_app_session import probe_info, read_until
from trustdialog.cli import main
from trustdialog.identity import Identity
from trustdialog.ssh.access import AccessError, AccessList, read_key_file

# An access file exactly as `access add` wrote it before couples existed.
TODAYS_FORMAT = (
    "# trustdialog access file: who may connect to `trustdialog serve`.\n"
    "# Manage it with `trustdialog access add|list|remove`; role is facilitator or client.\n\n"
    '[[people]]\nname = "alice"\nrole = "facilitator"\nkeys = [\n    "{alice}",\n]\n\n'
    '[[people]]\nname = "bob"\nrole = "client"\nkeys = [\n    "{bob}",\n]\n'
)


def pub(keys, name):
    return keys[name].with_suffix(".pub")


def key_line(keys, name) -> str:
    return pub(keys, name).read_text().strip()


def access_cli(access, *args) -> int:
    return main(["access", "--access", str(access), *args])


def test_a_couple_is_two_people_each_bound_to_a_partner(tmp_path, keys, capsys):
    access = tmp_path / "access.toml"
    assert access_cli(access, "add", "alice", "--role", "facilitator", "--key", str(pub(keys, "alice"))) == 0
    assert access_cli(access, "add", "sam", "--couple", "sam-and-kim", "--partner", "a",
                      "--key", str(pub(keys, "bob"))) == 0
    assert access_cli(access, "add", "kim", "--couple", "sam-and-kim", "--partner", "B",
                      "--key", str(pub(keys, "eve"))) == 0
    assert "added kim (partner B of sam-and-kim)" in capsys.readouterr().out
    data = tomllib.loads(access.read_text())
    assert data["people"] == [{"name": "alice", "role": "facilitator", "keys": [key_line(keys, "alice")]}]
    assert data["couples"] == [{"name": "sam-and-kim", "people": [
        {"name": "sam", "partner": "a", "keys": [key_line(keys, "bob")]},
        {"name": "kim", "partner": "b", "keys": [key_line(keys, "eve")]}]}]
    loaded = AccessList.load(access)
    assert loaded.find("kim").identity == Identity("kim", "client", "sam-and-kim", "b")
    assert loaded.find("alice").identity == Identity("alice", "facilitator")
    assert access_cli(access, "list") == 0
    listed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert listed[0][:2] == ["alice", "facilitator"]
    assert listed[1] == ["sam-and-kim", "couple"]
    assert listed[2][:3] == ["sam", "partner", "A"] and listed[2][-1] == "bob@test"
    assert listed[3][:3] == ["kim", "partner", "B"] and listed[3][-1] == "eve@test"


def test_a_couple_waiting_for_its_second_partner_says_so(tmp_path, keys, capsys):
    access = tmp_path / "access.toml"
    access_cli(access, "add", "sam", "--couple", "pair", "--partner", "a", "--key", str(pub(keys, "bob")))
    capsys.readouterr()
    access_cli(access, "list")
    first = capsys.readouterr().out.splitlines()[0]
    assert first.split() == ["pair", "couple", "(partner", "B", "not", "added", "yet)"]


def test_todays_access_file_loads_unchanged_and_a_client_is_a_couple_of_one(tmp_path, keys):
    access = tmp_path / "access.toml"
    text = TODAYS_FORMAT.format(alice=key_line(keys, "alice"), bob=key_line(keys, "bob"))
    access.write_text(text)
    loaded = AccessList.load(access)
    assert [(p.name, p.role, p.couple, p.partner) for p in loaded.people] == [
        ("alice", "facilitator", None, None), ("bob", "client", None, None)]
    # A couple of one, named after them, with no partner: they play both panes as before.
    assert loaded.find("bob").identity == Identity("bob", "client", couple="bob", partner=None)
    loaded.save(access)
    assert tomllib.loads(access.read_text()) == tomllib.loads(text)
    assert "couples" not in access.read_text()


@pytest.mark.parametrize("args, message", [
    (["add", "zed", "--couple", "sam-and-kim", "--partner", "a"],
     "the couple 'sam-and-kim' already has two people, sam (partner A) and kim (partner B); "
     "a couple is two people"),
    (["add", "carol", "--couple", "pair", "--partner", "a"], "partner A of 'pair' is already dan"),
    (["add", "alice", "--couple", "pair", "--partner", "b"], "alice is a facilitator, and a facilitator "
     "is not part of a couple"),
    (["add", "fay", "--role", "facilitator", "--couple", "pair", "--partner", "b"],
     "a facilitator is not part of a couple"),
    (["add", "fay", "--couple", "pair"], "give both --couple and --partner"),
    (["add", "fay", "--couple", "bob", "--partner", "a"], "'bob' is already a client on their own"),
    (["add", "sam-and-kim"], "'sam-and-kim' is the name of a couple"),
])
def test_a_couple_cannot_take_more_than_its_two_partners(tmp_path, keys, capsys, args, message):
    access = tmp_path / "access.toml"
    access_list = AccessList()
    access_list.add("alice", "facilitator", read_key_file(pub(keys, "alice")))
    access_list.add("bob", "client", [])
    access_list.add("sam", "client", [], "sam-and-kim", "a")
    access_list.add("kim", "client", [], "sam-and-kim", "b")
    access_list.add("dan", "client", [], "pair", "a")
    access_list.save(access)
    before = access.read_text()
    capsys.readouterr()
    assert access_cli(access, *args, "--key", str(pub(keys, "eve"))) == 2
    err = capsys.readouterr().err
    assert err.startswith("trustdialog: ") and message in err and err.count("\n") == 1
    assert access.read_text() == before


def test_a_hand_edited_file_with_a_third_partner_is_refused_with_its_place(tmp_path):
    access = tmp_path / "access.toml"
    access.write_text('[[couples]]\nname = "pair"\n'
                      '[[couples.people]]\nname = "a1"\npartner = "a"\n'
                      '[[couples.people]]\nname = "a2"\npartner = "a"\n')
    with pytest.raises(AccessError, match=r"couple 1: partner A of 'pair' is already a1"):
        AccessList.load(access)


def test_the_app_is_told_the_couple_and_partner_over_ssh(tmp_path, keys):
    access_file = tmp_path / "access.toml"
    access = AccessList()
    access.add("alice", "facilitator", read_key_file(pub(keys, "alice")))
    access.add("bea", "client", read_key_file(pub(keys, "bob")), "bob-and-bea", "b")
    access.add("eve", "client", read_key_file(pub(keys, "eve")))  # the format before couples
    access.save(access_file)
    server = RunningServer.start(tmp_path, access_file, PROBE_APP)

    async def probe(key):
        async with asyncssh.connect(port=server.port, **client_options(key)) as conn:
            process = await conn.create_process(term_type="xterm", encoding=None)
            info = probe_info(await read_until(process.stdout, b"\r\n"))
            process.stdin.write(b"q")
            await process.wait()
            return info

    try:
        partner = asyncio.run(probe(keys["bob"]))
        solo = asyncio.run(probe(keys["eve"]))
        facilitator = asyncio.run(probe(keys["alice"]))
    finally:
        server.stop()
    assert (partner["user"], partner["role"], partner["couple"], partner["partner"]) == (
        "bea", "client", "bob-and-bea", "b")
    assert (solo["user"], solo["couple"], solo["partner"]) == ("eve", "eve", None)
    assert (facilitator["role"], facilitator["couple"], facilitator["partner"]) == ("facilitator", None, None)
    assert "login bea/client (partner B of bob-and-bea)" in server.log
    assert re.search(r"session user=bea role=client .* end=app-exit couple=bob-and-bea partner=b\n", server.log)
    assert re.search(r"session user=eve role=client .* end=app-exit couple=eve\n", server.log)


def test_more_keys_for_a_partner_keep_them_in_their_couple(tmp_path, keys, capsys):
    access = tmp_path / "access.toml"
    access_cli(access, "add", "sam", "--couple", "pair", "--partner", "a", "--key", str(pub(keys, "bob")))
    assert access_cli(access, "add", "sam", "--key", str(pub(keys, "eve"))) == 0
    assert "updated sam (partner A of pair): 1 new key, 2 in all" in capsys.readouterr().out
    sam = AccessList.load(access).find("sam")
    assert (sam.couple, sam.partner, len(sam.keys)) == ("pair", "a", 2)
    assert access_cli(access, "add", "sam", "--role", "facilitator", "--key", str(pub(keys, "eve"))) == 2
    assert "a facilitator is not part of a couple" in capsys.readouterr().err
    assert access_cli(access, "remove", "sam") == 0
    assert AccessList.load(access).couples() == []  # a couple with nobody left is gone
