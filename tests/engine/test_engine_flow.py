"""The engine walks a flow: step kinds, roles, answers, templates, loops, pauses, progress."""

from __future__ import annotations

import pytest
from builders import NAMES, begin, branching, choose, confirm, exercise, prompt, say, step_event, when_i_felt

from trustdialog import engine
from trustdialog.engine import MISSING, Event, FlowError
from trustdialog.exercise.model import Field, Option


def answer(state, partner, at=None, shared=None, **values):
    data = {"values": values}
    if shared is not None:
        data["shared"] = shared
    return engine.apply(state, Event("answered", partner, step=state.step_id, round=state.round, data=data, at=at))


def go(state, kind, partner, at=None, **data):
    return engine.apply(state, Event(kind, partner, step=state.step_id, round=state.round, data=data, at=at))


def to_step(state, step_id):
    """Skip forward to `step_id` in the current round."""
    while state.step_id != step_id:
        state = go(state, "skipped", "a")
    return state


# -- the ready check -----------------------------------------------------------


def test_start_waits_for_both_partners_to_be_ready():
    state = engine.start(when_i_felt(), NAMES)
    assert (state.phase, state.step, state.floor, state.prompt) == ("ready", None, ("a", "b"), "")
    assert state.progress == engine.Progress(0, 9, 1, 2)
    state = engine.apply(state, Event("ready", "b", at=5.0))
    assert state.phase == "ready" and state.floor == ("a",)
    state = engine.apply(state, Event("ready", "a", at=7.0))
    assert state.phase == "step" and state.step_id == "hello" and state.step_started_at == 7.0
    assert state.progress == engine.Progress(1, 9, 1, 2)


def test_start_needs_both_names():
    with pytest.raises(FlowError, match="names"):
        engine.start(when_i_felt(), {"a": "Ada"})
    with pytest.raises(FlowError, match="text"):
        engine.start(when_i_felt(), {"a": "Ada", "b": 3})


# -- step kinds ----------------------------------------------------------------


def test_say_step_by_one_role_moves_on_when_that_partner_continues():
    state = begin(exercise(say("one"), say("two", by="listener")))
    assert state.floor == ("a",) and state.inputs == () and state.template_parts == ()
    state = go(state, "continued", "a")
    assert state.step_id == "two" and state.floor == ("b",)
    state = go(state, "continued", "b")
    assert state.finished and state.floor == () and state.step is None


def test_say_step_by_both_lets_either_partner_continue():
    state = begin(when_i_felt())
    assert state.floor == ("a", "b")
    assert go(state, "continued", "b").step_id == "voice"


def test_prompt_step_records_a_public_answer_and_moves_on():
    state = to_step(begin(when_i_felt()), "voice")
    assert [f.name for f in state.inputs] == ["event", "feeling"]
    assert state.timer == 180
    state = answer(state, "a", at=30.0, event="the dinner", feeling="lonely")
    (ans,) = state.answers
    assert (ans.step, ans.round, ans.partner, ans.role, ans.at) == ("voice", 1, "a", "speaker", 30.0)
    assert dict(ans.values) == {"event": "the dinner", "feeling": "lonely"}
    assert ans.text == "When the dinner happened, I felt lonely."
    assert ans.public and state.transcript() == (ans,)
    assert state.step_id == "mirror" and state.step_started_at == 30.0


def test_bare_prompt_is_one_text_answer_named_after_the_step():
    state = to_step(begin(when_i_felt()), "mirror")
    assert [f.name for f in state.inputs] == ["mirror"]
    state = answer(state, "b", mirror="You felt alone.")
    assert state.answers[-1].text == "You felt alone."


def test_answers_are_stored_exactly_as_typed():
    raw = "  [bold]x[/] \x1b[31m {speaker} \t"
    state = answer(to_step(begin(when_i_felt()), "mirror"), "b", mirror=raw)
    assert state.answers[-1].values["mirror"] == raw and state.answers[-1].text == raw


def test_choose_step_branches_and_falls_through():
    ex = branching()
    state = go(begin(ex), "continued", "a")
    assert state.step_id == "pick"
    assert go(state, "chose", "a", option=0).step_id == "deep"
    assert go(state, "chose", "a", option=2).step_id == "light"
    after_end = go(state, "chose", "a", option=1)
    assert (after_end.round, after_end.step_id) == (2, "open")


