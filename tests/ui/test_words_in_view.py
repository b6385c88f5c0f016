"""The words a step is about are in the view of whoever must reflect, answer or compare: read from the screen at 80x24."""

from __future__ import annotations

import re

from driver import advance, answer, press_button, screen_text, start

from trustdialog import engine

EVENT = "you came home two hours late on Friday without texting me"
ADDED = "And it was the night before my exam, so I lay awake waiting for you."


def flat(app) -> str:
    """The screen's words as one line, box borders left out, so a quote that wraps is still found whole."""
    return " ".join(re.sub(r"[│┃]", " ", screen_text(app)).split())


async def test_the_second_mirror_quotes_what_the_speaker_added_at_80x24(make, shipped_library):
    app = make(library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, "when-i-felt")  # Alex speaks, Sam listens
        await press_button(pilot, "continue-a")
        await answer(pilot, "a", EVENT, "scared")
        assert app.session.state.step_id == "mirror"
        await answer(pilot, "b", "You said I came home late and you felt scared.")
        await press_button(pilot, "no-a")  # "Not quite, or there is more"
        assert app.session.state.step_id == "more"
        await answer(pilot, "a", ADDED)
        assert app.session.state.step_id == "mirror"
        shown = flat(app)
        assert f"When {EVENT}, I felt scared. {ADDED}" in shown, screen_text(app)


async def test_the_listener_sees_the_sign_their_partner_picked_at_80x24(make, shipped_library):
    app = make(library=shipped_library)
    async with app.run_test(size=(80, 24)) as pilot:
        session = advance(app, "what-trust-looks-like", "pick-first")
        state = session.state
        (action,) = [a for a in engine.valid_actions(state) if a.kind == engine.ANSWERED]
        values = {"sign_first": "keeping your word", "why_first": "it matters to me most"}
        session.submit(action.kind, action.partner, step=state.step_id, round=state.round, values=values)
        await pilot.pause()
        assert session.state.step_id == "hear-first"
        assert "I would like to talk about keeping your word, because it matters to me most." in flat(app), \
            screen_text(app)
