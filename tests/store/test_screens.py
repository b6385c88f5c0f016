"""The check-in and progress screens, driven with Textual's Pilot over a real store."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.app import App
from textual.widgets import DataTable, Static

from trustdialog import progress
from trustdialog.session import Session
from trustdialog.store import open_store
from trustdialog.ui.checkin_screen import ALL_DONE, NOTHING_OPEN, CheckinScreen
from trustdialog.ui.progress_screen import FollowThroughChart, ProgressScreen, chart
from store_helpers import felt_exercise, promises_exercise

EXERCISES = {"small-promises": promises_exercise()}

NOON = dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.timezone.utc).timestamp()  # midday: the same date in most time zones
DAY = 86400.0


class ScreenApp(App):
    """Nothing but the screen under test."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make
        self.result = "not dismissed"
        self.theme = "textual-dark"

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.done)

    def done(self, result) -> None:
        self.result = result


def promise_session(store, at, names, items):
    s = Session.new(store, promises_exercise(), names, clock=lambda: at)
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.submit("answered", "a", values={"promises": [{"what": w, "when": "Friday"} for w in items]})
    return s


@pytest.fixture
def store(data_dir):
    store = open_store(data_dir)
    promise_session(store, NOON, {"a": "Ann", "b": "Bob"}, ["walk the dog", "cook on Tuesday"])
    promise_session(store, NOON + 7 * DAY, {"a": "[bold]Ann[/bold]", "b": "Bob"}, ["call my sister"])
    Session.new(store, felt_exercise(), {"a": "Ann", "b": "Bob"}, clock=lambda: NOON + 8 * DAY).submit("ended", "a")
    return store


def exercises():
    return {"small-promises": promises_exercise()}


async def test_checkin_marks_each_promise_and_moves_on(store):
    app = ScreenApp(lambda: CheckinScreen(store, exercises=exercises(), clock=lambda: NOON + 9 * DAY))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckinScreen) and len(screen.promises) == 3
        await pilot.press("k")
        await pilot.press("n")
        await pilot.click("#mark-partly")
        await pilot.pause()
        assert str(screen.query_one("#checkin-note", Static).render()) == ALL_DONE
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == 3
    marks = {p.text: p.mark for p in progress.promises(store, None, EXERCISES)}
    assert marks == {"I will walk the dog by Friday": "kept", "I will cook on Tuesday by Friday": "not kept",
                     "I will call my sister by Friday": "partly"}
    assert {m.at for m in store.marks()} == {NOON + 9 * DAY}


async def test_checkin_shows_names_literally_not_as_markup(store):
    app = ScreenApp(lambda: CheckinScreen(store, exercises=EXERCISES))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = "\n".join(str(s.render()) for s in app.screen.query("PromiseItem Static"))
        assert "[bold]Ann[/bold], " in shown
        assert "I will walk the dog by Friday" in shown


async def test_checkin_with_nothing_open_says_so(data_dir):
    app = ScreenApp(lambda: CheckinScreen(open_store(data_dir), exercises=EXERCISES))
    async with app.run_test(size=(80, 24)) as pilot:
        assert str(app.screen.query_one("#checkin-note", Static).render()) == NOTHING_OPEN
        await pilot.press("k")  # nothing to mark: nothing happens
        await pilot.press("escape")
    assert app.result == 0


async def test_progress_shows_rate_against_80_and_history_then_checks_in(store):
    first = progress.promises(store, None, EXERCISES)
    store.set_mark(first[0].session_id, first[0].key, "kept")
    store.set_mark(first[1].session_id, first[1].key, "partly")
    app = ScreenApp(lambda: ProgressScreen(store, None, exercises=exercises()))
    async with app.run_test(size=(100, 36)) as pilot:
        screen = app.screen
        text = chart(screen.query_one(FollowThroughChart).points, 80).plain
        assert "80%" in text and "┃" in text and " 75% 1/1/0" in text
        assert "03 Mar 2025" in text
        overall = str(screen.query_one("#progress-overall", Static).render())
        assert "Overall 75%" in overall and "below 80%" in overall and "1 promise waiting" in overall
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        assert [str(c) for c in table.get_row_at(0)] == ["11 Mar 2025", "When it happened, I felt", "Ann & Bob", "yes"]
        assert str(table.get_row_at(1)[2]) == "[bold]Ann[/bold] & Bob"
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("k", "escape")
        await pilot.pause()
        assert app.screen is screen
        overall = str(screen.query_one("#progress-overall", Static).render())
        assert "waiting" not in overall and "Overall" in overall
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


def test_chart_without_marks_explains_itself():
    assert "No promises marked yet" in chart([], 60).plain


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_progress_snapshot(store, snap_compare, size):
    first = progress.promises(store, None, EXERCISES)
    for p, mark in zip(first, ("kept", "partly", "kept")):
        store.set_mark(p.session_id, p.key, mark)
    assert snap_compare(ScreenApp(lambda: ProgressScreen(store, None, exercises=exercises())),
                        terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_checkin_snapshot(store, snap_compare, size):
    assert snap_compare(ScreenApp(lambda: CheckinScreen(store, exercises=exercises())),
                        terminal_size=size, press=["k"])
