"""What the facilitator keeps and says, through the Conversation into a real SQLite file and out by the CLI.

Notes are the facilitator's alone: never in the log, never in the partners'
export, only in `export --notes`. A nudge and a call are kept in the log with
who sent them and read as quiet lines in the transcript.
"""

from __future__ import annotations

import os

from trustdialog.conversation import Conversation
from trustdialog.engine.room import NUDGE_TO
from trustdialog.identity import Identity
from trustdialog.session import Session
from trustdialog.store import open_store
from store_helpers import felt_exercise, run_cli

NAMES = {"a": "Ann", "b": "Bob"}
NOTE = "Ann's shoulders dropped at 'felt'. [b]keep[/b] \x1b[2J watching"
FRAN = Identity("fran", "facilitator")
ANN = Identity("ann", "client", "ab", "a")


def _setup(data_dir):
    """A session of couple `ab` on its first step, and a conversation for `who` on it."""
    store = open_store(data_dir)
    ex = felt_exercise()
    s = Session.new(store, ex, NAMES, owner="ab", clock=lambda: 1_700_000_000.0)
    s.submit("ready", "a", by="ann, client, ab partner A")
    s.submit("ready", "b", by="bob, client, ab partner B")

    def talk(who: Identity | None) -> Conversation:
        c = Conversation(lambda: store, lambda: {ex.id: ex}, clock=lambda: 1_700_000_100.0,
                         names=NAMES, owner=None if who is None or who.role == "facilitator" else "ab",
                         identity=who)
        assert c.resume(s.id) is None
        return c

    return store, s, talk


def test_a_facilitators_note_is_kept_at_its_step_and_only_export_notes_shows_it(data_dir):
    store, s, talk = _setup(data_dir)
    fran = talk(FRAN)
    assert fran.observing  # someone else's session: watched
    assert fran.add_note(NOTE) is None
    assert fran.add_note("   ").message == "The note is empty; nothing was kept."
    [note] = store.notes(s.id)
    assert (note.author, note.step, note.round, note.text) == ("fran", "voice", 1, NOTE)
    assert len(store.events(s.id)) == 2  # no event: the partners' log is as it was
    # A client cannot write one, and nothing of it is in the partners' export.
    assert talk(ANN).add_note("mine").message == "Notes are the facilitator's."
    store.close()
    out = run_cli("--data-dir", str(data_dir), "export", s.id)
    assert out.returncode == 0, out.stderr
    assert "shoulders" not in out.stdout and "Facilitator notes" not in out.stdout
    out = run_cli("--data-dir", str(data_dir), "export", s.id, "--notes")
    assert out.returncode == 0, out.stderr
    md = out.stdout
    assert md.startswith("# Facilitator notes: ")
    assert "**Partners:** Ann and Bob" in md and f"`{s.id}`" in md
    assert "## 2023-11-14 22:15 · fran · at “" in md and "” (round 1)" in md
    assert "> Ann's shoulders dropped at 'felt'. [b]keep[/b]  watching" in md  # data, escape dropped
    assert "\x1b" not in md
    # Over SSH a client is refused the notes, in one line.
    env = {**os.environ, **ANN.to_env()}
    out = run_cli("--data-dir", str(data_dir), "export", s.id, "--notes", env=env)
    assert out.returncode == 1 and "facilitator's" in out.stderr and "shoulders" not in out.stdout


def test_a_nudge_is_the_facilitators_and_reads_as_a_quiet_line(data_dir):
    store, s, talk = _setup(data_dir)
    ann = talk(ANN)
    assert ann.nudge("Try again").message == "Only a facilitator can send a nudge."
    assert talk(None).nudge("Try again").message == "Only a facilitator can send a nudge."
    fran = talk(FRAN)
    assert fran.nudge("  ").message.startswith("Write a few words")
    assert fran.nudge("Take a breath. Try the sentence frame.") is None
    last = store.events(s.id)[-1]
    assert (last.kind, last.partner, last.by) == ("nudged", NUDGE_TO, "fran, facilitator")
    assert last.data == {"text": "Take a breath. Try the sentence frame.", "from": "fran"}
    # The flow is where it was: Ann still answers the first step.
    ann.session.refresh()
    assert ann.session.state.step_id == "voice" and ann.send(
        "answered", "a", values={"event": "the call", "feeling": "calm"}) is None
    store.close()
    out = run_cli("--data-dir", str(data_dir), "export", s.id)
    assert out.returncode == 0, out.stderr
    assert "*A nudge from fran: Take a breath. Try the sentence frame.*" in out.stdout


def test_a_call_stands_in_the_session_list_until_the_facilitator_answers(data_dir):
    store, s, talk = _setup(data_dir)
    assert talk(None).call_facilitator("a").message.startswith("There is no facilitator")
    ann = talk(ANN)
    assert ann.call_facilitator("b").message == "Bob answers on their own screen."
    assert ann.call_facilitator("a") is None
    assert ann.call_facilitator("a").message.startswith("The facilitator has been asked already")
    assert store.events(s.id)[-1].by == "ann, client, ab partner A"
    out = run_cli("--data-dir", str(data_dir), "sessions")
    assert out.returncode == 0, out.stderr
    row = out.stdout.splitlines()[1]
    assert row.startswith(s.id) and row.endswith("no  ! Ann asked for you")
    fran = talk(FRAN)
    assert fran.open_calls() == ("a",)
    assert ann.answer_call("a").message == "Only a facilitator answers a call."
    assert fran.answer_call("a") is None and fran.open_calls() == ()
    out = run_cli("--data-dir", str(data_dir), "sessions")
    assert "asked for you" not in out.stdout
    store.close()
    out = run_cli("--data-dir", str(data_dir), "export", s.id)
    assert "*Ann asked for the facilitator.*" in out.stdout
    assert "*The facilitator answered Ann's call.*" in out.stdout
