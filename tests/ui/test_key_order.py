"""Keys typed together are handled in the order typed: a binding (Tab, Ctrl+U, Enter) is
never overtaken by the letters after it, and keys typed while a screen opens reach it."""

from __future__ import annotations

import time

from textual import events
from textual.widgets import OptionList

from trustdialog.ui.widgets.answer_box import AnswerBox
from trustdialog.ui.widgets.answer_input import AnswerInput


def burst(app, *keys: str) -> None:
    """Post keys the way the terminal driver does when one read holds them all."""
    for key in keys:
        character = key if len(key) == 1 else {"tab": "\t", "enter": "\r"}.get(key)
        app._driver.send_message(events.Key(key, character))


def names(app) -> tuple[str, str]:
    return tuple(app.screen.query_one(f"#name-{p}", AnswerInput).value for p in "ab")


async def settle(pilot) -> None:
    for _ in range(20):
        await pilot.pause(0.01)


async def test_letters_after_tab_go_to_the_next_field(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, *"Ana", "tab", *"Ben")
        await settle(pilot)
        assert names(app) == ("Ana", "Ben")


async def test_ctrl_u_clears_only_what_was_typed_before_it(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, *"Xy", "ctrl+u", *"Ana", "ctrl+e", "ctrl+u", *"Ann")
        await settle(pilot)
        assert names(app)[0] == "Ann"


async def test_keys_typed_while_the_picker_opens_reach_the_picker(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, *"Ana", "tab", *"Ben", "enter", "down", "enter")
        await settle(pilot)
        assert app.names == {"a": "Ana", "b": "Ben"}
        # Down moved the highlight from the first exercise to the second before Enter opened it.
        assert type(app.screen).__name__ == "ReadyScreen", type(app.screen).__name__
        assert app.conversation.exercise.id == await second_in_picker(make)


async def second_in_picker(make) -> str:
    """The id of the picker's second exercise (Down from the first highlights it)."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter")
        await pilot.pause()
        return str(app.screen.query_one("#exercise-list", OptionList).get_option_at_index(1).id)


async def test_quick_exit_is_not_held_behind_other_keys(make):
    from trustdialog.ui.overlays.quick_exit import QUICK_EXIT

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # As if an earlier key were still on its way: the letters wait, Ctrl+X does not.
        app._keys._waiting_since = time.monotonic() + 3600
        burst(app, *"Ana", "ctrl+x")
        await pilot.pause(0.1)
        assert app._keys.holding == 3
        assert app.return_value == QUICK_EXIT


async def test_letters_typed_straight_after_sending_reach_the_next_answer(make):
    """Ctrl+S sends (through the app) and the next step's box takes the focus: the letters
    after it wait for that, however many messages it takes. Enter before it is a new line."""
    from driver import begin

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "two-rounds")
        burst(app, *"Kind", "enter", *"words", "ctrl+s", *"abc")
        await settle(pilot)
        assert app.session.state.answers[-1].text == "Kind\nwords"
        box = app.focused
        assert isinstance(box, AnswerBox) and box.value == "abc"
