"""The one owner of the running conversation, tested without a screen."""

from __future__ import annotations

import dataclasses

from trustdialog import engine
from trustdialog.conversation import Conversation
from trustdialog.exercise.model import Exercise, Step
from trustdialog.store import MemoryStore

NAMES = {"a": "Ada", "b": "Ben"}


def _exercise(id: str = "chat", promises: bool = False) -> Exercise:
    steps = (Step(id="hello", kind="say", by="both", text="Hello, {speaker}."),
             Step(id="close", kind="say", by="speaker", text="Thank you."))
    return Exercise(id=id, title=id.title(), minutes=5, summary="", credit="", steps=steps,
                    promises=promises)


def _conversation(store=None, *exercises: Exercise) -> tuple[Conversation, MemoryStore]:
    store = store or MemoryStore()
    library = {e.id: e for e in (exercises or (_exercise(),))}
    return Conversation(lambda: store, lambda: library, clock=lambda: 1000.0, names=NAMES), store


def test_choosing_makes_no_session_and_the_first_yes_begins_one():
    talk, store = _conversation()
    talk.choose("chat")
    assert talk.session is None and store.sessions() == []
    assert talk.ready("a") is None
    assert talk.session is not None and len(store.sessions()) == 1
    assert talk.ready("b") is None
    assert talk.session.state.phase == "step"


def test_not_now_before_anyone_said_yes_leaves_nothing_behind():
    talk, store = _conversation()
    talk.choose("chat")
    assert talk.not_now("b") is None
    assert store.sessions() == [] and talk.session is None


def test_not_now_after_a_yes_is_recorded_and_closes_that_session():
    talk, store = _conversation()
    talk.choose("chat")
    talk.ready("a")
    sid = talk.session.id
    assert talk.not_now("b") is None
    assert talk.session is None
    kinds = [e.kind for e in store.events(sid)]
    assert kinds == [engine.READY, engine.NOT_NOW]
    # closed, so not offered as unfinished; asking again begins a new session
    assert talk.unfinished() == []
    talk.ready("a")
    assert talk.session.id != sid


def test_a_refused_action_comes_back_as_a_calm_sentence():
    talk, _ = _conversation()
    talk.choose("chat")
    talk.ready("a")
    talk.ready("b")
    refusal = talk.send(engine.CONFIRMED, "a", yes=True)
    assert refusal is not None and refusal.message[0].isupper() and refusal.message.endswith(".")


def test_resume_brings_back_the_names_the_session_was_started_with():
    talk, store = _conversation()
    talk.set_names({"a": "Kim", "b": "Lee"})
    talk.choose("chat")
    talk.ready("a")
    sid = talk.session.id
    talk.leave()
    talk.set_names(NAMES)
    assert talk.resume(sid) is None
    assert talk.names == {"a": "Kim", "b": "Lee"} and talk.session.id == sid


def test_resume_of_an_unknown_exercise_is_a_refusal_not_a_crash():
    store = MemoryStore()
    sid = store.create_session("gone", "Gone", NAMES)
    talk, _ = _conversation(store)
    refusal = talk.resume(sid)
    assert refusal is not None and "not in the library" in refusal.message


def test_the_check_in_follows_the_exercise_data_not_its_id():
    # Any exercise that says `promises = true` opens with the check-in; one that
    # does not, never does, whatever its id.
    plain = dataclasses.replace(_exercise("small-promises"), promises=False)
    talk, _ = _conversation(None, plain)
    talk.choose("small-promises")
    talk.ready("a")
    talk.ready("b")
    assert talk.check_in_due() is False


def test_the_pause_is_recorded_for_the_partner_who_asked():
    talk, store = _conversation()
    talk.choose("chat")
    talk.ready("a")
    talk.ready("b")
    assert talk.acting_partner("b") == "b"
    assert talk.may_pause("b") is None
    assert talk.pause("b", 1000.0 + 25 * 60) is None
    assert talk.paused_by() == "b"
    assert talk.resume_from_pause("a") is None
    kinds = [(e.kind, e.partner) for e in store.events(talk.session.id)][-2:]
    assert kinds == [(engine.PAUSED, "b"), (engine.RESUMED, "a")]


def test_a_time_out_is_offered_when_the_engine_allows_one():
    talk, _ = _conversation()
    assert talk.may_pause("a") is not None  # nothing is running
    talk.choose("chat")
    talk.ready("a")
    assert talk.may_pause("b") is None  # the ready check may be paused too
    talk.ready("b")
    assert talk.may_pause(None) is not None and talk.may_pause("c") is not None
    assert talk.pause("a", 2000.0) is None
    assert talk.may_pause("a") is not None and talk.may_pause("b") is not None  # never twice
    assert talk.resume_from_pause("b") is None
    assert talk.may_pause("b") is None
    assert talk.send(engine.EventKind.ENDED, "a") is None
    assert talk.may_pause("a") is not None


def test_without_a_focused_pane_the_acting_partner_is_whose_turn_it_is():
    talk, _ = _conversation()
    talk.choose("chat")
    assert talk.acting_partner(None) is None  # no session yet
    talk.ready("a")
    assert talk.acting_partner(None) == "b" and talk.acting_partner("a") == "a"
    talk.ready("b")
    assert talk.acting_partner(None) == "a"  # a step for both: the first of them
    talk.pause("b", 2000.0)
    assert talk.acting_partner(None) is None  # a pause is nobody's turn