def test_a_choice_is_recorded_as_a_public_answer():
    ex = branching()
    state = go(go(begin(ex), "continued", "a"), "chose", "a", at=5.0, option=2)
    (chosen,) = state.answers
    assert (chosen.step, chosen.round, chosen.partner, chosen.role) == ("pick", 1, "a", "speaker")
    assert dict(chosen.values) == {"pick": "Fall through"} and chosen.text == "Fall through"
    assert chosen.public and chosen.at == 5.0
    assert state.transcript() == state.visible_answers("b") == (chosen,)


def test_a_later_step_quotes_the_chosen_option_by_step_id():
    ex = exercise(choose("topic", Option("Money"), Option("Chores")), say("after", text="We talk about {topic}."))
    state = go(begin(ex), "chose", "a", option=1)
    assert state.prompt == "We talk about Chores."


def test_a_choice_is_recorded_by_whoever_holds_the_step():
    ex = exercise(say("s"), choose("c", Option("Yes"), by="listener"), rounds=2)
    state = go(go(begin(ex), "continued", "a"), "chose", "b", option=0)
    state = go(go(state, "continued", "b"), "chose", "a", option=0)
    assert [(a.partner, a.role, a.round) for a in state.answers] == [("b", "listener", 1), ("a", "listener", 2)]


def test_confirm_and_say_steps_record_nothing():
    state = to_step(begin(when_i_felt()), "check")
    state = go(state, "confirmed", "a", yes=False)
    state = go(state, "skipped", "a")
    state = go(state, "confirmed", "a", yes=True)
    assert state.answers == ()
    assert go(begin(exercise(say("s"))), "continued", "a").answers == ()


def test_confirm_yes_moves_on():
    state = to_step(begin(when_i_felt()), "check")
    assert state.loops_left == 2
    assert go(state, "confirmed", "a", yes=True).step_id == "topic"


def test_confirm_not_quite_loops_back_until_the_limit_then_moves_on():
    state = to_step(begin(when_i_felt()), "check")
    for left in (2, 1):
        assert state.loops_left == left
        state = go(state, "confirmed", "a", yes=False)
        assert state.step_id == "mirror"
        state = answer(state, "b", mirror="try again")
        assert state.step_id == "check"
    assert state.loops_left == 0
    # Nobody is held in a loop: past the limit "not quite" moves on too.
    state = go(state, "confirmed", "a", yes=False)
    assert state.step_id == "topic" and state.loops_left == 0


def test_loop_count_starts_afresh_each_round():
    ex = exercise(prompt("m"), confirm("c", on_no="m", max_loops=1), rounds=2)
    state = begin(ex)
    state = answer(state, "a", m="x")
    state = go(state, "confirmed", "a", yes=False)
    state = answer(state, "a", m="y")
    state = go(state, "confirmed", "a", yes=False)  # limit reached: ends the round
    assert state.round == 2 and state.step_id == "m"
    state = answer(state, "b", m="z")
    assert state.loops_left == 1


def test_skip_moves_on_from_any_step_by_either_partner():
    state = to_step(begin(when_i_felt()), "voice")
    state = go(state, "skipped", "b")
    assert state.step_id == "mirror" and state.answers == ()


# -- roles and rounds -------------------------------------------------------------


def test_roles_swap_between_rounds():
    state = begin(when_i_felt())
    assert dict(state.roles) == {"a": "speaker", "b": "listener"}
    assert state.prompt == "Welcome, Ada and Ben."
    state = to_step(state, "reflect")
    state = answer(state, "a", reflect="x")
    state = answer(state, "b", reflect="y")
    assert (state.round, state.step_id) == (2, "hello")
    assert dict(state.roles) == {"a": "listener", "b": "speaker"}
    assert state.prompt == "Welcome, Ben and Ada."
    state = to_step(state, "voice")
    assert state.floor == ("b",)
    state = answer(state, "b", event="e", feeling="f")
    assert state.answers[-1].role == "speaker"


def test_roles_stay_when_swap_is_off():
    state = begin(branching())
    state = go(state, "continued", "a")
    state = go(state, "chose", "a", option=1)
    assert state.round == 2 and dict(state.roles) == {"a": "speaker", "b": "listener"}


def test_next_end_ends_the_round_and_the_last_round_finishes():
    state = to_step(begin(when_i_felt(rounds=1)), "reflect")
    state = answer(state, "a", reflect="x")
    state = answer(state, "b", reflect="y")
    assert state.finished and not state.ended_early
    assert state.progress == engine.Progress(9, 9, 1, 1)
    assert engine.valid_actions(state, meta=True) == []


# -- both partners, hidden and private ----------------------------------------------


