"""80x24 without cut-offs: the key line keeps Quick exit and Time-out, the status line fits one row."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from driver import advance, play_to_end, screen_text, start
from rich.text import Text
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from trustdialog.ui.status_line import TIME_UP, status_line
from trustdialog.ui.widgets.key_footer import Entry, arrange, fit


def entry(action: str, description: str = "x") -> Entry:
    return Entry(Binding("k", action, description), True, "")


def test_the_safety_keys_come_first_and_the_apps_others_last():
    found = [entry(a) for a in ("request_quit", "help", "send", "quick_exit", "resources", "time_out")]
    assert [e.binding.action for e in arrange(found)] == [
        "quick_exit", "time_out", "send", "resources", "help", "request_quit"]


def test_what_does_not_fit_goes_quit_first_then_the_screens_own_and_comes_back_if_it_fits():
    entries = arrange([entry(a) for a in
                       ("quick_exit", "time_out", "export", "picker", "resources", "help", "request_quit")])
    widths = {"quick_exit": 15, "time_out": 13, "export": 10, "picker": 20, "resources": 15,
              "help": 10, "request_quit": 9}
    kept = [e.binding.action for e in fit(entries, 80, widths)]
    # Quit and "Another exercise" had to go; Quit fits again once the longer one is out.
    assert kept == ["quick_exit", "time_out", "export", "resources", "help", "request_quit"]
    # However narrow: Quick exit, Time-out and F1 (which lists every key) stay.
    assert [e.binding.action for e in fit(entries, 20, widths)] == ["quick_exit", "time_out", "help"]


def footer_keys(app) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def assert_footer_whole(pilot, width: int) -> None:
    """The last row holds every key the footer shows, whole, Quick exit and Time-out first."""
    app = pilot.app
    for _ in range(40):  # the footer is filled once the screen's keys are known, after a refresh
        if footer_keys(app):
            break
        await pilot.pause(0.05)
    shown = footer_keys(app)
    last = screen_text(app).splitlines()[-1]
    assert shown[:2] == ["Quick exit", "Time-out"], shown
    assert last.startswith(" ^x Quick exit  ^t Time-out"), last
    for description in shown:
        assert f" {description}" in last, (description, last)
    assert len(last) <= width


async def test_every_screen_keeps_quick_exit_and_time_out_readable_at_80_columns(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await assert_footer_whole(pilot, 80)  # the welcome
        await start(pilot, "every-kind")
        await assert_footer_whole(pilot, 80)  # an exercise step
        await play_to_end(pilot, choose={"next": [1]})
        await assert_footer_whole(pilot, 80)  # the summary, with its own two keys
        assert "Another exercise" not in footer_keys(app)  # its button says "(p)"; F1 lists the rest
        await pilot.press("f4")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProgressScreen"
        await assert_footer_whole(pilot, 80)


async def test_an_overlay_still_shows_quick_exit(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        for _ in range(40):
            if footer_keys(app):
                break
            await pilot.pause(0.05)
        assert footer_keys(app)[0] == "Quick exit"
        assert screen_text(app).splitlines()[-1].startswith(" ^x Quick exit")


async def test_a_narrower_terminal_refits_the_key_line(make):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await start(pilot, "every-kind")
        await play_to_end(pilot, choose={"next": [1]})
        assert "Another exercise" in footer_keys(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert "Another exercise" not in footer_keys(app)
        await assert_footer_whole(pilot, 80)


def fake_state(title: str, step: int = 2, steps: int = 10, rounds: int = 2):
    progress = SimpleNamespace(step=step, steps=steps, round=1, rounds=rounds)
    return SimpleNamespace(progress=progress, exercise=SimpleNamespace(title=title))


@pytest.mark.parametrize("width, expected", [
    (100, "When it happened, I felt · step 2 of 10 · round 1 of 2 · ⏱ time is up; finish your thought"),
    (78, "When it happened, I felt · step 2 of 10 · round 1 of 2 · ⏱ time is up"),
    (58, "When it happ… · step 2 of 10 · round 1 of 2 · ⏱ time is up"),
    (40, "step 2/10 · round 1/2 · ⏱ time is up"),
])
def test_the_status_line_shortens_words_before_it_cuts_any(width, expected):
    line = status_line(fake_state("When it happened, I felt"), Text(TIME_UP), "", width)
    assert line.plain == expected
    assert len(line.plain) <= width


async def test_the_exercise_status_line_fits_80_columns_when_time_is_up(make, clock):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        advance(app, "every-kind", "voice")
        await pilot.pause()
        clock.now += 3600
        app.screen._show_status()
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        assert top.strip().endswith("⏱ time is up; finish your thought"), top
        assert "step 2 of 8" in top
