"""Joined slots: `{voice+more}` quotes everything said in this round, the first statement and each addition."""

from __future__ import annotations

from builders import begin, confirm, exercise, prompt, say
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustdialog import engine
from trustdialog.engine import MISSING, Event
from trustdialog.engine.prompts import join_said
from trustdialog.exercise.model import Field, Option, Step


def go(state, kind, partner, **data):
    return engine.apply(state, Event(kind, partner, step=state.step_id, round=state.round, data=data))


def answer(state, partner, **values):
    return go(state, "answered", partner, values=values)


def mirror_loop(rounds: int = 2):
    """voice -> mirror -> check (not quite: more -> mirror again), as "When it happened, I felt" runs."""
    return exercise(
        prompt("voice", template="When {event}, I felt {feeling}.",
               fields=(Field("event"), Field("feeling"))),
        prompt("mirror", by="listener", text='{speaker} said: "{voice+more}"'),
        confirm("check", on_no="more", max_loops=3, next="summary"),
        prompt("more", next="mirror"),
        prompt("summary", by="listener", text="All of it: {voice+more@speaker} The latest: {more}"),
        rounds=rounds,
    )


def test_the_first_mirror_quotes_the_statement_and_the_second_adds_what_was_added():
    state = answer(begin(mirror_loop()), "a", event="you came home late", feeling="scared")
    assert state.prompt == 'Ada said: "When you came home late, I felt scared."'
    state = go(answer(state, "b", mirror="You felt scared."), "confirmed", "a", yes=False)
    state = answer(state, "a", more="And it was my birthday")
    assert state.step_id == "mirror"
    assert state.prompt == 'Ada said: "When you came home late, I felt scared. And it was my birthday"'
    state = go(answer(state, "b", mirror="..."), "confirmed", "a", yes=False)
    state = answer(state, "a", more="  I waited up.\n")
    assert state.prompt == 'Ada said: "When you came home late, I felt scared. And it was my birthday. I waited up."'


def test_round_two_quotes_only_its_own_words_and_the_other_speaker():
    state = answer(begin(mirror_loop()), "a", event="late", feeling="scared")
    state = go(answer(state, "b", mirror="m"), "confirmed", "a", yes=False)
    state = answer(state, "a", more="round one addition")
    state = go(answer(state, "b", mirror="m"), "confirmed", "a", yes=True)
    state = answer(state, "b", summary="s")
    assert state.round == 2 and state.step_id == "voice"
    state = answer(state, "b", event="the dishes piled up", feeling="tired")  # Ben speaks now
    assert state.prompt == 'Ben said: "When the dishes piled up, I felt tired."'
    state = go(answer(state, "a", mirror="m"), "confirmed", "b", yes=True)
    # `@speaker` is whoever speaks now; a single slot still quotes the latest answer.
    assert state.prompt == "All of it: When the dishes piled up, I felt tired. The latest: round one addition"


def test_a_joined_slot_quotes_fields_and_choices_too_and_leaves_out_what_is_not_shared():
    ex = exercise(
        prompt("voice", template="When {event}, I felt {feeling}.", fields=(Field("event"), Field("feeling"))),
        Step(id="how", kind="choose", by="speaker", text="How?", options=(Option("Gently"), Option("Plainly"))),
        prompt("secret", private=True),
        say("quote", by="listener", text="[{feeling+how}] [{secret+how}] [{secret}]"),
    )
    state = answer(begin(ex), "a", event="late", feeling="scared")
    state = go(state, "chose", "a", option=1)
    state = answer(state, "a", secret="only mine")
    assert state.prompt == f"[scared. Plainly] [Plainly] [{MISSING}]"


def test_nothing_said_yet_reads_as_missing():
    ex = exercise(say("early", text="{voice+more}"), prompt("voice"), prompt("more"))
    assert begin(ex).prompt == MISSING


def test_join_said_ends_each_piece_as_a_sentence_but_keeps_what_was_typed():
    assert join_said(["I felt scared.", "and alone", "Really?", "ok"]) == "I felt scared. and alone. Really? ok"
    assert join_said(["“quoted”", "next"]) == "“quoted” next"
    assert join_said(["", "  ", "one"]) == "one"
    assert join_said([]) == MISSING


WORDS = st.text(alphabet="abcdé .,?!\n", min_size=1, max_size=20).filter(lambda t: t.strip())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statement=WORDS, additions=st.lists(WORDS, max_size=3))
def test_every_mirror_quotes_the_statement_and_every_addition_so_far_in_order(statement, additions):
    state = answer(begin(mirror_loop(rounds=1)), "a", event=statement, feeling="x")
    said = [state.answers[-1].text]
    for added in additions:
        assert state.prompt == f'Ada said: "{join_said(said)}"'
        state = go(answer(state, "b", mirror="m"), "confirmed", "a", yes=False)
        state = answer(state, "a", more=added)
        said.append(added)
    quoted = state.prompt
    assert quoted == f'Ada said: "{join_said(said)}"'
    at = 0
    for piece in said:  # each piece, as typed (ends trimmed), in the order it was said
        at = quoted.index(piece.strip(), at) + len(piece.strip())