def test_hidden_both_step_is_sealed_until_both_answered():
    state = to_step(begin(when_i_felt()), "rate")
    assert state.floor == ("a", "b")
    state = answer(state, "b", follow_through=2)
    assert state.step_id == "rate" and state.floor == ("a",)
    (b_ans,) = state.answers
    assert b_ans.sealed and not b_ans.public
    assert state.visible_answers("b") == (b_ans,)  # the writer always sees it
    assert state.visible_answers("a") == ()
    assert state.transcript() == ()
    state = answer(state, "a", follow_through=4)
    assert state.step_id == "promises"
    assert [(a.partner, a.sealed, a.text) for a in state.answers] == [("b", False, "2 of 5"), ("a", False, "4 of 5")]
    assert state.visible_answers("a") == state.visible_answers("b") == state.transcript() == state.answers


def test_a_partner_answers_a_both_step_once():
    state = answer(to_step(begin(when_i_felt()), "rate"), "a", follow_through=3)
    with pytest.raises(FlowError, match="not Ada's turn"):
        answer(state, "a", follow_through=3)


def test_hidden_answer_left_sealed_when_the_step_is_skipped():
    state = answer(to_step(begin(when_i_felt()), "rate"), "a", follow_through=3)
    state = go(state, "skipped", "b")
    assert state.answers[0].sealed
    assert state.visible_answers("a") == state.answers and state.visible_answers("b") == ()
    assert state.transcript() == ()


def test_hidden_step_revisited_unseals_only_its_own_visit():
    ex = exercise(prompt("r", by="both", hidden=True), choose("again", Option("again", next="r"), Option("done")))
    state = begin(ex)
    state = answer(state, "a", r="first a")
    state = go(state, "skipped", "a")  # b never answered: a's first stays sealed
    state = go(state, "chose", "a", option=0)
    state = answer(state, "b", r="second b")
    state = answer(state, "a", r="second a")
    assert [(a.text, a.sealed) for a in state.answers] == [
        ("first a", True), ("again", False), ("second b", False), ("second a", False)]


def test_private_answers_stay_with_their_writer():
    ex = exercise(prompt("note", by="both", private=True), say("after", text="You wrote: {note}"))
    state = begin(ex)
    state = answer(state, "a", note="secret a")
    state = answer(state, "b", note="secret b")
    assert all(a.private and not a.public for a in state.answers)
    assert state.transcript() == ()
    assert [a.text for a in state.visible_answers("a")] == ["secret a"]
    assert [a.text for a in state.visible_answers("b")] == ["secret b"]
    assert state.prompt == f"You wrote: {MISSING}"


def test_a_private_answer_shared_by_its_writer_becomes_public():
    ex = exercise(prompt("note", by="both", private=True), say("after", text="{note}"))
    state = begin(ex)
    state = answer(state, "a", shared=True, note="I share this")
    state = answer(state, "b", note="I keep this")
    assert [a.text for a in state.transcript()] == ["I share this"]
    assert [a.text for a in state.visible_answers("b")] == ["I share this", "I keep this"]
    assert state.prompt == "I share this"


def test_shared_means_nothing_on_a_public_step():
    state = answer(to_step(begin(when_i_felt()), "mirror"), "b", shared=True, mirror="x")
    assert not state.answers[-1].shared and state.answers[-1].public


# -- templates -------------------------------------------------------------------


def test_prompt_quotes_names_fields_step_ids_and_answers_by_role():
    ex = exercise(
        prompt("voice", template="When {event} happened, I felt {feeling}.",
               fields=(Field("event"), Field("feeling"))),
        prompt("mirror", by="listener"),
        say("quote", text="{speaker}: {voice} | {feeling} | {mirror} | {event@listener} | {{literal}}"),
        rounds=2,
    )
    state = begin(ex)
    state = answer(state, "a", event="the call", feeling="sad")
    state = answer(state, "b", mirror="you were sad")
    assert state.prompt == ("Ada: When the call happened, I felt sad. | sad | you were sad | "
                            f"{MISSING} | {{literal}}")
    state = go(state, "continued", "a")
    state = answer(state, "b", event="the trip", feeling="happy")
    state = answer(state, "a", mirror="happy")
    # Round 2: Ben is the speaker; {event@listener} is what Ada (the listener now) said.
    assert state.prompt == ("Ben: When the trip happened, I felt happy. | happy | happy | "
                            "the call | {literal}")


