"""Watching is activity: a connection whose session is live with someone acting on it outlasts
the idle timeout; once nobody acts, it is closed as any idle connection is."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from ssh_helpers import RunningServer, wait_for
from test_ssh_live import couple  # noqa: F401 (a fixture)
from test_ssh_resume import expect, terminals  # noqa: F401 (a fixture)

from trustdialog.exercise import load_library
from trustdialog.presence import Presence
from trustdialog.session import Session
from trustdialog.ssh.activity import SessionActivity, apps_store
from trustdialog.store import db_path, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "store"))  # its PostgreSQL server
from pg_server import started  # noqa: E402

IDLE, WARNING = 6.0, 2.0  # seconds: short, so that outlasting it takes seconds, not an hour
ANA = "ana, client, ana-ben partner A"


@pytest.fixture
def quick(tmp_path, couple):  # noqa: F811
    """`serve` with the real app and a six-second idle timeout."""
    server = RunningServer.start(tmp_path, couple[0], None, idle_timeout=IDLE,
                                 idle_warning=WARNING)
    yield server
    server.stop()


def begun_by_ana(data_dir):
    """Ana's session, begun on her own connection: both said yes, on the first step (hers)."""
    store = open_store(data_dir)
    exercise = load_library().exercises["when-i-felt"]
    session = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben")
    session.submit("ready", "a", by=ANA)
    session.submit("ready", "b", by="ben, client, ana-ben partner B")
    return store, session


def test_a_partner_who_only_watches_stays_while_the_other_acts_and_not_once_nobody_does(
        quick, couple, terminals):  # noqa: F811
    store, session = begun_by_ana(quick.data_dir)
    # Ana's app, as her own connection would run it: she is on the session, and acts on it.
    ana = Presence(quick.data_dir / "presence").join(session.id, "ana", "client", "a")
    ben = terminals(quick.port, couple[1]["ben"])
    expect(ben, "Ana is on When it happened, I felt — join?", timeout=20)
    ben.keys("Enter")  # the welcome's offer has the focus
    expect(ben, "Ana's turn, on their own screen")
    last_key = time.monotonic()  # Ben's last key: from here on he only watches

    # Ana sends turns (a time-out and its end), each seen on Ben's screen, for twice the timeout.
    while time.monotonic() - last_key < 2 * IDLE:
        session.submit("paused", "a", by=ANA, resume_at=None, note="")
        expect(ben, "Taking a break.")
        session.submit("resumed", "a", by=ANA)
        assert wait_for(lambda: "Taking a break." not in ben.screen(), 10), ben.screen()
    assert not ben.finished(), ben.screen()
    # Then she only writes (Ben sees "writing…", never her words), again for twice the timeout.
    writing_from = time.monotonic()
    ana.writing()
    expect(ben, "writing…")
    while time.monotonic() - writing_from < 2 * IDLE:
        # A keystroke a second or so, as typing is: well inside the warning's time, on a busy host too.
        time.sleep(1.2)
        ana.writing()
        assert "writing…" in ben.screen(), ben.screen()
    screen = ben.screen()
    assert not ben.finished() and "closed after" not in screen, screen
    assert "No key pressed" not in screen, screen  # nobody is warned while someone acts

    # Nobody acts now (Ana is still there, idle): Ben's connection is warned, then closed.
    expect(ben, "No key pressed for a while", timeout=IDLE + 10)
    assert wait_for(ben.finished, IDLE + 10), ben.screen()
    assert "closed after 6 seconds without a key press" in ben.screen()
    assert "end=idle" in quick.log
    ana.leave()
    store.close()


@pytest.fixture(params=("sqlite", "postgresql"))
def store_url(request, tmp_path):
    """The apps' store: the data folder's SQLite file, or a real PostgreSQL server several hosts share."""
    if request.param == "sqlite":
        yield f"sqlite://{db_path(tmp_path)}"
        return
    with started() as server:
        yield server.url


def test_the_activity_of_a_session_is_its_last_join_keystroke_or_event(store_url):
    store = open_store(None, url=store_url)
    exercise = load_library().exercises["when-i-felt"]
    session = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben", clock=lambda: 1000.0)
    activity = SessionActivity(store_url)
    assert activity.last(os.getpid()) == 0.0  # this process is on no session yet
    here = store.presence().join(session.id, "ben", "client", "b")
    joined = activity.last(os.getpid())
    assert joined == pytest.approx(time.time(), abs=5)  # joining is acting
    session.clock = lambda: joined + 100  # a turn saved later than anything else
    session.submit("ready", "a")
    assert activity.last(os.getpid()) == joined + 100
    assert activity.last(os.getpid() + 1) == 0.0  # another process, on no session
    here.leave()
    assert activity.last(os.getpid()) == 0.0  # gone from the session: nothing keeps it open
    activity.close()
    store.close()


def test_the_apps_store_is_the_one_they_save_to(tmp_path, monkeypatch):
    monkeypatch.delenv("TRUSTDIALOG_STORE", raising=False)
    assert apps_store(tmp_path, []) == f"sqlite://{db_path(tmp_path).absolute()}"
    assert apps_store(tmp_path, ["--store", f"sqlite://{tmp_path}/other.db"]) == f"sqlite://{tmp_path}/other.db"
    assert apps_store(tmp_path, ["--no-save"]) is None
    assert apps_store(tmp_path, ["--store", "postgresql://me@db/td"]) == "postgresql://me@db/td"
    monkeypatch.setenv("TRUSTDIALOG_STORE", "postgresql://me@db/td")  # as the apps would see it
    assert apps_store(tmp_path, []) == "postgresql://me@db/td"
