"""The facilitator in the room over the real OpenSSH client: Ana and Ben, a couple, on two
connections and their facilitator on a third. A nudge reaches both partners' screens; a note
reaches no client's screen and no client's export, only `export --notes`; a partner's call shows
on the facilitator's screen and in `trustdialog sessions` until the facilitator has seen it."""

from __future__ import annotations

import subprocess
import sys

from ssh_helpers import wait_for
from test_ssh_live import couple, open_the_session, serve  # noqa: F401  (fixtures)
from test_ssh_resume import EXERCISE, expect, terminals  # noqa: F401  (fixture)

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import open_store

NUDGE = "Take a breath. Try the sentence frame."  # the first ready-made nudge
NOTE = "Ben-looked-away-at-step-one"  # one word, so a wrapped line cannot hide it


def cli(data_dir, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustdialog", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=60, env=env)


def test_a_nudge_reaches_both_partners_a_note_no_client_and_a_call_the_facilitator(serve, couple,
                                                                                    terminals):
    _path, key = couple
    # The couple's session, begun (both said yes) as if on their own connections earlier.
    store = open_store(serve.data_dir)
    exercise = load_library().exercises["when-i-felt"]
    session = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben")
    session.submit("ready", "a", by="ana, client, ana-ben partner A")
    session.submit("ready", "b", by="ben, client, ana-ben partner B")
    sid = session.id
    store.close()

    listed = f"{EXERCISE} · Ana and Ben"
    ana = terminals(serve.port, key["ana"])
    open_the_session(ana, listed)
    ben = terminals(serve.port, key["ben"])
    # Ana is on it now: Ben's welcome offers to join, with the focus on the offer.
    expect(ben, f"Ana is on {EXERCISE} — join?", timeout=20)
    ben.keys("Enter")
    alice = terminals(serve.port, key["alice"])
    open_the_session(alice, listed)
    for tmux in (ana, ben, alice):
        expect(tmux, "step 1 of 10", timeout=20)
    # Who sees which keys: the partners can call, only the facilitator notes and nudges.
    assert "f5 Call" in expect(ana, "f5 Call") and "f5 Call" in expect(ben, "f5 Call")
    screen = expect(alice, "f8 Nudge")
    assert "f9 Note" in screen and "f5 Call" not in screen
    assert "Nudge" not in ana.screen() and "Note" not in ben.screen()

    # A nudge from the facilitator: on both partners' screens, the flow where it was.
    alice.keys("F8")
    expect(alice, "Nudge both partners")
    alice.keys("Enter")
    expect(alice, "Sent to both partners")
    for tmux in (ana, ben):
        expect(tmux, NUDGE)
        assert "step 1 of 10" in tmux.screen()
    ana.keys("Escape")  # Ana closes hers; Ben's stays until he closes it
    assert wait_for(lambda: NUDGE not in ana.screen(), 5), ana.screen()
    assert NUDGE in ben.screen()
    ben.keys("Enter")
    assert wait_for(lambda: NUDGE not in ben.screen(), 5), ben.screen()

    # A private note from the facilitator: kept, and on no client's screen.
    alice.keys("F9")
    expect(alice, "Only facilitators see this note")
    alice.run("send-keys", "-t", "t", "-l", NOTE)
    expect(alice, NOTE)
    alice.keys("C-s")
    expect(alice, "Note kept")
    assert NOTE not in ana.screen() and NOTE not in ben.screen()

    # Ben calls the facilitator with one key: Alice's screen and the session list show it.
    ben.keys("F5")
    expect(ben, "You asked for the facilitator")
    expect(alice, "Ben asked for you")
    assert "asked for you" not in ana.screen()
    listing = cli(serve.data_dir, "sessions")
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith(sid) and line.endswith("! Ben asked for you")
               for line in listing.stdout.splitlines()), listing.stdout
    alice.keys("Enter")  # seen: the call is answered for everyone
    assert wait_for(lambda: "Ben asked for you" not in alice.screen(), 5), alice.screen()
    assert wait_for(lambda: "You asked for the facilitator" not in ben.screen(), 5), ben.screen()
    assert "asked for you" not in cli(serve.data_dir, "sessions").stdout

    # The log says who said each thing; the note is not in it.
    store = open_store(serve.data_dir)
    room = [(e.kind, e.partner, e.by) for e in store.events(sid) if e.kind not in ("ready",)]
    assert room == [("nudged", "both", "alice, facilitator"),
                    ("called", "b", "ben, client, ana-ben partner B"),
                    ("call_answered", "b", "alice, facilitator")], room
    assert [n.text for n in store.notes(sid)] == [NOTE]
    store.close()

    # The partners' transcript has the nudge and the call as quiet lines, never the note.
    transcript = cli(serve.data_dir, "export", sid)
    assert transcript.returncode == 0, transcript.stderr
    assert f"*A nudge from alice: {NUDGE}*" in transcript.stdout
    assert "*Ben asked for the facilitator.*" in transcript.stdout
    assert NOTE not in transcript.stdout
    notes = cli(serve.data_dir, "export", sid, "--notes")
    assert notes.returncode == 0, notes.stderr
    assert NOTE in notes.stdout and "· alice · at " in notes.stdout