def test_missing_answers_read_as_an_ellipsis():
    ex = exercise(prompt("first"), say("quote", text="[{first}] [{nowhere}] [{first@listener}]"))
    state = go(begin(ex), "skipped", "a")
    assert state.prompt == f"[{MISSING}] [{MISSING}] [{MISSING}]"


def test_template_parts_split_literals_and_blanks():
    ex = exercise(prompt("mirror", by="listener"),
                  prompt("v", template="{speaker}, when {event} {{happened}} ({mirror}), I felt {feeling}",
                         fields=(Field("event"), Field("feeling"))))
    state = answer(begin(ex), "b", mirror="heard")
    parts = state.template_parts
    assert [p if isinstance(p, str) else p.name for p in parts] == [
        "Ada, when ", "event", " {happened} (heard), I felt ", "feeling"]
    assert isinstance(parts[1], Field)


def test_an_empty_optional_blank_does_not_borrow_an_earlier_answer():
    ex = exercise(prompt("first", fields=(Field("note"),)),
                  prompt("second", template="Also {note}.", fields=(Field("note", optional=True),)))
    state = answer(begin(ex), "a", note="earlier")
    state = answer(state, "a")
    assert state.answers[-1].text == f"Also {MISSING}."
    assert dict(state.answers[-1].values) == {}


@pytest.mark.parametrize("template, expected", [
    ("{", "{"),
    ("}", "}"),
    ("{1x}", "{1x}"),
    ("{a b}", "{a b}"),
    ("{}", "{}"),
    ("{{speaker}}", "{speaker}"),
    ("{{{speaker}}}", "{Ada}"),
    ("{x {speaker}", "{x Ada"),  # a stray brace does not swallow the slot after it
    ("a}b{", "a}b{"),
    ("{speaker@}", "{speaker@}"),
    ("{listener}{speaker}", "BenAda"),
    ("", ""),
])
def test_template_edge_cases(template, expected):
    state = begin(exercise(say("s", text=template)))
    assert state.fill(template) == expected
    assert state.prompt == expected


def test_list_answers_fill_their_item_template():
    state = to_step(begin(when_i_felt()), "promises")
    state = answer(state, "a", promises=[{"what": "call", "when": "6"}, {"what": "", "when": " "},
                                         {"what": "cook", "when": "Friday"}])
    assert state.answers[-1].values["promises"] == [{"what": "call", "when": "6"}, {"what": "cook", "when": "Friday"}]
    assert state.answers[-1].text == "I will call by 6; I will cook by Friday."  # not "6.; I will"


def test_several_fields_without_template_render_with_labels():
    ex = branching()
    state = go(go(begin(ex), "continued", "a"), "chose", "a", option=2)
    state = answer(state, "b", note="hm", mood=0)
    assert state.answers[-1].text == "note: hm\nmood: 0 of 3"
    assert dict(state.answers[-1].values) == {"note": "hm", "mood": 0}


# -- timer, pause, end --------------------------------------------------------------


def test_each_step_starts_its_timer_at_the_event_that_reached_it():
    state = to_step(begin(when_i_felt()), "topic")
    state = go(state, "chose", "a", at=100.0, option=1)
    assert state.step_id == "rate" and state.step_started_at == 100.0 and state.timer is None


def test_pause_and_resume_keep_the_step_and_restart_its_timer():
    state = to_step(begin(when_i_felt()), "voice")
    state = engine.apply(state, Event("paused", "b", data={"resume_at": 2000.0, "note": "a walk"}, at=50.0))
    assert state.paused and state.phase == "paused"
    assert (state.resume_at, state.pause_note, state.floor, state.timer, state.inputs) == (2000.0, "a walk", (), None, ())
    assert state.step_id == "voice"
    assert engine.valid_actions(state) == [Event("resumed", "a")]
    state = engine.apply(state, Event("resumed", "a", at=900.0))
    assert state.phase == "step" and state.step_id == "voice" and state.step_started_at == 900.0
    assert (state.resume_at, state.pause_note) == (None, "")
    assert state.timer == 180


def test_pause_during_the_ready_check_returns_to_it():
    state = engine.apply(engine.start(when_i_felt(), NAMES), Event("ready", "a"))
    state = engine.apply(state, Event("paused", "a"))
    with pytest.raises(FlowError, match="paused"):
        engine.apply(state, Event("ready", "b"))
    state = engine.apply(state, Event("resumed", "b", at=3.0))
    assert state.phase == "ready" and state.floor == ("b",) and state.step_started_at is None


