"""Small promises: earlier promises come back to be marked before new ones are made."""

from __future__ import annotations

from driver import pick, start, to_picker

from trustdialog.exercise import load_library
from trustdialog.session import Session

SHIPPED = load_library()


def made_promises(store, clock):
    """A finished first round of "Small promises" with one promise."""
    exercise = SHIPPED.exercises["small-promises"]
    s = Session.new(store, exercise, {"a": "Alex", "b": "Sam"}, clock=clock)
    s.submit("ready", "a")
    s.submit("ready", "b")
    s.submit("continued", "a")
    s.submit("answered", "a", values={"promises": [
        {"what": "cook on Tuesday", "when": "8pm", "sign": "dinner is ready"}]})
    return s


async def test_the_next_small_promises_session_opens_with_the_check_in(make, store, clock):
    earlier = made_promises(store, clock)
    app = make(library=SHIPPED)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_picker(pilot)
        await pick(pilot, "small-promises")
        await pilot.press("enter")  # Alex: ready
        await pilot.pause()
        await pilot.press("enter")  # Sam: ready
        await pilot.pause()
        assert type(app.screen).__name__ == "CheckinScreen"
        assert app.session.id != earlier.id
        texts = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "cook on Tuesday" in texts
        await pilot.press("k")  # kept
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        marks = store.marks()
        assert [(m.session_id, m.mark) for m in marks] == [(earlier.id, "kept")]
        assert marks[0].checkin_session == app.session.id


async def test_no_check_in_without_earlier_promises(make, store):
    app = make(library=SHIPPED)
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "small-promises")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"


async def test_the_promises_summary_says_when_and_how_to_check_in(make, shipped_library):
    from driver import advance, screen_text

    app = make(library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        advance(app, "small-promises")  # to the end
        for _ in range(3):
            await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        from trustdialog.ui.screens.summary import CHECK_IN

        said = [str(w.render()) for w in app.screen.query(".para")]
        assert CHECK_IN in said  # below the transcript (the screen scrolls to it)
        assert "begins by asking how each one went" in CHECK_IN and "Progress (F4)" in CHECK_IN
        await pilot.press("f4")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProgressScreen"


async def test_the_add_button_reads_as_english(make, shipped_library):
    from driver import advance, screen_text

    app = make(library=shipped_library)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        advance(app, "small-promises", "promises")
        for _ in range(3):
            await pilot.pause()
        text = screen_text(app)
        assert "+ another promise" in text and "another a promise" not in text
