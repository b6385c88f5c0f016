"""Random walks through every exercise: valid events fit, invalid ones change nothing, replay agrees."""

from __future__ import annotations

import dataclasses
import json

import pytest
from builders import BUILT, NAMES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustdialog import engine
from trustdialog.engine import PARTNERS, Event, FlowError
from trustdialog.exercise.model import BOTH, Field, Step

FLOW_KINDS = ("ready", "continued", "answered", "chose", "confirmed")
# Sized so the engine tests stay well under 30 s with a dozen exercises; every
# exercise gets its own run, so the coverage grows with the library.
WALK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TO_END = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _shipped():
    """The shipped library's exercises, or () until `load_library` exists (or if it breaks)."""
    try:
        from trustdialog.exercise import load_library
    except ImportError:
        return ()
    try:
        return tuple(load_library().exercises.values())
    except Exception:  # reported by test_the_shipped_library_loads
        return ()


SHIPPED = _shipped()
EXERCISES = [pytest.param(ex, id=f"built:{ex.id}") for ex in BUILT] + [
    pytest.param(ex, id=ex.id) for ex in SHIPPED
]


def test_the_shipped_library_loads():
    from trustdialog.exercise import load_library

    library = load_library()
    assert library.exercises, "the shipped library is empty"
    assert [ex.id for ex in SHIPPED] == list(library.exercises)
    # Every shipped file must load, or its flow would escape these walks.
    assert not library.errors, "\n".join(map(str, library.diagnostics))


# -- strategies ------------------------------------------------------------------

# Text as people type it, braces and markup included: answers are data, never templates.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12).filter(str.strip)


def item_strategy(f: Field):
    if f.item:
        return st.fixed_dictionaries({slot: TEXT for slot in f.item_slots})
    return TEXT


def value_strategy(f: Field):
    if f.kind == "rating":
        return st.integers(f.min, f.max)
    if f.kind == "list":
        return st.lists(item_strategy(f), min_size=max(1, f.min), max_size=max(1, f.min, f.max))
    return TEXT


def answer_data(draw, step: Step) -> dict:
    values = {}
    for f in step.fields:
        if f.optional and draw(st.booleans()):
            continue
        values[f.name] = draw(value_strategy(f))
    data: dict = {"values": values}
    if step.private:
        data["shared"] = draw(st.booleans())
    return data


def invalid_events(state) -> list[Event]:
    """Events that can never fit `state` (each must raise)."""
    out = [Event("shouted", "a"), Event("ready", "c"), Event("paused", "b", data={"resume_at": "later"})]
    if state.finished:
        return out + [Event(kind, p) for kind in engine.EVENT_KINDS for p in PARTNERS]
    if state.phase != "paused":
        out.append(Event("resumed", "a"))
    if state.phase != "ready":
        out.append(Event("ready", "b"))
    else:
        out += [Event("ready", p) for p in PARTNERS if p in state.ready]
        out.append(Event("continued", "a", step=state.exercise.steps[0].id, round=1))
    if state.phase == "paused":
        out += [Event("paused", "a")] + [Event(k, "a", step=state.step_id, round=state.round) for k in engine.STEP_EVENTS]
    if state.phase != "step":
        return out
    step = state.step
    here = dict(step=step.id, round=state.round)
    out += [
        Event("skipped", "a", step=step.id + "-nope", round=state.round),
        Event("skipped", "b", step=step.id, round=state.round + 1),
        Event("skipped", "a", step=step.id),
        Event("skipped", "a", round=state.round),
    ]
    kinds = {"say": "continued", "prompt": "answered", "choose": "chose", "confirm": "confirmed"}
    out += [Event(k, state.floor[0], **here) for s, k in kinds.items() if s != step.kind]
    # Partners off the floor may not take the step's own action.
    off = [p for p in PARTNERS if p not in state.floor]
    for action in engine.valid_actions(state):
        out += [Event(action.kind, p, **here, data=action.data) for p in off]
    p = state.floor[0]
    if step.kind == "prompt":
        ok = {f.name: engine.example_value(f) for f in step.fields}
        out.append(Event("answered", p, **here, data={"values": {**ok, "zz-unknown": "x"}}))
        out.append(Event("answered", p, **here, data={"values": ok, "shared": "yes"}))
        for f in step.fields:
            if not f.optional:
                out.append(Event("answered", p, **here, data={"values": {**ok, f.name: " "}}))
            if f.kind == "rating":
                out.append(Event("answered", p, **here, data={"values": {**ok, f.name: f.max + 1}}))
            if f.kind == "list":
                long = [engine.example_value(f)[0]] * (f.max + 1)
                out.append(Event("answered", p, **here, data={"values": {**ok, f.name: long}}))
    if step.kind == "choose":
        out.append(Event("chose", p, **here, data={"option": len(step.options)}))
    if step.kind == "confirm":
        out.append(Event("confirmed", p, **here, data={"yes": "no"}))
    return out


# -- invariants ------------------------------------------------------------------