def test_ended_finishes_at_once_and_is_terminal():
    state = to_step(begin(when_i_felt()), "mirror")
    state = engine.apply(state, Event("paused", "a"))
    state = engine.apply(state, Event("ended", "b"))
    assert state.finished and state.ended_early and state.floor == ()
    assert state.progress.step == 3  # where it ended
    for event in (Event("resumed", "a"), Event("ended", "a"), Event("ready", "a")):
        with pytest.raises(FlowError, match="has ended"):
            engine.apply(state, event)


def test_ended_before_it_began_shows_no_progress():
    state = engine.apply(engine.start(when_i_felt(), NAMES), Event("ended", "a"))
    assert state.finished and state.progress == engine.Progress(0, 9, 1, 2)


def test_progress_follows_the_step_position():
    state = begin(when_i_felt())
    seen = []
    while state.round == 1:
        seen.append(state.progress.step)
        state = go(state, "skipped", "a")
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8]
    assert state.progress == engine.Progress(1, 9, 2, 2)


def test_events_counts_accepted_events():
    state = begin(when_i_felt())
    assert state.events == 2
    with pytest.raises(FlowError):
        go(state, "continued", "c")
    assert go(state, "continued", "a").events == 3


def test_replay_gives_the_same_state():
    ex = when_i_felt()
    events = [Event("ready", "a", at=1.0), Event("ready", "b", at=2.0),
              Event("continued", "a", step="hello", round=1, at=3.0),
              Event("answered", "a", step="voice", round=1, at=4.0,
                    data={"values": {"event": "e", "feeling": "f"}}),
              Event("paused", "b", data={"resume_at": 99.0, "note": "tea"}, at=5.0),
              Event("resumed", "a", at=6.0)]
    state = engine.start(ex, NAMES)
    for e in events:
        state = engine.apply(state, e)
    assert engine.replay(ex, NAMES, events) == state
    assert engine.replay(ex, NAMES, events[:-1]) != state


# -- possible actions ---------------------------------------------------------------


def test_valid_actions_cover_every_branch_and_all_fit():
    state = to_step(begin(when_i_felt()), "topic")
    actions = engine.valid_actions(state)
    assert [(e.kind, e.partner, e.data["option"]) for e in actions] == [("chose", "a", 0), ("chose", "a", 1)]
    meta = engine.valid_actions(state, meta=True)
    assert {e.kind for e in meta} == {"chose", "skipped", "paused", "ended"}
    for e in meta:
        engine.apply(state, e)


def test_example_values_fit_their_fields():
    fields = [Field("t"), Field("p", kind="pick"), Field("r", kind="rating", min=2, max=4),
              Field("l", kind="list", min=2, max=3), Field("i", kind="list", item="{x} and {y}")]
    ex = exercise(prompt("all", fields=tuple(fields)))
    state = begin(ex)
    (event,) = engine.valid_actions(state)
    state = engine.apply(state, event)
    assert state.finished
    assert state.answers[0].values["r"] == 2 and len(state.answers[0].values["l"]) == 2


def test_step_event_builder_targets_the_current_step():
    state = begin(when_i_felt())
    assert step_event(state, "continued", "a") == Event("continued", "a", step="hello", round=1)


def test_choose_and_confirm_builders():
    ex = exercise(choose("c", Option("x")), confirm("k", on_no="c"))
    state = go(begin(ex), "chose", "a", option=0)
    assert state.step.kind == "confirm"


def test_quoted_answers_are_never_read_as_templates():
    ex = exercise(prompt("said"), say("quote", text="You said: {said}"))
    state = answer(begin(ex), "a", said="{speaker} {{x}} {said} [b]y[/b]")
    assert state.prompt == "You said: {speaker} {{x}} {said} [b]y[/b]"


@pytest.mark.parametrize("ex", [when_i_felt(), branching()], ids=lambda ex: ex.id)
def test_each_answered_or_chose_event_adds_exactly_one_answer_in_order(ex):
    """The contract a transcript that walks the events relies on (export pairs events with answers)."""
    state = engine.start(ex, NAMES)
    kinds = []
    while not state.finished:
        event = engine.valid_actions(state)[-1]  # the last branch: loops back where it can
        before = len(state.answers)
        state = engine.apply(state, event)
        added = len(state.answers) - before
        assert added == (1 if event.kind in ("answered", "chose") else 0)
        if added:
            assert (state.answers[-1].step, state.answers[-1].partner) == (event.step, event.partner)
            kinds.append(event.kind)
    assert {"answered", "chose"} <= set(kinds)
