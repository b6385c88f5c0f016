"""`sessions`, `export`, `forget`, `resume` end to end: the real command in a real process."""

from __future__ import annotations

import os
import stat

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import db_path, open_store
from store_helpers import felt_exercise, run_cli

SECRET = "marmalade-osprey-93"


def promises_session(data_dir, names=None, secret=SECRET):
    """A finished round of the shipped small-promises exercise, then a note in round 2."""
    ex = load_library().exercises["small-promises"]
    s = Session.new(open_store(data_dir), ex, names or {"a": "Ann", "b": "Bob"}, clock=lambda: 1_700_000_000.0)
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.submit("continued", "a", )
    s.submit("answered", "a", values={"promises": [
        {"what": "cook on Tuesday", "when": "8pm", "sign": "dinner is ready"},
        {"what": "call my sister " + secret, "when": "Sunday", "sign": "I tell you"}]})
    s.submit("answered", "b", values={"read-back": "You will cook and call"})
    s.submit("confirmed", "a", yes=True)
    s.submit("answered", "b", values={"meaning_words": "I would feel *looked after*"})
    return s


def test_sessions_lists_id_date_exercise_partners_finished(data_dir):
    out = run_cli("--data-dir", str(data_dir), "sessions")
    assert out.returncode == 0 and out.stdout.strip() == "No saved sessions."
    assert not data_dir.exists()  # listing never makes a data file
    s = promises_session(data_dir, {"a": "Ann\x1b[2J", "b": "Bob"})
    out = run_cli("--data-dir", str(data_dir), "sessions")
    assert out.returncode == 0, out.stderr
    header, row = out.stdout.splitlines()
    assert header.split() == ["ID", "DATE", "EXERCISE", "PARTNERS", "FINISHED"]
    assert row.split()[0] == s.id and "small-promises" in row and "Ann & Bob" in row  # the escape is dropped
    assert row.split()[-1] == "no" and "\x1b" not in out.stdout


def test_export_to_stdout_and_to_a_private_file(data_dir, tmp_path):
    s = promises_session(data_dir)
    s.submit("continued", "b")  # round 2: Bob promises
    out = run_cli("--data-dir", str(data_dir), "export", s.id)
    assert out.returncode == 0, out.stderr
    md = out.stdout
    assert md.startswith("# Small promises\n")
    assert "**Partners:** Ann and Bob" in md and "small-promises" in md
    assert "2023-11-1" in md  # the session's date (local time)
    assert "## Round 1" in md and "### Step 2: Make small promises" in md
    assert "**Ann** (promiser):" in md and "**Bob** (witness):" in md
    assert f"> - I will call my sister {SECRET} by Sunday; you will know because I tell you." in md
    assert "**Ann** (promiser): Yes, those are my promises" in md
    assert "> If these are kept, I would feel *looked after*." in md
    target = tmp_path / "out" / "t.md"
    target.parent.mkdir()
    out = run_cli("--data-dir", str(data_dir), "export", s.id, "-o", str(target))
    assert out.returncode == 0 and out.stdout == ""
    assert target.read_text() == md
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_export_leaves_private_and_sealed_answers_out_even_without_the_exercise(data_dir):
    # felt_exercise is not in the library: the export falls back to the log.
    s = Session.new(open_store(data_dir), felt_exercise(), {"a": "Ann", "b": "Bob"})
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.submit("answered", "a", values={"event": "the late call", "feeling": "worried"})
    s.submit("answered", "b", values={"mirror": "you were worried"})
    s.submit("answered", "a", values={"safe": 4})
    s.submit("answered", "b", values={"safe": 2})
    s.submit("answered", "a", values={"reflect": "private-a " + SECRET})
    s.submit("answered", "b", values={"reflect": "shared-b"}, shared=True)
    out = run_cli("--data-dir", str(data_dir), "export", s.id)
    assert out.returncode == 0, out.stderr
    assert "no longer in the library" in out.stdout
    assert "the late call" in out.stdout and "safe: 2" in out.stdout and "shared-b" in out.stdout
    assert SECRET not in out.stdout


def test_forget_deletes_for_good_through_the_cli(data_dir):
    s = promises_session(data_dir)
    keep = promises_session(data_dir, {"a": "Cy", "b": "Di"}, secret="another-kept-one")
    s.save_draft("meaning:1:b:meaning_words", "draft " + SECRET)
    out = run_cli("--data-dir", str(data_dir), "forget", s.id)
    assert out.returncode == 0, out.stderr
    assert f"Forgot session {s.id}" in out.stdout
    for suffix in ("", "-wal", "-shm"):
        f = db_path(data_dir).with_name("sessions.db" + suffix)
        if f.exists():
            assert SECRET.encode() not in f.read_bytes()
    listed = run_cli("--data-dir", str(data_dir), "sessions").stdout
    assert s.id not in listed and keep.id in listed
    again = run_cli("--data-dir", str(data_dir), "export", s.id)
    assert again.returncode == 1
    assert again.stderr == f"trustdialog: no saved session '{s.id}' (see `trustdialog sessions`)\n"


def test_unknown_ids_are_one_line_and_exit_1(data_dir):
    promises_session(data_dir)
    for command in ("export", "forget", "resume"):
        out = run_cli("--data-dir", str(data_dir), command, "nosuchid")
        assert out.returncode == 1, command
        assert out.stderr.count("\n") == 1 and "no saved session 'nosuchid'" in out.stderr


def test_a_finished_session_is_not_resumed(data_dir):
    s = Session.new(open_store(data_dir), felt_exercise(), {"a": "Ann", "b": "Bob"})
    s.submit("ended", "a")
    out = run_cli("--data-dir", str(data_dir), "resume", s.id)
    assert out.returncode == 1 and "has finished" in out.stderr and "export" in out.stderr