def check_invariants(state) -> None:
    ex = state.exercise
    assert state.phase in ("ready", "step", "paused", "finished")
    assert 1 <= state.round <= ex.rounds
    progress = state.progress
    assert 0 <= progress.step <= progress.steps == len(ex.steps)
    assert (progress.round, progress.rounds) == (state.round, ex.rounds)
    assert set(state.floor) <= set(PARTNERS)
    actions = engine.valid_actions(state)
    flow = {e.partner for e in actions if e.kind in FLOW_KINDS}
    if state.phase in ("ready", "step"):
        # The floor names exactly who may take the step's own action.
        assert state.floor and flow == set(state.floor)
    else:
        assert state.floor == () and flow == set()
    if state.phase == "step":
        assert state.step is not None
        assert state.inputs == (state.step.fields if state.step.kind == "prompt" else ())
        assert state.timer == state.step.timer
        assert state.prompt == state.fill(state.step.text)
        state.template_parts  # noqa: B018 (must not raise)
    for step_id, count in state.loops.items():
        assert 0 < count <= ex.step(step_id).max_loops  # nobody is held in a loop
    if state.step is not None and state.step.kind == "confirm":
        assert 0 <= state.loops_left <= state.step.max_loops
    if state.finished:
        assert actions == [] and engine.valid_actions(state, meta=True) == []
    transcript = {id(a) for a in state.transcript()}
    visible = {p: {id(a) for a in state.visible_answers(p)} for p in PARTNERS}
    for a in state.answers:
        other = "b" if a.partner == "a" else "a"
        hidden = a.sealed or (a.private and not a.shared)
        assert id(a) in visible[a.partner]  # own answer always visible to its writer
        assert (id(a) in visible[other]) == (not hidden)
        assert (id(a) in transcript) == (not hidden)
        if a.sealed:
            # Only a "both" hidden step seals.
            assert ex.step(a.step).by == BOTH and ex.step(a.step).hidden


def snapshot(state) -> str:
    """Everything a state holds but its (immutable) exercise, as text."""
    return repr([getattr(state, f.name) for f in dataclasses.fields(state) if f.name != "exercise"])


def assert_rejected(state, event) -> None:
    before = snapshot(state)
    with pytest.raises(FlowError) as info:
        engine.apply(state, event)
    assert str(info.value) and "\n" not in str(info.value)
    assert snapshot(state) == before


# -- the walks ---------------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES)
@WALK
@given(data=st.data())
def test_random_walk_keeps_the_rules(exercise, data):
    state = engine.start(exercise, NAMES)
    accepted: list[Event] = []
    clock = 1000.0
    for _ in range(data.draw(st.integers(0, 80), label="length")):
        check_invariants(state)
        move = data.draw(st.sampled_from(["flow"] * 8 + ["meta", "invalid", "invalid"]), label="move")
        if state.finished or move == "invalid":
            assert_rejected(state, data.draw(st.sampled_from(invalid_events(state)), label="invalid"))
            continue
        if move == "flow" and state.phase != "paused":
            choices = engine.valid_actions(state)
        else:
            choices = [e for e in engine.valid_actions(state, meta=True) if e.kind not in FLOW_KINDS]
        event = data.draw(st.sampled_from(choices), label="event")
        if event.kind == "answered":
            event = Event("answered", event.partner, step=event.step, round=event.round,
                          data=answer_data(data.draw, state.step))
        clock += 7.0
        event = Event(event.kind, event.partner, step=event.step, round=event.round, data=event.data, at=clock)
        new = engine.apply(state, event)
        if event.kind == "answered":
            ans = new.answers[-1] if len(new.answers) > len(state.answers) else None
            assert ans is not None and ans.partner == event.partner
            given_values = {k: v for k, v in event.data["values"].items()}
            assert dict(ans.values) == given_values  # stored exactly as typed
            step = state.step
            if step.by == BOTH and new.answered:  # the first of two: sealed if hidden
                assert ans.sealed == step.hidden and new.step_id == step.id
            elif step.by == BOTH:  # the second: this visit's two answers open together
                first, second = new.answers[-2:]
                assert {first.partner, second.partner} == set(PARTNERS)
                assert not first.sealed and not second.sealed
                assert first.step == second.step == step.id and first.round == second.round == state.round
            else:
                assert not ans.sealed
        if new.phase == "step" and (new.step_id, new.round) != (state.step_id, state.round):
            assert new.step_started_at == clock
        assert new.events == state.events + 1
        accepted.append(event)
        state = new
    check_invariants(state)
    assert state.events == len(accepted)
    assert engine.replay(exercise, NAMES, accepted) == state
    wire = [Event.from_dict(json.loads(json.dumps(e.to_dict()))) for e in accepted]
    assert engine.replay(exercise, NAMES, wire) == state


@pytest.mark.parametrize("exercise", EXERCISES)
@TO_END
@given(data=st.data())
def test_every_walk_that_moves_on_reaches_the_end(exercise, data):
    """From any point reached by valid steps, moving on step by step ends the flow."""
    state = engine.start(exercise, NAMES)
    for _ in range(data.draw(st.integers(0, 40), label="prefix")):
        choices = engine.valid_actions(state)
        if not choices:
            break
        state = engine.apply(state, data.draw(st.sampled_from(choices)))
    for _ in range(5000):  # skips follow `next`; the checker rejects loops with no exit
        if state.finished:
            break
        if state.phase == "ready":
            event = engine.valid_actions(state)[0]
        else:
            event = Event("skipped", "a", step=state.step_id, round=state.round)
        state = engine.apply(state, event)
        check_invariants(state)
    assert state.finished and not state.ended_early
    assert state.progress.round == exercise.rounds
