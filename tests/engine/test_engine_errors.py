"""Events that do not fit raise FlowError with a clear message and change nothing."""

from __future__ import annotations

import json

import pytest
from builders import NAMES, begin, when_i_felt

from trustdialog import engine
from trustdialog.engine import Event, FlowError


def at_step(step_id, **kw):
    state = begin(when_i_felt(**kw))
    while state.step_id != step_id:
        state = engine.apply(state, Event("skipped", "a", step=state.step_id, round=state.round))
    return state


def ev(state, kind, partner="a", **data):
    return Event(kind, partner, step=state.step_id, round=state.round, data=data)


def assert_rejected(state, event, match):
    before = repr(state)
    with pytest.raises(FlowError, match=match):
        engine.apply(state, event)
    assert repr(state) == before  # nothing changed, not even inside


CASES = [
    # (step, event builder, message)
    ("voice", lambda s: Event("shouted", "a", step=s.step_id, round=1), "unknown event kind 'shouted'"),
    ("voice", lambda s: ev(s, "answered", "c", values={}), "unknown partner 'c'"),
    ("voice", lambda s: ev(s, "answered", "b", values={"event": "x", "feeling": "y"}),
     r"not Ben's turn \(the floor is with Ada\)"),
    ("voice", lambda s: Event("answered", "a", step="mirror", round=1, data={"values": {"mirror": "x"}}),
     "this is step 'voice', not 'mirror'"),
    ("voice", lambda s: Event("answered", "a", step="voice", round=2, data={"values": {"event": "x", "feeling": "y"}}),
     "this is round 1, not 2"),
    ("voice", lambda s: Event("answered", "a", step="voice", round=True, data={"values": {"event": "x", "feeling": "y"}}),
     "this is round 1"),
    ("voice", lambda s: Event("answered", "a", step="voice", data={"values": {"event": "x", "feeling": "y"}}),
     "must name its round"),
    ("voice", lambda s: Event("skipped", "a"), "must name its step"),
    ("voice", lambda s: ev(s, "answered"), "an answer needs its values"),
    ("voice", lambda s: ev(s, "answered", values=["x"]), "an answer needs its values"),
    ("voice", lambda s: ev(s, "answered", values={"event": "x"}), "'a feeling' is still empty"),
    ("voice", lambda s: ev(s, "answered", values={"event": "  ", "feeling": "y"}), "'what happened' is still empty"),
    ("voice", lambda s: ev(s, "answered", values={"event": "x", "feeling": "y", "mood": "z"}),
     "step 'voice' has no field 'mood'"),
    ("voice", lambda s: ev(s, "answered", values={"event": 3, "feeling": "y"}), "'what happened' takes text"),
    ("voice", lambda s: ev(s, "answered", values={"event": "x", "feeling": "y"}, shared="yes"),
     "'shared' must be true or false"),
    ("voice", lambda s: ev(s, "continued"), "step 'voice' is a prompt step; 'continued' does not fit it"),
    ("voice", lambda s: ev(s, "chose", option=0), "is a prompt step"),
    ("voice", lambda s: ev(s, "ready"), "already begun"),
    ("voice", lambda s: ev(s, "resumed"), "not paused"),
    ("voice", lambda s: ev(s, "paused", resume_at="soon"), "'resume_at' must be a time in seconds"),
    ("voice", lambda s: ev(s, "paused", resume_at=True), "'resume_at' must be a time in seconds"),
    ("voice", lambda s: ev(s, "paused", note=5), "a pause note is text"),
    ("voice", lambda s: Event("paused", "a", data=["x"]), "must be a table of values"),
    ("voice", lambda s: Event("paused", "a", at="noon"), "time must be in seconds"),
    ("rate", lambda s: ev(s, "answered", values={"follow_through": 6}),
     "'follow_through' takes a whole number from 1 to 5"),
    ("rate", lambda s: ev(s, "answered", values={"follow_through": 0}), "from 1 to 5"),
    ("rate", lambda s: ev(s, "answered", values={"follow_through": 2.0}), "whole number"),
    ("rate", lambda s: ev(s, "answered", values={"follow_through": True}), "whole number"),
    ("rate", lambda s: ev(s, "answered", values={"follow_through": "3"}), "whole number"),
    ("promises", lambda s: ev(s, "answered", values={"promises": []}), "'promise' is still empty"),
    ("promises", lambda s: ev(s, "answered", values={"promises": "call"}), "'promise' takes a list"),
    ("promises", lambda s: ev(s, "answered", values={"promises": [{"what": "x", "when": "y"}] * 4}),
     "'promise' takes 1 to 3 items"),
    ("promises", lambda s: ev(s, "answered", values={"promises": [{"what": "x"}]}),
     "each item of 'promise' fills: what, when"),
    ("promises", lambda s: ev(s, "answered", values={"promises": [{"what": "x", "when": 3}]}),
     "each item|'when' of an item"),
    ("promises", lambda s: ev(s, "answered", values={"promises": [{"what": "x", "when": " "}]}),
     "'when' of an item is still empty"),
    ("topic", lambda s: ev(s, "chose", option=2), "choose one of the 2 options"),
    ("topic", lambda s: ev(s, "chose", option=-1), "choose one of the 2 options"),
    ("topic", lambda s: ev(s, "chose", option=True), "choose one of the 2 options"),
    ("topic", lambda s: ev(s, "chose"), "choose one of the 2 options"),
    ("topic", lambda s: ev(s, "chose", "b", option=0), "not Ben's turn"),
    ("check", lambda s: ev(s, "confirmed", yes="yes"), "a confirmation is yes or not quite"),
    ("check", lambda s: ev(s, "confirmed"), "a confirmation is yes or not quite"),
    ("check", lambda s: ev(s, "confirmed", "b", yes=True), "not Ben's turn"),
    ("mirror", lambda s: ev(s, "answered", "a", values={"mirror": "x"}), r"not Ada's turn \(the floor is with Ben\)"),
]


