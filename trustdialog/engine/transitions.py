"""The transitions: `apply` one event, `replay` a log, and the guards that say what may happen now.

No clock, no files, no UI: time arrives as event data (`Event.at`), and the
caller decides what to do with a `FlowError`. `apply` never mutates; an event
that does not fit raises and leaves the old state as it was. Each kind has one
guard (state and partner only); `apply` runs it and `allowed` asks it, so what
the UI offers and what the engine accepts cannot disagree.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from trustdialog.answers import AnswerError, check_values, example_value
from trustdialog.engine.events import (ANSWERED, CALL_ANSWERED, CALLED, CHOSE, CONFIRMED, CONTINUED, ENDED,
                                       NOT_NOW, NUDGED, PARTNERS, PAUSED, READY, RESUMED, SKIPPED, TURN_EVENTS, Event,
                                       EventKind, FlowError)
from trustdialog.engine.prompts import render_answer
from trustdialog.engine.room import is_room, on_room, room_guard
from trustdialog.engine.state import Answer, SessionState, _evolve
from trustdialog.exercise.model import BOTH, END, Exercise, Step

# Why `partner` may not send an event of one kind now, or None if they may.
Guard = Callable[[SessionState, str], "str | None"]


def start(exercise: Exercise, names: Mapping[str, str]) -> SessionState:
    """A new session, waiting for both partners to say they are ready."""
    if set(names) != set(PARTNERS):
        raise FlowError("names must be given for partners 'a' and 'b'")
    if not all(isinstance(n, str) for n in names.values()):
        raise FlowError("partner names are text")
    return SessionState(exercise=exercise, names=MappingProxyType(dict(names)))


def replay(exercise: Exercise, names: Mapping[str, str], events: Iterable[Event]) -> SessionState:
    """The state after `events`, applied in order from the start."""
    state = start(exercise, names)
    for event in events:
        state = apply(state, event)
    return state


def apply(state: SessionState, event: Event) -> SessionState:
    """The state after `event`; raises FlowError (state unchanged) if it does not fit."""
    # One lookup finds the kind's handler and tells an unknown kind; a kind that
    # is not text (unhashable, even) is unknown too, not a TypeError.
    handler = _HANDLERS.get(event.kind) if isinstance(event.kind, str) else None
    if handler is None:
        raise FlowError(f"unknown event kind {event.kind!r}")
    # Words said in the room (a nudge, a call) have their own guard: no partner's move.
    _refuse(room_guard(state, event) if is_room(event.kind) else _session_guard(state, event.partner))
    if not isinstance(event.data, Mapping):
        raise FlowError(f"the data of a {_q(event.kind)} event must be a table of values")
    if event.at is not None and (isinstance(event.at, bool) or not isinstance(event.at, (int, float))):
        raise FlowError("an event's time must be in seconds")
    return _evolve(handler(state, event), events=state.events + 1)


def allowed(state: SessionState, partner: str) -> frozenset[EventKind]:
    """The kinds of event `partner` may send now, asked of the guards `apply` runs.

    A kind listed is accepted with a payload that fits (the current step and
    round, values the step's fields take); a kind not listed is refused
    whatever its payload.
    """
    if _session_guard(state, partner) is not None:
        return frozenset()
    return frozenset(kind for kind, guard in _GUARDS.items() if guard(state, partner) is None)


def on_turn(state: SessionState) -> tuple[str, ...]:
    """The partners whose turn it is: who may say ready, or take the current step's own action."""
    return tuple(p for p in PARTNERS if allowed(state, p) & TURN_EVENTS)


def _q(kind: str) -> str:
    # An EventKind's repr names the enum; messages quote the bare kind as before.
    return repr(str(kind))


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise FlowError(reason)


# -- guards ---------------------------------------------------------------------


def _session_guard(state: SessionState, partner: str) -> str | None:
    if partner not in PARTNERS:
        return f"unknown partner {partner!r}"
    if state.finished:
        return "the exercise has ended"
    return None


def _ready_guard(state: SessionState, partner: str) -> str | None:
    if state.phase == "paused":
        return "the exercise is paused; resume it first"
    if state.phase != "ready":
        return "the exercise has already begun"
    if partner in state.ready:
        return f"{state.names[partner]} is already ready"
    return None


def _not_now_guard(state: SessionState, partner: str) -> str | None:
    # Either partner, even one who said ready: the check is for both of them.
    if state.phase != "ready":
        return "\"not now\" answers the ready check, which is over"
    return None


def _begun_guard(state: SessionState) -> str | None:
    """The first half of every step kind's guard: a step is on."""
    if state.phase == "paused":
        return "the exercise is paused; resume it first"
    if state.phase != "step" or not state.step_id:  # no step_id: no step
        return "the exercise has not begun"
    return None


# The step kind each step-scoped event answers; a skip fits any step.
_FITS: Mapping[str, str] = {CONTINUED: "say", ANSWERED: "prompt", CHOSE: "choose", CONFIRMED: "confirm"}


def _turn_guard(state: SessionState, step: Step, kind: str, partner: str) -> str | None:
    """The second half, once `step` is on: the kind fits it and it is `partner`'s turn."""
    fits = _FITS.get(kind)
    if fits is not None and step.kind != fits:
        return f"step {step.id!r} is a {step.kind} step; {_q(kind)} does not fit it"
    if kind != SKIPPED and partner not in state.floor:
        who = ", ".join(state.names[p] for p in state.floor) or "nobody"
        return f"it is not {state.names[partner]}'s turn (the floor is with {who})"
    return None


def _step_guard(kind: EventKind) -> Guard:
    def guard(state: SessionState, partner: str) -> str | None:
        if reason := _begun_guard(state):
            return reason
        step = state.step
        assert step is not None  # _begun_guard said so
        return _turn_guard(state, step, kind, partner)

    return guard


def _paused_guard(state: SessionState, partner: str) -> str | None:
    return "the exercise is already paused" if state.phase == "paused" else None


def _resumed_guard(state: SessionState, partner: str) -> str | None:
    return "the exercise is not paused" if state.phase != "paused" else None


def _ended_guard(state: SessionState, partner: str) -> str | None:
    return None  # either partner may end a running session at any time


_GUARDS: Mapping[EventKind, Guard] = {
    READY: _ready_guard,
    NOT_NOW: _not_now_guard,
    ANSWERED: _step_guard(ANSWERED),
    CONTINUED: _step_guard(CONTINUED),
    CHOSE: _step_guard(CHOSE),
    CONFIRMED: _step_guard(CONFIRMED),
    SKIPPED: _step_guard(SKIPPED),
    PAUSED: _paused_guard,
    RESUMED: _resumed_guard,
    ENDED: _ended_guard,
}


# -- handlers: each runs its kind's guard, checks the payload, and moves on -------------


def _on_ready(state: SessionState, event: Event) -> SessionState:
    _refuse(_ready_guard(state, event.partner))
    ready = state.ready | {event.partner}
    if ready != set(PARTNERS):
        return _evolve(state, ready=ready)
    first = state.exercise.steps[0].id
    return _evolve(
        state, ready=ready, phase="step", step_id=first, step_started_at=event.at
    )


def _on_not_now(state: SessionState, event: Event) -> SessionState:
    # "Not now" is a good answer: it is kept in the log, and the session it
    # closes is not left behind as unfinished. Asking again is a new session.
    _refuse(_not_now_guard(state, event.partner))
    return _evolve(state, phase="finished", paused_from=None)


def _check_step(state: SessionState, event: Event) -> Step:
    # The step kind's guard, split around the payload checks so that an event
    # for another step or round says so before whose turn it is.
    _refuse(_begun_guard(state))
    step = state.step
    assert step is not None
    if event.step is None:
        raise FlowError(f"a {_q(event.kind)} event must name its step")
    if event.step != step.id:
        raise FlowError(f"this is step {step.id!r}, not {event.step!r}")
    # The round is required: a stale event from an earlier round must not land
    # on the same step one round later.
    if event.round is None:
        raise FlowError(f"a {_q(event.kind)} event must name its round")
    if isinstance(event.round, bool) or event.round != state.round:
        raise FlowError(f"this is round {state.round}, not {event.round}")
    _refuse(_turn_guard(state, step, event.kind, event.partner))
    return step


def _on_continued(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event)
    return _goto(state, step, step.next, event.at)


def _on_answered(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event)
    values = event.data.get("values")
    if not isinstance(values, Mapping):
        raise FlowError("an answer needs its values")
    try:
        clean = check_values(step, values)
    except AnswerError as error:
        raise FlowError(str(error)) from None
    shared = event.data.get("shared", False)
    if not isinstance(shared, bool):
        raise FlowError("'shared' must be true or false")
    role = state.roles[event.partner]
    answer = Answer(
        step=step.id,
        round=state.round,
        partner=event.partner,
        role=role,
        values=MappingProxyType(clean),
        text=render_answer(step, clean, state._resolve),
        private=step.private,
        shared=shared and step.private,
        sealed=step.by == BOTH and step.hidden,
        at=event.at,
    )
    answers = state.answers + (answer,)
    if step.by == BOTH:
        answered = state.answered | {event.partner}
        if answered != set(PARTNERS):
            return _evolve(state, answers=answers, answered=answered)
        # Both have answered this visit: each answered once, nothing else adds
        # answers meanwhile, so this visit's answers are exactly the last two.
        answers = answers[:-2] + tuple(dataclasses.replace(a, sealed=False) for a in answers[-2:])
    return _goto(_evolve(state, answers=answers), step, step.next, event.at)


def _on_chose(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event)
    option = event.data.get("option")
    if not isinstance(option, int) or isinstance(option, bool) or not 0 <= option < len(step.options):
        raise FlowError(f"choose one of the {len(step.options)} options")
    chosen = step.options[option]
    # The choice is an answer like any other: the summary and the export show
    # it, and a later step may quote it as {step-id}.
    answer = Answer(
        step=step.id,
        round=state.round,
        partner=event.partner,
        role=state.roles[event.partner],
        values=MappingProxyType({step.id: chosen.label}),
        text=chosen.label,
        at=event.at,
    )
    state = _evolve(state, answers=state.answers + (answer,))
    return _goto(state, step, chosen.next or step.next, event.at)


def _on_confirmed(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event)
    yes = event.data.get("yes")
    if not isinstance(yes, bool):
        raise FlowError("a confirmation is yes or not quite")
    if yes or state.loops_left == 0:
        # Past the loop limit "not quite" moves on too: nobody is held in a loop.
        return _goto(state, step, step.next, event.at)
    loops = dict(state.loops)
    loops[step.id] = loops.get(step.id, 0) + 1
    return _goto(_evolve(state, loops=MappingProxyType(loops)), step, step.on_no, event.at)


def _on_skipped(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event)
    return _goto(state, step, step.next, event.at)


def _on_paused(state: SessionState, event: Event) -> SessionState:
    _refuse(_paused_guard(state, event.partner))
    resume_at = event.data.get("resume_at")
    if resume_at is not None and (isinstance(resume_at, bool) or not isinstance(resume_at, (int, float))):
        raise FlowError("'resume_at' must be a time in seconds")
    note = event.data.get("note", "")
    if not isinstance(note, str):
        raise FlowError("a pause note is text")
    return _evolve(
        state, phase="paused", paused_from=state.phase, resume_at=resume_at, pause_note=note
    )


def _on_resumed(state: SessionState, event: Event) -> SessionState:
    _refuse(_resumed_guard(state, event.partner))
    # The step's timer starts again from the resume.
    return _evolve(
        state,
        phase=state.paused_from or "ready",
        paused_from=None,
        resume_at=None,
        pause_note="",
        step_started_at=event.at if state.paused_from == "step" else state.step_started_at,
    )


def _on_ended(state: SessionState, event: Event) -> SessionState:
    _refuse(_ended_guard(state, event.partner))
    return _evolve(state, phase="finished", ended_early=True, paused_from=None)


_HANDLERS: Mapping[str, Callable[[SessionState, Event], SessionState]] = {
    READY: _on_ready,
    NOT_NOW: _on_not_now,
    ANSWERED: _on_answered,
    CONTINUED: _on_continued,
    CHOSE: _on_chose,
    CONFIRMED: _on_confirmed,
    SKIPPED: _on_skipped,
    PAUSED: _on_paused,
    RESUMED: _on_resumed,
    ENDED: _on_ended,
    NUDGED: on_room,
    CALLED: on_room,
    CALL_ANSWERED: on_room,
}


def _goto(state: SessionState, step: Step, target: str | None, at: float | None) -> SessionState:
    """Leave `step` for `target` (None falls through); END closes the round."""
    nxt = state.exercise.successor(step, target)
    base = _evolve(state, answered=frozenset(), step_started_at=at)
    if nxt != END:
        return _evolve(base, step_id=nxt)
    if state.round < state.exercise.rounds:
        return _evolve(
            base,
            round=state.round + 1,
            step_id=state.exercise.steps[0].id,
            loops=MappingProxyType({}),
        )
    return _evolve(base, phase="finished", step_id=None)


# -- possible actions ---------------------------------------------------------


def valid_actions(state: SessionState, meta: bool = False) -> list[Event]:
    """Events that fit now: every branch of the current step, each partner on the floor.

    With `meta`, also skip, pause / resume and end. Answers use `example_value`.
    """
    events: list[Event] = []
    if state.finished:
        return events
    if state.phase == "paused":
        return [Event(RESUMED, "a")] + ([Event(ENDED, "a")] if meta else [])
    if state.phase == "ready":
        events = [Event(READY, p) for p in state.floor]
    else:
        step = state.step
        assert step is not None
        sid, rnd = step.id, state.round
        for p in state.floor:
            if step.kind == "say":
                events.append(Event(CONTINUED, p, step=sid, round=rnd))
            elif step.kind == "prompt":
                values = {f.name: example_value(f) for f in step.fields}
                events.append(Event(ANSWERED, p, data={"values": values}, step=sid, round=rnd))
            elif step.kind == "choose":
                events += [Event(CHOSE, p, data={"option": i}, step=sid, round=rnd) for i in range(len(step.options))]
            else:
                events += [Event(CONFIRMED, p, data={"yes": y}, step=sid, round=rnd) for y in (True, False)]
        if meta:
            events.append(Event(SKIPPED, "a", step=step.id, round=state.round))
    if meta:
        events += [Event(PAUSED, "b", data={"resume_at": None}), Event(ENDED, "b")]
    return events
