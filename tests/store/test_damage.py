"""Damaged rows, forgotten sessions and odd data folders: reported by id, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess

import pytest

from trustdialog.engine import Event
from trustdialog.locations import ensure_private_dir
from trustdialog.store import SessionGone, StoreError, db_path, open_store
from store_helpers import run_cli

NAMES = {"a": "Ann", "b": "Bob"}


def three_sessions(data_dir):
    store = open_store(data_dir)
    ids = [store.create_session("x", "T", NAMES) for _ in range(3)]
    for sid in ids:
        for _ in range(8):
            store.append(sid, Event("paused", "a", data={"note": "ok"}))
    store.close()
    return ids


def damage(data_dir, sql, *params):
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("sql, what", [
    ("UPDATE sessions SET private_steps = 'not json' WHERE id = ?", "private steps are damaged"),
    ("UPDATE sessions SET hidden_steps = '[1' WHERE id = ?", "hidden steps are damaged"),
    ("UPDATE sessions SET name_a = CAST(x'ff00' AS TEXT) WHERE id = ?", "partner names are damaged"),
    ("UPDATE events SET body = '{oops' WHERE session_id = ? AND seq = 7", "event 7 is damaged (not JSON)"),
    ("UPDATE events SET seq = 'x' WHERE session_id = ? AND seq = 8", "event 8 is damaged"),
    ("DELETE FROM events WHERE session_id = ? AND seq = 4", "event 4 is missing"),
])
def test_a_damaged_session_is_named_and_the_others_still_work(data_dir, sql, what):
    bad, good, other = three_sessions(data_dir)
    damage(data_dir, sql, bad)
    d = ["--data-dir", str(data_dir)]
    listed = run_cli(*d, "sessions")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert good in listed.stdout and other in listed.stdout
    assert f"session {bad}: " in listed.stderr and what in listed.stderr
    for command in ("export", "resume"):
        out = run_cli(*d, command, bad)
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        assert out.stderr.count("\n") == 1 and f"session {bad}: " in out.stderr and what in out.stderr
    assert run_cli(*d, "export", good).returncode == 0
    gone = run_cli(*d, "forget", bad)
    assert gone.returncode == 0, gone.stderr
    assert bad not in run_cli(*d, "sessions").stdout + run_cli(*d, "sessions").stderr


def test_a_damaged_schema_version_is_a_store_error_and_one_line(data_dir):
    three_sessions(data_dir)
    damage(data_dir, "UPDATE schema_version SET version = 'abc'")
    with pytest.raises(StoreError, match="schema version is damaged"):
        open_store(data_dir)
    out = run_cli("--data-dir", str(data_dir), "sessions")
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "schema version" in out.stderr


def test_nothing_is_written_for_a_forgotten_session(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    store.save_draft(sid, "k", "typed")
    elsewhere = open_store(data_dir)
    elsewhere.forget(sid)
    for call in (lambda: store.save_draft(sid, "k", "typed again"),
                 lambda: store.clear_draft(sid, "k"),
                 lambda: store.append(sid, Event("ready", "a"))):
        with pytest.raises(SessionGone):
            call()
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)


def test_orphan_drafts_of_older_versions_are_removed_on_open(data_dir):
    open_store(data_dir).close()
    damage(data_dir, "INSERT INTO drafts VALUES ('gone1', 'k', 'secret words', 1)")
    open_store(data_dir).close()
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)


def test_a_foreign_file_is_refused_before_any_wal_switch(data_dir):
    data_dir.mkdir()
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = db_path(data_dir).read_bytes()
    with pytest.raises(StoreError, match="not a trustdialog database"):
        open_store(data_dir)
    assert db_path(data_dir).read_bytes() == before  # header bytes 18-19 say the journal mode
    assert not db_path(data_dir).with_name("sessions.db-wal").exists()


@pytest.mark.parametrize("make", ["file", "fifo", "devnull"])
def test_a_data_dir_that_is_not_a_folder_is_said_so(tmp_path, make):
    where = tmp_path / "d"
    if make == "file":
        where.write_text("x")
    elif make == "fifo":
        os.mkfifo(where)
    else:
        where = "/dev/null"
    for command in (["sessions"], ["export", "abc"], ["forget", "abc"], ["resume", "abc"]):
        out = run_cli("--data-dir", str(where), *command)
        assert out.returncode == 1 and "not a folder" in out.stderr, (command, out)
        assert "No saved sessions" not in out.stdout and "Traceback" not in out.stderr


def test_new_data_folders_are_0700_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        ensure_private_dir(tmp_path / "a" / "b" / "c")
    finally:
        os.umask(old)
    for p in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o700, p


def test_export_output_faults(data_dir, tmp_path):
    (sid, *_) = three_sessions(data_dir)
    d = ["--data-dir", str(data_dir)]
    empty = run_cli(*d, "export", sid, "-o", "")
    assert empty.returncode == 2 and empty.stdout == "" and "-o needs a file name" in empty.stderr
    target = tmp_path / "t.md"
    target.write_text("old")
    os.chmod(target, 0o644)
    assert run_cli(*d, "export", sid, "-o", str(target)).returncode == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600 and target.read_text() != "old"
    py = subprocess.list2cmdline(["python", "-m", "trustdialog", *d])
    for redirect in (">/dev/full", ">&-"):
        out = subprocess.run(f"cd {os.getcwd()} && .venv/bin/{py} export {sid} {redirect}",
                             shell=True, capture_output=True, text=True)
        assert out.returncode == 1 and "Traceback" not in out.stderr, (redirect, out.stderr)
        assert out.stderr.count("\n") == 1 and "standard output" in out.stderr, out.stderr
    bad = subprocess.run(f"cd {os.getcwd()} && .venv/bin/{py} resume $'\\xff\\xfe'",
                         shell=True, executable="/bin/bash", capture_output=True, text=True)
    assert bad.returncode == 1 and "no saved session" in bad.stderr and "Traceback" not in bad.stderr


def test_export_with_an_ascii_locale_writes_utf8(data_dir):
    store = open_store(data_dir)
    sid = store.create_session("x", "T", {"a": "Zoë", "b": "Bjørn"})
    store.close()
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    out = subprocess.run([".venv/bin/python", "-m", "trustdialog", "--data-dir", str(data_dir),
                          "export", sid], capture_output=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "Zoë".encode() in out.stdout
    listed = subprocess.run([".venv/bin/python", "-m", "trustdialog", "--data-dir", str(data_dir),
                             "sessions"], capture_output=True, env=env)
    assert listed.returncode == 0 and b"Zo? & Bj?rn" in listed.stdout, listed.stderr
