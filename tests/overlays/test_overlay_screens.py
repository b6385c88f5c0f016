"""Each overlay on its own, in a tiny host app: what it says, and what each key does."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from overlay_host import NOW, HostApp, screen_text
from trustdialog.exercise.model import Exercise, Step
from trustdialog.resources import Resource, Resources
from trustdialog.ui.overlays import (
    QUICK_EXIT, ConfirmQuitScreen, HelpScreen, PausedScreen, ResourcesScreen, TimeOutScreen,
    quick_exit,
)
from trustdialog.ui.overlays.timeout import parse_resume_time, resume_choices

KEYS = [("F1", "rules"), ("Ctrl+T", "time-out"), ("Ctrl+R", "help lines"),
        ("Ctrl+X", "quick exit"), ("Ctrl+Q", "quit")]


def exercise(title: str = "Listening practice") -> Exercise:
    return Exercise(
        id="practice", title=title, minutes=10, summary="", credit="",
        steps=(Step(id="voice", kind="prompt", by="speaker", text="Say it."),),
        roles=("speaker", "listener"),
        rules={"speaker": ("Speak for yourself.", "One topic."),
               "listener": ("Listen to understand.", "No defending.")},
    )


def at(hour: int, minute: int = 0, day: int = 4) -> float:
    return datetime(2025, 3, day, hour, minute, tzinfo=timezone.utc).timestamp()


async def run(overlay, *keys: str, size=(80, 24)):
    """Show `overlay`, press `keys`; returns (app, the screen text before the keys)."""
    app = HostApp(overlay)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        before = screen_text(app)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        app.after = screen_text(app)
    return app, before


# -- help ------------------------------------------------------------------

async def test_help_shows_my_rules_in_full_and_my_partners_in_brief():
    app, shown = await run(HelpScreen(exercise(), "listener", KEYS), size=(120, 36))
    assert "You are the listener" in shown
    assert "• Listen to understand." in shown and "• No defending." in shown
    assert "Your partner, the speaker" in shown
    assert "Speak for yourself. One topic." in shown  # brief: one line, no bullets
    assert "Ctrl+X  quick exit" in shown


@pytest.mark.parametrize("key", ["escape", "f1"])
async def test_help_closes_with_escape_or_f1(key):
    app, _ = await run(HelpScreen(exercise(), "speaker", KEYS), key)
    assert app.results == [None]
    assert "You are the speaker" not in app.after


async def test_help_before_an_exercise_says_what_this_is_and_is_not():
    _, shown = await run(HelpScreen(None, None, KEYS), size=(120, 36))
    assert "not therapy" in shown
    assert "not for relationships with violence, threats or fear" in shown


async def test_help_without_a_role_lists_both_roles_rules():
    _, shown = await run(HelpScreen(exercise(), None, KEYS), size=(120, 36))
    assert "The speaker" in shown and "The listener" in shown
    assert "• One topic." in shown and "• No defending." in shown


async def test_help_shows_markup_in_texts_literally():
    _, shown = await run(HelpScreen(exercise("[bold]x[/] \x1b[31mred"), "speaker", KEYS))
    assert "[bold]x[/] red" in shown


# -- time-out --------------------------------------------------------------

async def test_time_out_suggests_twenty_minutes_and_enter_agrees_to_it():
    app, shown = await run(TimeOutScreen(NOW), "enter")
    assert "at least 20 minutes" in shown
    assert "In 20 minutes, at 14:25 (suggested)" in shown
    assert app.results == [NOW + 20 * 60]


async def test_time_out_offers_an_hour_the_evening_and_tomorrow():
    app, shown = await run(TimeOutScreen(NOW), "down", "down", "enter")
    assert "In 1 hour, at 15:05" in shown and "Tomorrow, at 14:05" in shown
    assert app.results == [at(19)]


async def test_escape_takes_back_the_time_out():
    app, _ = await run(TimeOutScreen(NOW), "escape")
    assert app.results == [None]


async def test_a_typed_time_is_the_agreed_time():
    app, _ = await run(TimeOutScreen(NOW), "tab", *"18:30", "enter")
    assert app.results == [at(18, 30)]


async def test_a_short_break_is_questioned_gently_then_kept_on_a_second_enter():
    app = HostApp(TimeOutScreen(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", *"10m", "enter")
        await pilot.pause()
        assert app.results == []
        assert "break of 10 minutes" in screen_text(app)
        assert "Press Enter again" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [NOW + 600]


async def test_an_unreadable_time_says_how_to_write_one_and_stays_open():
    app = HostApp(TimeOutScreen(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", *"soon", "enter")
        await pilot.pause()
        assert "Could not read 'soon'. Try 18:30, 6pm or 45m." in screen_text(app)
        assert app.results == []


@pytest.mark.parametrize("typed, expected", [
    ("18:30", at(18, 30)),
    ("6pm", at(18)),
    ("6:15 PM", at(18, 15)),
    ("9am", at(9, day=5)),           # already past today: tomorrow morning
    ("tomorrow 9am", at(9, day=5)),
    ("14:00", at(14, day=5)),         # five minutes ago: tomorrow
    ("45m", NOW + 45 * 60),
    ("in 1h30m", NOW + 90 * 60),
    ("2 hours", NOW + 2 * 3600),
    ("12am", at(0, day=5)),
])
def test_typed_times(typed, expected):
    assert parse_resume_time(typed, NOW) == expected


@pytest.mark.parametrize("typed, says", [
    ("", "Type a time"),
    ("25h", "more than a day"),
    ("45", "not a time of day"),
    ("13pm", "from 1 to 12"),
    ("tomorrow 15:00", "more than a day"),
    ("later", "Could not read"),
])
def test_typed_times_that_do_not_work(typed, says):
    with pytest.raises(ValueError, match=says):
        parse_resume_time(typed, NOW)


def test_the_evening_is_offered_only_while_it_is_well_ahead():
    assert any("evening" in label for label, _ in resume_choices(at(17, 25)))
    assert not any("evening" in label for label, _ in resume_choices(at(17, 45)))


# -- paused ----------------------------------------------------------------

async def test_paused_shows_the_agreed_time_and_how_to_come_back():
    app, shown = await run(PausedScreen(NOW + 3600, NOW, session_id="s-42"), "enter")
    assert "Back at 15:05: a break of 1 hour." in shown
    assert "trustdialog resume s-42" in shown
    assert "the session is kept" in shown
    assert app.results == [True]


async def test_paused_without_a_time_and_escape_does_not_resume():
    app, shown = await run(PausedScreen(None, NOW), "escape")
    assert "Taking a break." in shown
    assert app.results == []
    # No session id (nothing saved, --no-save): no resume is promised.
    assert "lasts only while the app is open" in shown and "resume" not in shown


# -- help lines ------------------------------------------------------------

async def test_help_lines_show_every_entry_literally_and_close_with_escape():
    res = Resources("Help [b]now[/b]", "If you are in danger, call 112.", (
        Resource("Line one", "Support for [red]you[/red]", "0800 111", "Somewhere"),
        Resource("Line two", contact="example.org"),
    ), problems=("x.toml: not valid TOML",))
    app, shown = await run(ResourcesScreen(res), "escape", size=(120, 36))
    for words in ("Help [b]now[/b]", "If you are in danger, call 112.", "Line one  (Somewhere)",
                  "Support for [red]you[/red]", "0800 111", "Line two", "example.org",
                  "Could not read: x.toml: not valid TOML"):
        assert words in shown
    assert app.results == [None]


# -- leave -----------------------------------------------------------------

@pytest.mark.parametrize("keys, result", [
    (("enter",), True), (("y",), True), (("escape",), False), (("n",), False),
    (("right", "enter"), False), (("tab", "enter"), False),
])
async def test_leaving_asks_first(keys, result):
    app, shown = await run(ConfirmQuitScreen("s-7"), *keys)
    assert "Everything you have written so far is kept" in shown
    assert "trustdialog resume s-7" in shown
    assert app.results == [result]


async def test_leaving_unsaved_says_it_is_not_kept():
    app, shown = await run(ConfirmQuitScreen(None), "n")
    assert "this session is not kept" in shown and "resume" not in shown
    assert app.results == [False]


# -- quick exit ------------------------------------------------------------

async def test_quick_exit_leaves_at_once_from_over_an_overlay():
    app = HostApp(HelpScreen(exercise(), "speaker", KEYS))
    async with app.run_test() as pilot:
        await pilot.pause()
        quick_exit(app)
        await pilot.pause()
    assert app.return_value == QUICK_EXIT
    assert app.results == []  # no dialog was answered on the way out
