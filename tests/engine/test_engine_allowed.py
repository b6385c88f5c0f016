"""What the engine allows is what it accepts: `allowed` and `apply` agree on every state a random walk reaches."""

from __future__ import annotations

import pytest
from builders import BUILT, NAMES, begin, exercise, prompt, say, step_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustdialog import engine
from trustdialog.engine import PARTNERS, STEP_EVENTS, TURN_EVENTS, Event, EventKind, FlowError
from trustdialog.exercise import load_library
from trustdialog.exercise.model import Field

LIBRARY = tuple(load_library().exercises.values())
EXERCISES = [pytest.param(ex, id=f"built:{ex.id}") for ex in BUILT] + [pytest.param(ex, id=ex.id) for ex in LIBRARY]
WALK = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
K = EventKind


def payloads(state: engine.SessionState, kind: EventKind, partner: str) -> list[Event]:
    """Events of `kind` from `partner` whose payloads fit the state, whatever the guards say of the kind.

    Step-scoped ones name the current step and round (before the first step,
    the first step); answers hold values the step's fields take.
    """
    step = state.step or state.exercise.steps[0]
    at = 1000.0 + state.events
    datas: list[dict] = [{}]
    if kind == K.ANSWERED:
        fields = step.fields if step.kind == "prompt" else ()
        full = {f.name: engine.example_value(f) for f in fields}
        needed = {f.name: engine.example_value(f) for f in fields if not f.optional}
        datas = [{"values": full}, {"values": needed}]
        if step.private:
            datas += [{"values": full, "shared": True}, {"values": full, "shared": False}]
    elif kind == K.CHOSE:
        datas = [{"option": i} for i in range(max(1, len(step.options)))]
    elif kind == K.CONFIRMED:
        datas = [{"yes": True}, {"yes": False}]
    elif kind == K.PAUSED:
        datas = [{"resume_at": None}, {"resume_at": at + 600, "note": "a walk"}]
    if kind in STEP_EVENTS:
        return [Event(kind, partner, step=step.id, round=state.round, data=d, at=at) for d in datas]
    return [Event(kind, partner, data=d, at=at) for d in datas]


def check_agreement(state: engine.SessionState) -> list[Event]:
    """Every allowed kind is accepted with each fitting payload, every other refused; the accepted events."""
    accepted: list[Event] = []
    for partner in PARTNERS:
        ok = engine.allowed(state, partner)
        for kind in EventKind:
            if kind in engine.ROOM_EVENTS:
                continue  # no partner's move: their own guard (tests/engine/test_engine_room.py)
            for event in payloads(state, kind, partner):
                if kind in ok:
                    engine.apply(state, event)  # must not raise
                    accepted.append(event)
                else:
                    with pytest.raises(FlowError):
                        engine.apply(state, event)
    assert engine.allowed(state, "c") == frozenset()
    # Whose turn it is, asked of the guards, is the floor the state names.
    assert engine.on_turn(state) == state.floor
    # What the walkers and the benchmark offer is allowed too.
    for event in engine.valid_actions(state, meta=True):
        assert event.kind in engine.allowed(state, event.partner)
    return accepted


@pytest.mark.parametrize("exercise", EXERCISES)
@WALK
@given(data=st.data())
def test_allowed_is_exactly_what_apply_accepts(exercise, data):
    state = engine.start(exercise, NAMES)
    for _ in range(data.draw(st.integers(0, 60), label="length")):
        accepted = check_agreement(state)
        if not accepted:
            assert state.finished
            break
        # Mostly turns, so walks get deep into the flow; sometimes a pause, skip or end.
        turns = [e for e in accepted if e.kind in TURN_EVENTS]
        pool = turns if turns and data.draw(st.integers(0, 9), label="meta") else accepted
        state = engine.apply(state, data.draw(st.sampled_from(pool), label="event"))
    check_agreement(state)


# -- the same, spelled out -----------------------------------------------------------


def test_the_ready_check_allows_ready_to_who_has_not_said_it_and_not_now_to_both():
    ex = exercise(say("hello"))
    state = engine.apply(engine.start(ex, NAMES), Event("ready", "a"))
    assert engine.allowed(state, "a") == {K.NOT_NOW, K.PAUSED, K.ENDED}
    assert engine.allowed(state, "b") == {K.READY, K.NOT_NOW, K.PAUSED, K.ENDED}
    assert engine.on_turn(state) == ("b",)


def test_a_step_allows_its_own_action_to_the_floor_and_skip_pause_end_to_both():
    ex = exercise(prompt("p", by="listener", fields=(Field("n"),)))
    state = begin(ex)
    meta = {K.SKIPPED, K.PAUSED, K.ENDED}
    assert engine.allowed(state, "b") == meta | {K.ANSWERED}
    assert engine.allowed(state, "a") == meta
    assert engine.on_turn(state) == ("b",)


def test_a_pause_allows_only_resume_and_end_and_a_finished_session_nothing():
    state = begin(exercise(say("hello"), say("bye")))
    paused = engine.apply(state, Event("paused", "a", data={"resume_at": None}))
    for partner in PARTNERS:
        assert engine.allowed(paused, partner) == {K.RESUMED, K.ENDED}
    assert engine.on_turn(paused) == ()
    ended = engine.apply(paused, Event("ended", "b"))
    assert engine.allowed(ended, "a") == engine.allowed(ended, "b") == frozenset()


def test_event_kinds_are_the_stored_strings():
    assert [str(k) for k in EventKind] == ["ready", "not_now", "answered", "continued", "chose", "confirmed",
                                           "skipped", "paused", "resumed", "ended", "nudged", "called",
                                           "call_answered"]
    assert engine.EVENT_KINDS == tuple(EventKind)
    assert Event(K.ANSWERED, "a", step="p", round=1).to_dict()["kind"].__class__ is str
    assert Event.from_dict({"kind": "answered", "partner": "a"}) == Event(K.ANSWERED, "a")


def test_a_refusal_quotes_the_kind_as_it_is_stored():
    state = begin(exercise(say("hello")))
    with pytest.raises(FlowError, match=r"^step 'hello' is a say step; 'confirmed' does not fit it$"):
        engine.apply(state, step_event(state, K.CONFIRMED, "a", yes=True))
    with pytest.raises(FlowError, match=r"^a 'continued' event must name its step$"):
        engine.apply(state, Event(K.CONTINUED, "a"))
