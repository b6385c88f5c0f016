"""The picker over the shipped library: its curated order (the flagship first), grouping by theme, snapshots."""

from __future__ import annotations

import pytest
from driver import screen_text, to_picker
from textual.widgets import OptionList

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def listed(app) -> list[str | None]:
    """The picker's list as it stands: exercise ids, and None for each heading."""
    options = app.screen.query_one("#exercise-list", OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_the_picker_follows_the_library_order_with_the_flagship_first(make, shipped_library):
    app = make(library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_picker(pilot)
        assert listed(app) == list(shipped_library.exercises)
        assert listed(app)[0] == "when-i-felt"
        assert "When it happened, I felt" in screen_text(app).splitlines()[2]


async def test_g_groups_by_theme_and_the_arrows_step_over_the_headings(make, shipped_library):
    app = make(library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_picker(pilot)
        await pilot.press("down")  # on the second exercise before grouping
        second = listed(app)[1]
        await pilot.press("g")
        shown = listed(app)
        assert shown[0] is None and shown[1] == "when-i-felt"  # a heading, then the flagship
        assert sorted(i for i in shown if i) == sorted(shipped_library.exercises)
        assert shown.count(None) == len({e.tags[0] for e in shipped_library.exercises.values()})
        options = app.screen.query_one("#exercise-list", OptionList)
        assert options.highlighted_option.id == second  # grouping keeps the place
        text = screen_text(app)
        assert "Listening" in text and "Hard topics" in text
        # Down never rests on a heading: every stop is an exercise.
        options.highlighted = 1
        stops = []
        for _ in range(len(shown)):
            await pilot.press("down")
            stops.append(options.highlighted_option.id)
        assert None not in stops
        await pilot.press("g")
        assert listed(app) == list(shipped_library.exercises)


async def test_enter_in_the_grouped_list_begins_the_highlighted_exercise(make, shipped_library):
    app = make(library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_picker(pilot)
        await pilot.press("g", "end", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReadyScreen"
        assert app.conversation.exercise.id == [i for i in listed_after_group(shipped_library) if i][-1]


def listed_after_group(library) -> list[str | None]:
    from trustdialog.ui.screens.picker import shelves

    return [e.id for _, members in shelves(list(library.exercises.values())) for e in members]


async def _open(pilot):
    pilot.app.show_picker()
    await pilot.pause()


async def _open_grouped(pilot):
    await _open(pilot)
    await pilot.press("g")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("grouped", [pytest.param(False, id="in-order"), pytest.param(True, id="by-theme")])
def test_picker_snapshot(snap_compare, make, shipped_library, grouped, size):
    app = make(library=shipped_library)
    assert snap_compare(app, terminal_size=size, run_before=_open_grouped if grouped else _open)
