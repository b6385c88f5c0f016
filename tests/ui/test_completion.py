"""Completing a feeling: every word of a pick blank completes, and the arrows choose among the words."""

from __future__ import annotations

from driver import answer, press_button, screen_text, start, type_keys

from trustdialog.ui.widgets.answer_form import PickInput, complete, completions

MOODS = ["sad", "sadder", "scared", "lonely", "hurt", "left out", "loving"]


def test_the_last_word_completes_and_a_phrase_too():
    assert complete("scared and lon", MOODS) == ["lonely"]
    assert complete("left o", MOODS) == ["left out"]
    assert complete("lo", MOODS) == ["lonely", "loving"]
    assert complete("I felt ", MOODS) == []
    assert completions("scared and lon", MOODS) == [("scared and lonely", "lonely")]


async def to_feeling(pilot) -> PickInput:
    await start(pilot, "every-kind")
    await press_button(pilot, "continue-b")
    await answer(pilot, "a", "you were late")
    box = pilot.app.focused
    assert isinstance(box, PickInput)
    return box


async def test_the_second_word_of_a_blank_completes(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_feeling(pilot)
        await type_keys(pilot, "sad and lon")
        assert "Words: ▸lonely" in screen_text(app)
        await pilot.press("right")
        assert box.value == "sad and lonely"


async def test_the_arrows_choose_which_word_right_takes(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_feeling(pilot)
        await type_keys(pilot, "s")
        assert "Words: ▸sad, sadder, scared" in screen_text(app)
        await pilot.press("down", "down")
        await pilot.pause()
        assert "Words: sad, sadder, ▸scared" in screen_text(app)
        await pilot.press("up")
        await pilot.pause()
        assert "▸sadder" in screen_text(app)
        await pilot.press("right")
        assert box.value == "sadder"
