"""SVG snapshots of every screen H6 owns, at 80x24 and 120x36, and of each shipped first step.

Regenerate on purpose: `pytest tests/ui/test_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

import pytest
from driver import advance

from trustdialog.exercise import load_library
from trustdialog.session import Session

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def _welcome(app):
    # One unfinished session, so the offer to continue shows too.
    exercise = app.library.exercises["two-rounds"]
    Session.new(app.store, exercise, {"a": "Kim", "b": "Lee"}, clock=app.clock)


async def _welcome_settled(pilot):
    # The unfinished sessions are mounted after the first frame: wait for them.
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def _picker(pilot):
    pilot.app.show_picker()
    await pilot.pause()
    await pilot.press("down")


async def _ready(pilot):
    from trustdialog.ui.screens.ready import ReadyScreen

    pilot.app.conversation.set_names({"a": "Alex", "b": "Sam"})
    pilot.app.conversation.choose("every-kind")
    pilot.app.switch_to(ReadyScreen(pilot.app.library.exercises["every-kind"]))
    await pilot.pause()


def _at(until, after=0, choose=None):
    async def run_before(pilot):
        advance(pilot.app, "every-kind", until, after=after, choose=choose)
        await pilot.pause()
    return run_before


# A concern as people write it: three sentences, about 300 characters.
CONCERN = ("On Friday you told me you would be home by seven, and you walked in after ten "
           "without a call or a text. I kept the dinner warm and checked my phone every few "
           "minutes, picturing an accident on the way. When you came in and said it was "
           "nothing, I felt that I did not matter to you at all that night")


async def _long_answer(pilot):
    # The sentence frame around a box holding all of it, as it is being written.
    from driver import paste

    advance(pilot.app, "every-kind", "voice")
    await pilot.pause()
    await paste(pilot, CONCERN)


async def _long_quote(pilot):
    # Sent: the listener's prompt quotes every word of it.
    from driver import answer

    advance(pilot.app, "every-kind", "voice")
    await pilot.pause()
    await answer(pilot, "a", CONCERN, "alone")


SCREENS = {
    "welcome": _welcome_settled,
    "picker": _picker,
    "ready": _ready,
    "say": _at("hello"),
    "prompt": _at("voice"),
    "confirm": _at("check"),
    "choose": _at("next"),
    "rating": _at("rate"),
    "both-hidden": _at("rate", after=1),
    "list": _at("promises", choose={"next": 1}),
    "private": _at("reflect"),
    "summary": _at(None),
    "long-answer": _long_answer,
    "long-quote": _long_quote,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make, screen, size):
    app = make()
    if screen == "welcome":
        _welcome(app)
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])


SHIPPED = sorted(load_library().exercises)


@pytest.mark.parametrize("exercise_id", SHIPPED)
def test_shipped_first_step(snap_compare, make, shipped_library, exercise_id):
    app = make(library=shipped_library)

    async def run_before(pilot):
        advance(pilot.app, exercise_id, shipped_library.exercises[exercise_id].steps[0].id)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
