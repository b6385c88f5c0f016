"""Every shipped exercise, played through the engine along every path, reaches its end."""

from __future__ import annotations

import pytest

from shipped_library import load_library
from trustdialog import engine

NAMES = {"a": "Ana", "b": "Ben"}
CAP = 20_000  # paths per exercise; the biggest flow has a few thousand


def walk(exercise):
    """Depth-first over valid_actions from the start; returns (paths, steps seen, texts shown)."""
    finished = 0
    seen: set[str] = set()
    texts: list[tuple[str, str]] = []
    stack = [engine.start(exercise, NAMES)]
    while stack:
        state = stack.pop()
        if state.finished:
            finished += 1
            assert finished <= CAP, f"{exercise.id}: more than {CAP} paths"
            continue
        actions = engine.valid_actions(state)
        assert actions, f"{exercise.id}: stuck at {state.step_id!r} in round {state.round}"
        assert state.events < 500, f"{exercise.id}: a path runs on past 500 events"
        if state.phase == "step":
            seen.add(state.step_id)
            texts.append((state.step_id, state.prompt))
            texts += [(state.step_id, p) for p in state.template_parts if isinstance(p, str)]
        stack += [engine.apply(state, action) for action in actions]
    return finished, seen, texts


@pytest.mark.parametrize("exercise_id", sorted(load_library().exercises))
def test_every_path_finishes_and_every_slot_is_filled(library, exercise_id):
    exercise = library.exercises[exercise_id]
    paths, seen, texts = walk(exercise)
    assert paths >= 1
    assert seen == {s.id for s in exercise.steps}, "some step is never reached"
    # A slot that nothing has filled yet reads as the engine's MISSING mark.
    unfilled = sorted({step for step, text in texts if engine.MISSING in text})
    assert not unfilled, f"unfilled slots at steps {unfilled}"
    assert not any("{" in text or "}" in text for _, text in texts), "a slot was left unresolved"


def test_the_walk_sees_a_slot_that_only_one_branch_fills():
    """The walk above can fail: a quote of a step skipped on one branch shows as MISSING."""
    from trustdialog.exercise.model import Exercise, Option, Step

    steps = (
        Step("pick", "choose", "speaker", "Go on?", options=(Option("talk"), Option("skip", next="show"))),
        Step("talk", "prompt", "speaker", "Say it."),
        Step("show", "say", "listener", "You said: {talk}"),
    )
    ex = Exercise("demo", "Demo", 5, "s", "c", steps, rounds=1)
    paths, seen, texts = walk(ex)
    assert paths == 4 and seen == {"pick", "talk", "show"}  # 2 branches x 2 orders of "ready"
    assert ("show", f"You said: {engine.MISSING}") in texts
