"""`trustdialog store copy`: a practice moved from SQLite to a real PostgreSQL and back, every event compared."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from store_helpers import run_cli
from trustdialog.engine import Event
from trustdialog.store import open_store

NAMES = {"a": "Ann", "b": "Bob"}
# Typed text is stored exactly as typed: markup, control characters, other scripts, emoji.
TEXTS = ["[bold]not markup[/bold]", "tab\there\x1b[31m and an escape", "Grüße, 你好, 👋🏽", "", "x" * 5000]


def _practice(url: str) -> dict[str, tuple]:
    """A small practice: three sessions with events, drafts, a finished one, promise marks."""
    store = open_store(None, url=url)
    made = []
    for n in range(3):
        sid = store.create_session("when-i-felt", f"Session {n}", NAMES, owner="sam-and-kim" if n else None,
                                   at=1_700_000_000.25 + n, private_steps=["secret"], hidden_steps=["sealed"])
        store.append(sid, Event("ready", "a", at=1_700_000_001.5))
        store.append(sid, Event("ready", "b", at=1_700_000_002.125))
        for i, text in enumerate(TEXTS):
            store.append(sid, Event("answered", "ab"[i % 2], {"values": {"feeling": text}, "shared": True},
                                    at=1_700_000_003 + i / 3))
        store.save_draft(sid, f"s{n}:1:a:feeling", TEXTS[n] + " half typed")
        made.append(sid)
    store.append(made[0], Event("finished", "a", at=1_700_000_100.0), finished=True)
    store.set_mark(made[0], "promise-1", "kept", at=1_700_000_200.5, checkin_session=made[1])
    store.set_mark(made[0], "promise-2", "not kept", at=1_700_000_201.5)
    whole = {sid: _whole(store, sid) for sid in made}
    store.close()
    return whole


def _whole(store, sid: str) -> tuple:
    """Everything stored of one session, as plain values."""
    return (store.info(sid), [e.to_dict() for e in store.events(sid)], store.drafts(sid),
            sorted((m.key, m.mark, m.at, m.checkin_session) for m in store.marks() if m.session_id == sid))


def _read(url: str) -> dict[str, tuple]:
    store = open_store(None, url=url, create=False)
    try:
        return {info.id: _whole(store, info.id) for info in store.sessions()}
    finally:
        store.close()


def test_a_practice_goes_from_sqlite_to_postgresql_and_back_unchanged(tmp_path, pg_url):
    source = f"sqlite://{tmp_path / 'first'}"
    original = _practice(source)
    there = run_cli("store", "copy", source, pg_url)
    assert there.returncode == 0, there
    assert there.stdout.startswith(f"copied 3 sessions ({3 * (2 + len(TEXTS)) + 1} events, 3 drafts, 2 marks) "
                                   f"from {tmp_path / 'first' / 'sessions.db'} to postgresql://postgres@")
    assert "every copied session's events compared and equal" in there.stdout
    assert _read(pg_url) == original
    # And back, into a new file named by a bare path.
    back_path = tmp_path / "back.db"
    back = run_cli("store", "copy", pg_url, str(back_path))
    assert back.returncode == 0, back
    assert _read(f"sqlite://{back_path}") == original
    # The copied sessions carry on: the next event gets the next number.
    store = open_store(None, url=pg_url)
    sid = sorted(original)[0]
    assert store.append(sid, Event("ready", "a")) == len(original[sid][1]) + 1
    store.close()


def test_a_store_that_holds_sessions_is_not_copied_into_unless_merging(tmp_path, pg_url):
    source = f"sqlite://{tmp_path / 'first'}"
    original = _practice(source)
    assert run_cli("store", "copy", source, pg_url).returncode == 0
    again = run_cli("store", "copy", source, pg_url)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "already holds 3 sessions; copy into an empty store, or add " \
        "--merge" in again.stderr
    assert _read(pg_url) == original  # nothing doubled
    # A session made since on the old host comes over with --merge; the others stay as they are.
    store = open_store(None, url=source)
    late = store.create_session("when-i-felt", "Made later", NAMES, at=1_700_001_000.0)
    store.append(late, Event("ready", "a", at=1_700_001_001.0))
    store.close()
    merged = run_cli("store", "copy", "--merge", source, pg_url)
    assert merged.returncode == 0, merged
    assert merged.stdout.startswith("copied 1 session (1 events, 0 drafts, 0 marks)")
    assert "3 already there, left as they were" in merged.stdout
    assert set(_read(pg_url)) == set(original) | {late}
    # A session both hold that differs stops the copy before anything is written.
    target = open_store(None, url=pg_url)
    target.append(late, Event("ready", "b"))
    target.close()
    store = open_store(None, url=source)
    newest = store.create_session("when-i-felt", "Newest", NAMES)
    store.close()
    refused = run_cli("store", "copy", "--merge", source, pg_url)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert f"session {late} is in both stores and differs (1 events in FROM, 2 in TO); nothing was copied" \
        in refused.stderr
    assert newest not in _read(pg_url)


def test_every_failure_is_one_line(tmp_path, pg_url, pg_server):
    missing = run_cli("store", "copy", str(tmp_path / "nothing-here.db"), pg_url)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1, missing
    assert "there is no store there (no such file)" in missing.stderr
    source = f"sqlite://{tmp_path / 'first'}"
    _practice(source)
    same = run_cli("store", "copy", source, str(tmp_path / "first" / "sessions.db"))
    assert same.returncode == 1 and "is both FROM and TO" in same.stderr
    down = run_cli("store", "copy", source, "postgresql://ann:s3cret@127.0.0.1:1/x")
    assert down.returncode == 1 and down.stderr.count("\n") == 1
    assert "cannot reach the database" in down.stderr and "s3cret" not in down.stderr
    # A damaged session in the source: named, and nothing copied.
    path = tmp_path / "first" / "sessions.db"
    with sqlite3.connect(path) as conn:
        sid = conn.execute("SELECT id FROM sessions ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE events SET body = 'not an event' WHERE session_id = ? AND seq = 2", (sid,))
    damaged = run_cli("store", "copy", source, pg_url)
    assert damaged.returncode == 1 and damaged.stderr.count("\n") == 1, damaged
    assert f"session {sid} in {path} is damaged" in damaged.stderr and "nothing was copied" in damaged.stderr
    assert _read(pg_url) == {}
    # Refused before TO is made: no empty file is left behind.
    to_file = run_cli("store", "copy", source, str(tmp_path / "new.db"))
    assert to_file.returncode == 1 and not (tmp_path / "new.db").exists()
    for stderr in (missing.stderr, same.stderr, down.stderr, damaged.stderr):
        assert "Traceback" not in stderr


def test_a_role_that_may_only_read_is_not_copied_into(tmp_path, pg_server, pg_url):
    open_store(None, url=pg_url).close()
    schema = pg_url.rsplit("%3D", 1)[1]
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute("CREATE ROLE copy_reader LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO copy_reader")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO copy_reader")
    source = f"sqlite://{tmp_path / 'first'}"
    _practice(source)
    done = run_cli("store", "copy", source, pg_url.replace("postgres@", "copy_reader@"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done
    assert "cannot copy into postgresql://copy_reader@" in done.stderr and "may read but not write" in done.stderr


def test_the_access_list_and_invites_come_along(tmp_path, pg_url):
    data = tmp_path / "data"
    data.mkdir()
    access = data / "access.toml"
    text = ('[[people]]\nname = "alice"\nrole = "facilitator"\n'
            'keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhr2f1S1bN1nL8oDdqn8Hq3q7o8mYyqC8k0b8fC2tWb alice@x"]\n')
    access.write_text(text)
    source = f"sqlite://{data}"
    _practice(source)
    done = run_cli("--data-dir", str(data), "store", "copy", source, pg_url)
    assert done.returncode == 0, done
    assert f"copied {access} to access.toml in the database postgresql://postgres@" in done.stdout
    listed = run_cli("--store", pg_url, "access", "list")
    assert listed.returncode == 0 and "alice" in listed.stdout, listed
    # Back to a folder without an access file: the database's list is written there.
    other = tmp_path / "other"
    back = run_cli("--data-dir", str(other), "store", "copy", pg_url, f"sqlite://{other}")
    assert back.returncode == 0, back
    assert (other / "access.toml").read_text() == text
    assert (other / "access.toml").stat().st_mode & 0o777 == 0o600
