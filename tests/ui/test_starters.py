"""The two starter exercises, played end to end through the app with the keyboard."""

from __future__ import annotations

import pytest
from driver import begin, play_to_end, screen_text, start


@pytest.fixture
def make_shipped(make, shipped_library):
    return lambda **kw: make(library=shipped_library, **kw)


async def test_when_i_felt_with_a_not_quite_loop(make_shipped, store):
    app = make_shipped()
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, "when-i-felt")
        visited = await play_to_end(pilot, confirm={"check": [False, True]})
        # "not quite" went round once more: more -> mirror -> check, in the first round
        first_round = visited[: len(visited) // 2 + 2]
        assert first_round.count("mirror") == 2 and "more" in first_round
        state = app.session.state
        assert state.round == 2 and not state.ended_early
        text = screen_text(app)
        assert "Thank you both" in text
        assert "When voice words, I felt voice words." in text


async def test_a_branching_starter_takes_the_other_branch(make_shipped, store):
    app = make_shipped()
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(pilot, "good-intentions")
        visited = await play_to_end(pilot, choose={"landing": [1, 1]})
        assert "still" in visited