@pytest.mark.parametrize("step, make, match", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_an_event_that_does_not_fit_raises_and_changes_nothing(step, make, match):
    state = at_step(step)
    assert_rejected(state, make(state), match)


def test_list_with_too_few_items_is_refused():
    from builders import exercise, prompt

    from trustdialog.exercise.model import Field

    state = begin(exercise(prompt("p", fields=(Field("l", kind="list", min=2, max=3),))))
    assert_rejected(state, ev(state, "answered", values={"l": ["one", " "]}), "'l' takes 2 to 3 items")
    assert_rejected(state, ev(state, "answered", values={"l": ["one", 2]}), "items of 'l' are text")


def test_step_events_before_the_ready_check_is_done():
    state = engine.apply(engine.start(when_i_felt(), NAMES), Event("ready", "a"))
    assert_rejected(state, Event("continued", "a", step="hello", round=1), "has not begun")
    assert_rejected(state, Event("ready", "a"), "Ada is already ready")


def test_every_kind_is_refused_while_paused_except_resume_and_end():
    state = at_step("voice")
    paused = engine.apply(state, Event("paused", "a"))
    for kind in ("answered", "continued", "chose", "confirmed", "skipped"):
        assert_rejected(paused, Event(kind, "a", step="voice", round=1, data={"values": {}}), "paused; resume it first")
    assert_rejected(paused, Event("paused", "b"), "already paused")
    assert_rejected(paused, Event("ready", "b"), "paused; resume it first")


def test_everything_is_refused_after_the_end():
    state = engine.apply(at_step("voice"), Event("ended", "a"))
    for kind in engine.EVENT_KINDS:
        assert_rejected(state, Event(kind, "a", step="voice", round=1), "the exercise has ended")


def test_replay_stops_at_the_first_event_that_does_not_fit():
    with pytest.raises(FlowError, match="has not begun"):
        engine.replay(when_i_felt(), NAMES, [Event("continued", "a", step="hello", round=1)])


# -- events as data -----------------------------------------------------------------


EVENTS = [
    Event("ready", "a"),
    Event("ready", "b", at=1712345678.25),
    Event("answered", "a", step="voice", round=1, at=3.0,
          data={"values": {"event": "the \"dinner\" \u2019 \U0001f600", "feeling": "sad"}, "shared": False}),
    Event("answered", "b", step="promises", round=2,
          data={"values": {"promises": [{"what": "call", "when": "6"}]}}),
    Event("answered", "b", step="rate", round=1, data={"values": {"follow_through": 4}}),
    Event("chose", "a", step="topic", round=1, data={"option": 1}),
    Event("confirmed", "b", step="check", round=2, data={"yes": False}),
    Event("continued", "a", step="hello", round=1),
    Event("skipped", "b", step="voice", round=1),
    Event("paused", "a", data={"resume_at": None, "note": "tea"}, at=9.5),
    Event("paused", "a", data={"resume_at": 1712349999, "note": ""}),
    Event("resumed", "b", at=10),
    Event("ended", "a"),
]


@pytest.mark.parametrize("event", EVENTS, ids=[e.kind for e in EVENTS])
def test_events_round_trip_through_json(event):
    d = event.to_dict()
    again = Event.from_dict(json.loads(json.dumps(d)))
    assert again == event
    assert again.to_dict() == d


def test_to_dict_leaves_out_what_is_not_set():
    assert Event("ready", "a").to_dict() == {"kind": "ready", "partner": "a"}


def test_to_dict_gives_plain_json_even_from_read_only_mappings():
    from types import MappingProxyType

    e = Event("answered", "a", step="s", round=1, data=MappingProxyType({"values": MappingProxyType({"l": ("x",)})}))
    assert json.loads(json.dumps(e.to_dict()))["data"] == {"values": {"l": ["x"]}}


@pytest.mark.parametrize("bad", [{}, {"kind": "ready"}, {"partner": "a"}, {"kind": 1, "partner": "a"}, [], None])
def test_from_dict_refuses_what_is_not_an_event(bad):
    with pytest.raises(FlowError, match="not an event"):
        Event.from_dict(bad)


def test_replay_through_json_gives_the_identical_state():
    ex = when_i_felt()
    state = begin(ex)
    log = [Event("ready", "a", at=1.0), Event("ready", "b", at=2.0)]
    for e in engine.valid_actions(state)[:1]:
        log.append(e)
    state = engine.replay(ex, NAMES, log)
    wire = [Event.from_dict(json.loads(json.dumps(e.to_dict()))) for e in log]
    assert engine.replay(ex, NAMES, wire) == state
