"""Gentle wording hints beside the input, and a step timer that only signals."""

from __future__ import annotations

from driver import answer, begin, form, paste, start


async def test_blaming_words_get_a_quiet_hint_never_a_block(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        await app.screen.render_state()
        await pilot.pause()
        await paste(pilot, "you always forget to call")
        await pilot.press("tab")  # a pause in typing, or a focus change, checks the wording
        await pilot.pause()
        hint = form(app, "a").query_one(".form-hint")
        assert hint.display and "A thought:" in str(hint.render())
        assert "Always" in str(hint.render())
        # a suggestion, not a block: the answer goes in as written
        await paste(pilot, "hurt")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.answers[-1].values["event"] == "you always forget to call"


async def test_the_timer_signals_but_never_cuts_anyone_off(make, clock):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        await app.screen.render_state()
        await pilot.pause()
        status = app.screen.query_one("#status")
        assert "⏱ 3:00 left" in str(status.render())
        clock.now += 61
        app.screen._show_status()
        assert "⏱ 1:59 left" in str(status.render())
        clock.now += 600
        app.screen._show_status()
        assert "time is up; finish your thought" in str(status.render())
        # still open: the speaker can finish and send
        await answer(pilot, "a", "you were late", "sad")
        assert app.session.state.step_id == "mirror"
        # an untimed step shows no timer, and nothing ticks
        assert "⏱" not in str(status.render())
        assert app.screen._ticker is None
