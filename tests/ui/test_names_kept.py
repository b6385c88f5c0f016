"""Names typed on the welcome are kept while the app runs: going back never resets them to "Partner A/B"."""

from __future__ import annotations

from driver import play_to_end, start, to_picker

from trustdialog.ui.widgets.answer_input import AnswerInput


def shown_names(app) -> list[str]:
    return [app.screen.query_one(f"#name-{p}", AnswerInput).value for p in "ab"]


async def test_escape_from_the_picker_keeps_both_names(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_picker(pilot, ("Robin", "Sasha"))
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        assert shown_names(app) == ["Robin", "Sasha"]
        # Straight on again: the kept names are the ones the session gets.
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.names == {"a": "Robin", "b": "Sasha"}


async def test_back_from_the_ready_check_keeps_both_names(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await to_picker(pilot, ("Robin", "Sasha"))
        await pilot.press("home", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReadyScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        assert shown_names(app) == ["Robin", "Sasha"]


async def test_after_a_whole_exercise_the_next_one_has_the_same_names(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await start(pilot, "two-rounds", names=("Robin", "Sasha"))
        await play_to_end(pilot)
        await pilot.press("p")  # the summary's "Another exercise"
        await pilot.pause()
        assert type(app.screen).__name__ == "PickerScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        assert shown_names(app) == ["Robin", "Sasha"]
        assert app.names == {"a": "Robin", "b": "Sasha"}
