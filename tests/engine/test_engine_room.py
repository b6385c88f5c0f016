"""Said in the room: a nudge and a call are kept in the log and change nothing of the flow."""

from __future__ import annotations

import pytest

from trustdialog import engine
from trustdialog.engine import Event, FlowError
from trustdialog.engine.room import MAX_NUDGE, NUDGE_TO, latest_nudge, open_calls

from builders import NAMES, begin, when_i_felt


def at_step(step_id: str = "hello") -> engine.SessionState:
    state = begin(when_i_felt())
    assert state.step_id == step_id
    return state


def nudge(text: str = "Take a breath. Try the sentence frame.", **more) -> Event:
    return Event("nudged", NUDGE_TO, data={"text": text, "from": "fran", **more}, at=5.0,
                 by="fran, facilitator")


def test_a_nudge_and_a_call_leave_the_flow_as_it_was():
    state = at_step()
    for event in (nudge(), Event("called", "a"), Event("call_answered", "a"), Event("called", "b")):
        after = engine.apply(state, event)
        assert after.events == state.events + 1
        # Everything but the count of events is as before: same step, floor, answers, timers.
        assert (after.phase, after.step_id, after.floor, after.answers, after.step_started_at) == (
            state.phase, state.step_id, state.floor, state.answers, state.step_started_at)
        for partner in engine.PARTNERS:
            assert engine.allowed(after, partner) == engine.allowed(state, partner)
        state = after


@pytest.mark.parametrize("phase", ["ready", "paused"])
def test_a_nudge_and_a_call_fit_the_ready_check_and_a_pause(phase):
    state = engine.start(when_i_felt(), NAMES)
    if phase == "paused":
        state = engine.apply(at_step(), Event("paused", "b", data={"resume_at": None}))
    assert engine.apply(engine.apply(state, nudge()), Event("called", "b")).phase == state.phase


def test_a_log_with_room_events_replays_to_the_same_state_as_without():
    plain = [Event("ready", "a"), Event("ready", "b")]
    room = [Event("ready", "a"), nudge(), Event("called", "a"), Event("ready", "b"),
            Event("call_answered", "a")]
    a = engine.replay(when_i_felt(), NAMES, plain)
    b = engine.replay(when_i_felt(), NAMES, room)
    assert (a.phase, a.step_id, a.floor, a.ready) == (b.phase, b.step_id, b.floor, b.ready)
    assert b.events == 5


@pytest.mark.parametrize("event, why", [
    (Event("nudged", "a", data={"text": "hi"}), "for both partners"),
    (Event("nudged", NUDGE_TO, data={"text": "   "}), "needs a few words"),
    (Event("nudged", NUDGE_TO, data={}), "needs a few words"),
    (Event("nudged", NUDGE_TO, data={"text": 3}), "needs a few words"),
    (Event("nudged", NUDGE_TO, data={"text": "x" * (MAX_NUDGE + 1)}), f"at most {MAX_NUDGE}"),
    (Event("nudged", NUDGE_TO, data={"text": "hi", "from": 7}), "sender is a name"),
    (Event("called", "c"), "unknown partner"),
    (Event("called", NUDGE_TO), "unknown partner"),
    (Event("call_answered", "x"), "unknown partner"),
])
def test_a_room_event_that_does_not_fit_is_refused(event, why):
    with pytest.raises(FlowError, match=why):
        engine.apply(at_step(), event)


def test_nothing_is_said_in_the_room_after_the_end():
    ended = engine.apply(at_step(), Event("ended", "a"))
    for event in (nudge(), Event("called", "a"), Event("call_answered", "a")):
        with pytest.raises(FlowError, match="has ended"):
            engine.apply(ended, event)


def test_a_nudge_round_trips_as_plain_json_with_who_sent_it():
    event = nudge("[b]not markup[/b]")
    assert Event.from_dict(event.to_dict()) == event
    assert event.to_dict()["partner"] == "both" and event.to_dict()["by"] == "fran, facilitator"


def test_open_calls_stand_until_answered_one_partner_at_a_time():
    log = [Event("called", "a"), Event("called", "b"), Event("called", "a")]
    assert open_calls(log) == ("a", "b")
    assert open_calls(log + [Event("call_answered", "a")]) == ("b",)
    assert open_calls(log + [Event("call_answered", "a"), Event("call_answered", "b")]) == ()
    assert open_calls(log + [Event("call_answered", "a"), Event("called", "a")]) == ("b", "a")
    assert open_calls([]) == ()


def test_latest_nudge_is_the_last_one_from_an_index_on():
    log = [Event("ready", "a"), nudge("one"), Event("ready", "b"), nudge("two"), Event("called", "a")]
    assert latest_nudge(log) == (3, log[3])
    assert latest_nudge(log, after=4) is None
    assert latest_nudge(log[:3], after=1) == (1, log[1])
    assert latest_nudge(log[:3], after=2) is None
