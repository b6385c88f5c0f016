"""A live session over the real OpenSSH client: Ana and Ben, a couple, each on their own
connection, and their facilitator watching on a third. Turns show on every screen; nobody's
keys answer for somebody else; the facilitator never has a partner's field."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ssh_helpers import RunningServer, wait_for
from test_ssh_resume import (
    EXERCISE, EVENT, FEELING, drawn_bold, drawn_reversed, expect, move_focus, pick_exercise,
    shows, terminals, type_name, type_text,
)

from trustdialog.ssh.access import AccessList, read_key_file
from trustdialog.store import open_store


def couple_access(folder: Path, keys: dict[str, Path]) -> tuple[Path, dict[str, Path]]:
    """An access file in `folder` (or the database $TRUSTDIALOG_STORE names): alice (facilitator),
    and the couple ana-ben (Ana is A, Ben is B), with fresh keys for the two of them."""
    made = {"alice": keys["alice"]}
    for name in ("ana", "ben"):
        path = folder / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(path)],
                       check=True)
        made[name] = path
    access = AccessList()
    access.add("alice", "facilitator", read_key_file(keys["alice"].with_suffix(".pub")))
    access.add("ana", "client", read_key_file(made["ana"].with_suffix(".pub")), couple="ana-ben", partner="a")
    access.add("ben", "client", read_key_file(made["ben"].with_suffix(".pub")), couple="ana-ben", partner="b")
    path = folder / "access.toml"
    access.save(path)
    return path, made


@pytest.fixture(scope="module")
def couple(tmp_path_factory, keys):
    return couple_access(tmp_path_factory.mktemp("live-access"), keys)


@pytest.fixture
def serve(tmp_path, couple):
    server = RunningServer.serve_command(tmp_path / "data", couple[0])
    yield server
    server.stop()


def ana_begins(ana) -> None:
    """On Ana's connection: both names, the exercise, and her yes (Ben's column waits for him)."""
    expect(ana, "Partner A, left pane:", timeout=20)
    type_name(ana, "a", "Ana")
    move_focus(ana, "Tab")
    type_name(ana, "b", "Ben")
    ana.keys("Enter")
    pick_exercise(ana, EXERCISE)
    # The ready check on Ana's connection: her answer only.
    screen = expect(ana, "waiting for Ben")
    assert "Yes, now is good" in screen
    ana.keys("Enter")
    expect(ana, "✓ ready")


def open_the_session(tmux, listed: str) -> None:
    """From the welcome, Tab to "Continue a session", Enter (the list takes the focus), Enter."""
    screen = expect(tmux, "Unfinished sessions", timeout=20)
    shows(screen, listed)
    expect(tmux, "█Partner A")
    for _ in range(3):
        move_focus(tmux, "Tab")
    tmux.keys("Enter")
    assert wait_for(lambda: drawn_bold(tmux, listed), 5), tmux.screen()
    tmux.keys("Enter")


def test_a_couple_plays_on_two_connections_while_their_facilitator_watches(serve, couple, terminals):
    _path, key = couple
    ana = terminals(serve.port, key["ana"])
    ana_begins(ana)

    # Ben connects: the welcome offers the session his partner began; he joins and says yes.
    ben = terminals(serve.port, key["ben"])
    expect(ben, f"Ana started {EXERCISE} — join?", timeout=20)
    ben.keys("Enter")  # the offer has the focus
    expect(ben, "Yes, now is good")
    ben.keys("Enter")
    # Both screens move on, Ana's without a key pressed there.
    expect(ben, "step 1 of 10")
    expect(ana, "step 1 of 10")

    # Their facilitator opens the same session: watching, never in a partner's field.
    alice = terminals(serve.port, key["alice"])
    open_the_session(alice, f"{EXERCISE} · Ana and Ben")
    screen = expect(alice, "step 1 of 10")
    assert "▸ Continue" not in screen  # no partner's button on the facilitator's screen
    expect(alice, "on their own screen")

    # Step 1: Ana continues on her screen; Ben's keys cannot do it for her.
    assert "▸ Continue" not in expect(ben, "Ana's turn, on their own screen")
    ben.keys("Enter")
    expect(ana, "▸ Continue")
    assert wait_for(lambda: drawn_reversed(ana, "▸ Continue"), 5), ana.screen()
    ana.keys("Enter")
    for tmux in (ana, ben, alice):
        expect(tmux, "step 2 of 10")

    # Step 2: Ana's sentence, typed on her connection, reaches the other two once sent.
    expect(ana, "ctrl+s sends")  # her first blank, a long box, has the focus
    type_text(ana, EVENT)
    expect(ana, EVENT)
    assert EVENT not in ben.screen() and EVENT not in alice.screen()  # typing is not sent
    ana.keys("Tab")
    expect(ana, "█a feeling")
    type_text(ana, FEELING)
    expect(ana, f"█{FEELING}")
    ana.keys("Enter")
    quoted = f'Ana said: "When {EVENT}, I felt {FEELING}."'
    for tmux in (ben, alice):
        screen = expect(tmux, "step 3 of 10")
        shows(expect(tmux, EVENT), quoted)
    # Ben's mirror is his: the field is on his screen, not on Ana's or Alice's.
    expect(ben, "ctrl+s sends")
    assert "ctrl+s sends" not in ana.screen() and "ctrl+s sends" not in alice.screen()
    expect(ana, "Ben's turn")  # on Ana's screen Ben's pane says whose turn it is, nothing more

    # The log says who sent each turn.
    store = open_store(serve.data_dir)
    [info] = store.sessions("ana-ben")
    sent = [e.by for e in store.events(info.id) if e.kind in ("ready", "continued", "answered")]
    assert sent == ["ana, client, ana-ben partner A", "ben, client, ana-ben partner B",
                    "ana, client, ana-ben partner A", "ana, client, ana-ben partner A"], sent
    store.close()


__all__ = ["terminals"]  # the fixture, shared with the resume tests
