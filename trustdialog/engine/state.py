"""One moment of a session: `SessionState`, the answers it holds, and how a new state is made from an old one."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from trustdialog.engine import prompts
from trustdialog.engine.events import PARTNERS
from trustdialog.exercise.model import BOTH, Exercise, Field, Step


@dataclass(frozen=True)
class Answer:
    """What one partner gave at one visit of a prompt step, or the option they chose.

    A choice is recorded as values `{step_id: label}` with the label as its text,
    so the summary and the export show it and later steps may quote `{step_id}`.
    """

    step: str
    round: int
    partner: str
    role: str
    values: Mapping[str, Any]
    text: str  # the answer rendered as one readable text (template filled)
    private: bool = False
    shared: bool = False
    sealed: bool = False  # hidden from the other partner until both answered
    at: float | None = None

    @property
    def public(self) -> bool:
        """May the other partner (and the summary / export) see it?"""
        return not self.sealed and (not self.private or self.shared)


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

    # -- text (rendered in trustdialog.engine.prompts) -------------------------

    @property
    def prompt(self) -> str:
        step = self.step
        return self.fill(step.text) if step else ""

    @property
    def template_parts(self) -> tuple[str | Field, ...]:
        """The current template split into literal text and the blanks to fill."""
        return prompts.template_parts(self)

    def fill(self, text: str) -> str:
        """`text` with role names and earlier public answers filled in."""
        return prompts.fill_template(text, self._resolve)

    def _resolve(self, name: str, role: str | None) -> str:
        return prompts.resolve(self, name, role)

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
