"""Hidden "both" steps: one partner at a time at a shared screen, and the reveal once both answered."""

from __future__ import annotations

import pytest
from builders import BUILT, NAMES, begin, exercise, prompt, say, step_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_properties import SHIPPED, answer_data

from trustdialog import engine
from trustdialog.engine import PARTNERS, Event
from trustdialog.engine.reveal import (DIFFER, PRIVATE, RevealRow, answers_later, hidden_both, one_at_a_time,
                                       revealed)
from trustdialog.exercise.model import Field

SCALE = dict(kind="rating", min=1, max=5, low="rarely", high="almost always")


def rated() -> object:
    return exercise(
        say("begin", by="both"),
        prompt("rate", by="both", hidden=True, label="Rate the signs",
               fields=(Field("word", label="You keep your word", **SCALE),
                       Field("care", label="I believe you care", **SCALE),
                       Field("truth", label="You tell me the truth", **SCALE))),
        say("seen", by="both"),
        say("after", by="both"),
        roles=("first", "second"), swap_roles=False,
    )


def at_rate(ex=None):
    state = begin(ex or rated())
    return engine.apply(state, step_event(state, "continued", "a"))


def answer(state, partner, **values):
    return engine.apply(state, step_event(state, "answered", partner, values=values))


def test_at_a_shared_screen_a_answers_first_then_b():
    state = at_rate()
    assert state.floor == PARTNERS  # the engine takes either: over SSH the order is free
    assert one_at_a_time(state) == "a"
    assert answers_later(state, "b") and not answers_later(state, "a")
    state = answer(state, "a", word=5, care=4, truth=2)
    assert one_at_a_time(state) == "b"
    assert not answers_later(state, "a") and not answers_later(state, "b")
    assert revealed(state) is None  # never before both have answered
    state = answer(state, "b", word=2, care=4, truth=3)
    assert state.step_id == "seen" and one_at_a_time(state) is None


def test_b_may_still_answer_first_and_then_a_is_the_one_left():
    state = answer(at_rate(), "b", word=1, care=1, truth=1)
    assert one_at_a_time(state) == "a" and not answers_later(state, "a")


def test_the_step_after_shows_both_ratings_side_by_side_with_differences_in_words():
    state = answer(answer(at_rate(), "a", word=5, care=4, truth=2), "b", word=2, care=4, truth=3)
    reveal = revealed(state)
    assert reveal is not None
    assert reveal.label == "Rate the signs" and reveal.names == ("Ada", "Ben")
    assert [(r.label, r.texts, r.note) for r in reveal.rows] == [
        ("You keep your word", ("5", "2"), "differ by 3"),
        ("I believe you care", ("4", "4"), ""),
        ("You tell me the truth", ("2", "3"), ""),
    ]
    assert reveal.differences == 1
    assert reveal.scale == "1 = rarely … 5 = almost always"
    # One step further, the reveal has done its work.
    state = engine.apply(state, step_event(state, "continued", "a"))
    assert state.step_id == "after" and revealed(state) is None


@pytest.mark.parametrize(("a", "b", "note"), [(1, 2, ""), (1, 1, ""), (4, 2, f"differ by {DIFFER}"),
                                               (5, 1, "differ by 4"), (None, 3, "")])
def test_the_difference_is_named_from_two_points_apart(a, b, note):
    row = RevealRow("item", (str(a), str(b)), (a, b))
    assert row.note == note
    assert row.rating


def test_a_pause_folds_the_reveal_and_a_resume_brings_it_back():
    state = answer(answer(at_rate(), "a", word=5, care=4, truth=2), "b", word=2, care=4, truth=3)
    paused = engine.apply(state, Event("paused", "a", at=10.0))
    assert revealed(paused) is None
    assert revealed(engine.apply(paused, Event("resumed", "b", at=20.0))) == revealed(state)


