"""The exercise state machine: a session's state is a pure function of its events.

No clock, no files, no UI: time arrives as event data (`Event.at`), and the
caller decides what to do with a `FlowError`. `apply` never mutates; an event
that does not fit raises and leaves the old state as it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

# Answers and their rendering live in trustdialog.answers; these names stay
# importable from here, where the UI, the store and the export look for them.
from trustdialog.answers import MISSING, Answer, AnswerError, check_values, example_value, fill_template, \
    render_answer, render_value
from trustdialog.exercise.model import BOTH, END, Exercise, Field, Step, split_template

__all__ = [
    "ANSWERED", "Answer", "CHOSE", "CONFIRMED", "CONTINUED", "ENDED", "EVENT_KINDS", "Event", "FlowError", "MISSING",
    "PARTNERS", "PAUSED", "Progress", "READY", "RESUMED", "SKIPPED", "STEP_EVENTS", "SessionState", "apply",
    "example_value", "replay", "start", "valid_actions",
]

PARTNERS = ("a", "b")

# Event kinds. The step-scoped ones must name the current step.
READY = "ready"
NOT_NOW = "not_now"  # one partner said "not now" at the ready check: that session closes
ANSWERED = "answered"
CONTINUED = "continued"  # read-and-continue (`say` steps)
CHOSE = "chose"
CONFIRMED = "confirmed"
SKIPPED = "skipped"
PAUSED = "paused"
RESUMED = "resumed"
ENDED = "ended"
EVENT_KINDS = (READY, NOT_NOW, ANSWERED, CONTINUED, CHOSE, CONFIRMED, SKIPPED, PAUSED, RESUMED, ENDED)
STEP_EVENTS = (ANSWERED, CONTINUED, CHOSE, CONFIRMED, SKIPPED)


class FlowError(ValueError):
    """An event that does not fit the current state; the state is unchanged."""


@dataclass(frozen=True)
class Event:
    """One thing a partner did. `data` holds plain JSON values only.

    answered:  {"values": {field: value}, "shared": bool}
    chose:     {"option": index}
    confirmed: {"yes": bool}
    paused:    {"resume_at": unix seconds or None, "note": str}
    """

    kind: str
    partner: str
    step: str | None = None
    round: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "partner": self.partner}
        if self.step is not None:
            out["step"] = self.step
        if self.round is not None:
            out["round"] = self.round
        if self.data:
            out["data"] = _thaw(self.data)
        if self.at is not None:
            out["at"] = self.at
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Event":
        """The event `to_dict` wrote; FlowError if `d` is not one."""
        if not isinstance(d, Mapping) or not isinstance(d.get("kind"), str) or not isinstance(d.get("partner"), str):
            raise FlowError("not an event: it needs a 'kind' and a 'partner'")
        return cls(
            kind=d["kind"],
            partner=d["partner"],
            step=d.get("step"),
            round=d.get("round"),
            data=d.get("data") or {},
            at=d.get("at"),
        )


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Progress:
    step: int  # 1-based position of the current step in the file
    steps: int
    round: int
    rounds: int


@dataclass(frozen=True)
class SessionState:
    """Everything the UI needs to render one moment of a session."""

    exercise: Exercise
    names: Mapping[str, str]
    phase: str = "ready"  # ready | step | paused | finished
    round: int = 1
    step_id: str | None = None
    ready: frozenset[str] = frozenset()
    answered: frozenset[str] = frozenset()  # by = "both": who has answered this visit
    loops: Mapping[str, int] = field(default_factory=dict)  # confirm step -> "not quite"s this round
    answers: tuple[Answer, ...] = ()
    step_started_at: float | None = None
    paused_from: str | None = None
    resume_at: float | None = None
    pause_note: str = ""
    ended_early: bool = False
    events: int = 0  # how many events made this state

    # -- who and where -------------------------------------------------------

    @property
    def step(self) -> Step | None:
        return self.exercise.step(self.step_id) if self.step_id else None

    @property
    def finished(self) -> bool:
        return self.phase == "finished"

    @property
    def paused(self) -> bool:
        return self.phase == "paused"

    @property
    def roles(self) -> Mapping[str, str]:
        """partner -> role this round ("a" starts in the first role)."""
        first, second = self.exercise.roles
        if self.exercise.swap_roles and self.round % 2 == 0:
            first, second = second, first
        return MappingProxyType({"a": first, "b": second})

    def partner_in(self, role: str) -> str:
        for partner, r in self.roles.items():
            if r == role:
                return partner
        raise KeyError(role)

    @property
    def floor(self) -> tuple[str, ...]:
        """The partners who may take the current step's own action now.

        Pause, resume, skip and end are open to either partner at any time
        (a time-out must never wait for a turn), so they do not count here.
        """
        if self.phase == "ready":
            return tuple(p for p in PARTNERS if p not in self.ready)
        step = self.step
        if self.phase != "step" or step is None:
            return ()
        if step.by == BOTH:
            if step.kind == "say":
                return PARTNERS
            return tuple(p for p in PARTNERS if p not in self.answered)
        return (self.partner_in(step.by),)

    @property
    def progress(self) -> Progress:
        step = self.step_id
        # Ended early keeps the step it ended on; ended before it began shows 0.
        done = self.finished and not self.ended_early
        pos = self.exercise.index(step) + 1 if step else (len(self.exercise.steps) if done else 0)
        return Progress(pos, len(self.exercise.steps), self.round, self.exercise.rounds)

    @property
    def timer(self) -> int | None:
        step = self.step
        return step.timer if step and self.phase == "step" else None

    @property
    def inputs(self) -> tuple[Field, ...]:
        step = self.step
        return step.fields if step and self.phase == "step" and step.kind == "prompt" else ()

    @property
    def loops_left(self) -> int:
        """For a confirm step: how many more "not quite"s loop back."""
        step = self.step
        if not step or step.kind != "confirm":
            return 0
        return max(0, step.max_loops - self.loops.get(step.id, 0))

    # -- text ----------------------------------------------------------------

    @property
    def prompt(self) -> str:
        step = self.step
        return self.fill(step.text) if step else ""

    @property
    def template_parts(self) -> tuple[str | Field, ...]:
        """The current template split into literal text and the blanks to fill."""
        step = self.step
        if not step or not step.template:
            return ()
        own = {f.name: f for f in step.fields}
        parts: list[str | Field] = []
        text = ""
        for piece, is_slot in split_template(step.template):
            if is_slot and piece[0] in own and piece[1] is None:
                if text:
                    parts.append(text)
                    text = ""
                parts.append(own[piece[0]])
            elif is_slot:
                text += self._resolve(*piece)
            else:
                text += piece
        if text:
            parts.append(text)
        return tuple(parts)

    def fill(self, text: str) -> str:
        """`text` with role names and earlier public answers filled in."""
        return fill_template(text, self._resolve)

    def _resolve(self, name: str, role: str | None) -> str:
        if role is None and name in self.exercise.roles:
            return self.names[self.partner_in(name)]
        who = self.partner_in(role) if role in self.exercise.roles else None
        for answer in reversed(self.answers):
            if not answer.public or (who and answer.partner != who):
                continue
            if answer.step == name:
                return answer.text
            if name in answer.values:
                step = self.exercise.step(answer.step)
                return render_value(step.field(name), answer.values[name])
        return MISSING

    # -- what each pane may show ----------------------------------------------

    def visible_answers(self, partner: str) -> tuple[Answer, ...]:
        """Answers `partner`'s pane may show: their own, and the other's public ones."""
        return tuple(a for a in self.answers if a.partner == partner or a.public)

    def transcript(self) -> tuple[Answer, ...]:
        """What the summary and the export show: public answers only."""
        return tuple(a for a in self.answers if a.public)



_STATE_FIELDS = frozenset(f.name for f in dataclasses.fields(SessionState))


def _evolve(state: SessionState, **changes: Any) -> SessionState:
    """`dataclasses.replace` for the state, without re-running `__init__`.

    Replay applies every event of a session; `replace` was most of its time.
    SessionState has no `__post_init__` and caches nothing, so copying its
    fields and overriding some gives the same object `replace` would.
    """
    unknown = changes.keys() - _STATE_FIELDS
    if unknown:
        raise TypeError(f"SessionState has no field {sorted(unknown)[0]!r}")
    new = object.__new__(SessionState)
    new.__dict__.update(state.__dict__)  # frozen: __dict__ bypasses the guard
    new.__dict__.update(changes)
    return new


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
    if event.kind not in EVENT_KINDS:
        raise FlowError(f"unknown event kind {event.kind!r}")
    if event.partner not in PARTNERS:
        raise FlowError(f"unknown partner {event.partner!r}")
    if state.finished:
        raise FlowError("the exercise has ended")
    if not isinstance(event.data, Mapping):
        raise FlowError(f"the data of a {event.kind!r} event must be a table of values")
    if event.at is not None and (isinstance(event.at, bool) or not isinstance(event.at, (int, float))):
        raise FlowError("an event's time must be in seconds")
    new = _HANDLERS[event.kind](state, event)
    return _evolve(new, events=state.events + 1)


# -- handlers -----------------------------------------------------------------


def _on_ready(state: SessionState, event: Event) -> SessionState:
    if state.phase == "paused":
        raise FlowError("the exercise is paused; resume it first")
    if state.phase != "ready":
        raise FlowError("the exercise has already begun")
    if event.partner in state.ready:
        raise FlowError(f"{state.names[event.partner]} is already ready")
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
    if state.phase != "ready":
        raise FlowError("\"not now\" answers the ready check, which is over")
    return _evolve(state, phase="finished", paused_from=None)


def _check_step(state: SessionState, event: Event, *kinds: str) -> Step:
    if state.phase == "paused":
        raise FlowError("the exercise is paused; resume it first")
    if state.phase != "step" or state.step is None:
        raise FlowError("the exercise has not begun")
    step = state.step
    if event.step is None:
        raise FlowError(f"a {event.kind!r} event must name its step")
    if event.step != step.id:
        raise FlowError(f"this is step {step.id!r}, not {event.step!r}")
    # The round is required: a stale event from an earlier round must not land
    # on the same step one round later.
    if event.round is None:
        raise FlowError(f"a {event.kind!r} event must name its round")
    if isinstance(event.round, bool) or event.round != state.round:
        raise FlowError(f"this is round {state.round}, not {event.round}")
    if kinds and step.kind not in kinds:
        raise FlowError(f"step {step.id!r} is a {step.kind} step; {event.kind!r} does not fit it")
    if event.kind != SKIPPED and event.partner not in state.floor:
        who = ", ".join(state.names[p] for p in state.floor) or "nobody"
        raise FlowError(f"it is not {state.names[event.partner]}'s turn (the floor is with {who})")
    return step


def _on_continued(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event, "say")
    return _goto(state, step, step.next, event.at)


def _on_answered(state: SessionState, event: Event) -> SessionState:
    step = _check_step(state, event, "prompt")
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
    step = _check_step(state, event, "choose")
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
    step = _check_step(state, event, "confirm")
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
    if state.phase == "paused":
        raise FlowError("the exercise is already paused")
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
    if state.phase != "paused":
        raise FlowError("the exercise is not paused")
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
    return _evolve(state, phase="finished", ended_early=True, paused_from=None)


_HANDLERS = {
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
        for p in state.floor:
            common = dict(partner=p, step=step.id, round=state.round)
            if step.kind == "say":
                events.append(Event(CONTINUED, **common))
            elif step.kind == "prompt":
                values = {f.name: example_value(f) for f in step.fields}
                events.append(Event(ANSWERED, data={"values": values}, **common))
            elif step.kind == "choose":
                events += [Event(CHOSE, data={"option": i}, **common) for i in range(len(step.options))]
            else:
                events += [Event(CONFIRMED, data={"yes": y}, **common) for y in (True, False)]
        if meta:
            events.append(Event(SKIPPED, "a", step=step.id, round=state.round))
    if meta:
        events += [Event(PAUSED, "b", data={"resume_at": None}), Event(ENDED, "b")]
    return events
