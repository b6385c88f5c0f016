"""Each pane's history follows the newest answer."""

from __future__ import annotations

import pytest
from driver import answer, screen_text, start

LONG = " ".join(f"Sentence {n} of a long answer about the evening." for n in range(1, 25))


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_pane_scrolls_to_the_newest_answer_when_it_comes(make, size):
    app = make()
    async with app.run_test(size=size) as pilot:
        await start(pilot, "two-rounds")
        await answer(pilot, "a", "Thank you for the tea.")
        await answer(pilot, "b", LONG)
        await answer(pilot, "b", "NEWEST from Sam: thank you for the walk.")
        for _ in range(3):
            await pilot.pause()
        assert "NEWEST from Sam" in screen_text(app), screen_text(app)
