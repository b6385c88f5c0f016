"""Two partners play exercises through the app, end to end, keyboard only."""

from __future__ import annotations

from driver import answer, form, press_button, screen_text, start


async def test_two_rounds_from_welcome_to_summary(make, store):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, "two-rounds")
        text = screen_text(app)
        assert "▶ YOUR TURN" in text and "Alex, say one kind thing." in text
        await answer(pilot, "a", "You make good tea.")
        assert app.session.state.step_id == "heard"
        await answer(pilot, "b", "You like my tea.")
        # Round two: the roles swap, Sam speaks first.
        assert app.session.state.round == 2
        assert "Sam, say one kind thing." in screen_text(app)
        await answer(pilot, "b", "You listen well.")
        await answer(pilot, "a", "I listen well.")
        assert type(app.screen).__name__ == "SummaryScreen"
        text = screen_text(app)
        for words in ("You make good tea.", "You like my tea.", "You listen well.", "Thank you both"):
            assert words in text
        events = store.events(app.session.id)
        assert [e.kind for e in events] == ["ready", "ready"] + ["answered"] * 4
        assert events[2].data["values"] == {"say-it": "You make good tea."}


async def test_the_mouse_moving_over_an_exercise_changes_nothing(make):
    """Mouse-over events bubble up to the screen; none of them may be taken for an answer."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, "two-rounds")
        before = list(app.session.events)
        for x, y in ((2, 2), (10, 8), (40, 12), (60, 18), (5, 20)):
            await pilot.hover(offset=(x, y))
            await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.session.events == before and "Alex, say one kind thing." in screen_text(app)


async def test_round_two_opens_with_a_calm_line_that_the_roles_swap(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, "two-rounds")
        assert "you swap" not in screen_text(app)
        await answer(pilot, "a", "You make good tea.")
        await answer(pilot, "b", "You like my tea.")
        text = " ".join(screen_text(app).replace("│", " ").split())
        assert "Round 2: you swap. Now Alex is the listener and Sam is the speaker." in text
        await answer(pilot, "b", "You listen well.")
        assert "you swap" not in screen_text(app)  # said once, on the round's first step
