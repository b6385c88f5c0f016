"""The export puts each answer under the step that asked for it, whatever came before."""

from __future__ import annotations

import re

import pytest

from trustdialog import engine
from trustdialog.exercise import load_library
from trustdialog.export import to_markdown
from trustdialog.store import MemoryStore

LIBRARY = load_library()


def play(exercise):
    """Walk the first path of `exercise`, giving each text blank a value naming its step."""
    state = engine.start(exercise, {"a": "Ann", "b": "Bob"})
    events = []
    while not state.finished:
        # Prefer a branch (the last option) so choices sit before later answers.
        event = engine.valid_actions(state)[-1 if state.step and state.step.kind == "choose" else 0]
        if event.kind == engine.ANSWERED:
            values = {f.name: (f"ans-{event.step}-r{state.round}" if f.kind in ("text", "pick")
                               else engine.example_value(f)) for f in state.step.fields}
            event = engine.Event(event.kind, event.partner, event.step, event.round, {"values": values})
        elif event.kind == engine.CONFIRMED:
            event = engine.Event(event.kind, event.partner, event.step, event.round, {"yes": True})
        state = engine.apply(state, event)
        events.append(event)
    return state, events


@pytest.mark.parametrize("exercise_id", sorted(LIBRARY.exercises))
def test_each_answer_sits_under_its_own_step(exercise_id):
    state, events = play(LIBRARY.exercises[exercise_id])
    store = MemoryStore()
    sid = store.create_session(exercise_id, state.exercise.title, state.names)
    text = to_markdown(store.info(sid), state, events)
    heading = None
    for line in text.splitlines():
        m = re.match(r"### Step (\d+): ", line)
        if m:  # headings show the step's label; its number says which step it is
            heading = state.exercise.steps[int(m.group(1)) - 1].id
        if not line.startswith(">"):
            continue  # a heading's prompt may quote earlier answers; only turns count
        for step in re.findall(r"ans-([a-z0-9-]+?)-r\d", line):
            assert step == heading, f"answer of {step!r} printed under {heading!r}"
