"""Each pane's history follows the newest answer, uses the room the action leaves, and has one scrollbar."""

from __future__ import annotations

import pytest
from test_reveal import region_text

from trustdialog import engine
from trustdialog.session import Session

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
LONG = ("When you came home two hours late on Friday without texting me, I sat by the window. "
        "I kept checking my phone. I imagined the worst and then I felt foolish for it.")


def _to(app, exercise_id: str, until: str) -> Session:
    """A session run through the engine to step `until`, each answer three sentences long."""
    session = Session.new(app.store, app.library.exercises[exercise_id], {"a": "Alex", "b": "Sam"},
                          clock=app.clock)
    session.submit("ready", "a")
    session.submit("ready", "b")
    n = 0
    while session.state.step_id != until:
        event = engine.valid_actions(session.state)[0]
        data = dict(event.data)
        if event.kind == "answered":
            n += 1
            data["values"] = {k: f"{LONG} (answer {n})" if isinstance(v, str) else v
                              for k, v in data["values"].items()}
        session.submit(event.kind, event.partner, **data)
    return session


@pytest.mark.parametrize("size", SIZES)
async def test_the_pane_shows_the_newest_answer_and_the_form_with_no_room_left_over(make, shipped_library, size):
    app = make(library=shipped_library)
    async with app.run_test(size=size) as pilot:
        session = _to(app, "when-i-felt", "imagine")
        app.run_session(session)
        for _ in range(3):
            await pilot.pause()
        newest = session.state.answers[-1]
        assert newest.partner == "b"
        pane = app.screen.query_one("#pane-b")
        body = pane.query_one(".body")
        rows = region_text(app, body, content=True)
        text = " ".join(" ".join(rows).split())
        # The end of the newest answer, and the blank to fill, are both on screen.
        end = newest.text.split()[-2:]
        assert end[0] == "(answer" and " ".join(end) in text and "I imagine you might feel" in text
        assert text.index(" ".join(end)) < text.index("I imagine you might feel")
        if size == (80, 24):  # more than fits: older text scrolled away above, rows used to the last
            assert body.max_scroll_y > 0 and body.scroll_y == body.max_scroll_y
            assert rows[-1].strip(), rows
        else:  # it all fits: all of it shows, from Sam's first answer on
            assert body.max_scroll_y == 0
            first = [a for a in session.state.answers if a.partner == "b"][0]
            assert " ".join(first.text.split()[:6]) in text
        # More history than the two rows the floor pane once had at 80x24.
        before_form = rows[:next(i for i, row in enumerate(rows) if "I imagine you might feel" in row)]
        assert sum(1 for row in before_form if row.strip()) >= 3
        # One scrollbar in the pane, whatever overflows.
        bars = [w for w in pane.query("*") if w.show_vertical_scrollbar]
        assert bars == ([body] if body.max_scroll_y else [])


async def test_the_listener_s_pane_at_120x36_follows_their_newest_answer(make, shipped_library):
    app = make(library=shipped_library)
    async with app.run_test(size=(120, 36)) as pilot:
        session = _to(app, "when-i-felt", "validate")
        app.run_session(session)
        for _ in range(3):
            await pilot.pause()
        # Alex listens now: the end of what Alex said last is in Alex's pane, above the guide.
        rows = region_text(app, app.screen.query_one("#pane-a .body"), content=True)
        text = " ".join(" ".join(rows).split())
        said = [a for a in session.state.answers if a.partner == "a"]
        newest = " ".join(said[-1].text.split()[-2:])
        assert newest.startswith("(answer") and newest in text
        assert text.index(newest) < text.index("Notice whether you feel heard")