def test_no_reveal_when_the_hidden_step_ends_the_round():
    ex = exercise(prompt("rate", by="both", hidden=True, fields=(Field("x", **SCALE),)), rounds=2)
    state = answer(answer(begin(ex), "a", x=1), "b", x=5)
    assert state.round == 2 and revealed(state) is None


def test_a_step_of_one_field_is_named_by_the_step_and_a_template_is_one_row():
    ex = exercise(
        prompt("felt", by="both", hidden=True, template="I felt {feeling}.",
               fields=(Field("feeling", kind="pick", vocab="feelings"),)),
        say("seen", by="both"),
        prompt("one", by="both", hidden=True, text="One word?"),
        say("seen-too", by="both"),
    )
    state = answer(answer(begin(ex), "b", feeling="scared"), "a", feeling="tired")
    reveal = revealed(state)
    assert reveal is not None and reveal.scale == ""
    assert [(r.label, r.texts, r.rating) for r in reveal.rows] == [
        ("Both of you: answer", ("I felt tired.", "I felt scared."), False)]
    state = engine.apply(state, step_event(state, "continued", "a"))
    state = answer(answer(state, "a", one="calm"), "b", one="ready")
    assert [(r.label, r.texts) for r in revealed(state).rows] == [("Both of you: answer", ("calm", "ready"))]


def test_a_private_answer_is_never_revealed_unless_shared():
    ex = exercise(prompt("note", by="both", hidden=True, private=True, fields=(Field("n", label="A note"),)),
                  say("seen", by="both"))
    state = begin(ex)
    state = engine.apply(state, step_event(state, "answered", "a", values={"n": "mine"}, shared=True))
    state = engine.apply(state, step_event(state, "answered", "b", values={"n": "secret"}, shared=False))
    assert revealed(state).rows[0].texts == ("mine", PRIVATE)


def test_a_list_and_a_skipped_optional_field_read_as_text():
    ex = exercise(prompt("two", by="both", hidden=True,
                         fields=(Field("things", kind="list", min=1, max=2, label="things"),
                                 Field("more", optional=True, label="More"))),
                  say("seen", by="both"))
    state = answer(answer(begin(ex), "a", things=["tea", "walks"], more="yes"), "b", things=["rest"])
    rows = revealed(state).rows
    assert [(r.label, r.texts) for r in rows] == [("things", ("tea; walks", "rest")), ("More", ("yes", "…"))]


# -- random walks: the rules hold from anywhere ------------------------------------

WALK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HIDING = [pytest.param(ex, id=ex.id) for ex in (*BUILT, *SHIPPED, rated())
          if any(hidden_both(s) for s in ex.steps)]


@pytest.mark.parametrize("ex", HIDING)
@WALK
@given(data=st.data())
def test_a_reveal_never_shows_what_is_still_hidden(ex, data):
    state = engine.start(ex, NAMES)
    for _ in range(data.draw(st.integers(0, 60), label="length")):
        now = one_at_a_time(state)
        if now is not None:
            assert now in state.floor and now not in state.answered
            assert [p for p in PARTNERS if answers_later(state, p)] == [p for p in state.floor if p != now]
        else:
            assert not any(answers_later(state, p) for p in PARTNERS)
        reveal = revealed(state)
        if reveal is not None:
            last, before = state.answers[-2:]
            assert not last.sealed and not before.sealed and {last.partner, before.partner} == set(PARTNERS)
            assert reveal.step == last.step != state.step_id
            for row in reveal.rows:
                for partner, text in zip(PARTNERS, row.texts):
                    mine = next(a for a in (last, before) if a.partner == partner)
                    assert text == PRIVATE or mine.public
        if state.step is not None and hidden_both(state.step) and state.answered:
            assert revealed(state) is None  # one has answered: nothing of theirs opens yet
        choices = engine.valid_actions(state)
        if not choices:
            break
        event = data.draw(st.sampled_from(choices), label="event")
        if event.kind == "answered":
            event = Event("answered", event.partner, step=event.step, round=event.round,
                          data=answer_data(data.draw, state.step))
        state = engine.apply(state, event)
