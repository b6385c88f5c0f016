"""Hidden "both" steps: who answers now at a shared screen, and both answers side by side once open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trustdialog.engine.events import PARTNERS
from trustdialog.engine.prompts import MISSING, render_value
from trustdialog.exercise.model import BOTH, END, Field, Step

if TYPE_CHECKING:
    from trustdialog.engine.state import Answer, SessionState

# Two ratings this far apart (or further) are named in words ("differ by 3"):
# one point is noise in how people use a scale, two is worth talking about.
DIFFER = 2
PRIVATE = "(kept private)"


@dataclass(frozen=True)
class RevealRow:
    """One item of a reveal: what it asked, and each partner's answer (A's first)."""

    label: str
    texts: tuple[str, str]
    numbers: tuple[int | None, int | None] = (None, None)  # ratings only

    @property
    def rating(self) -> bool:
        return any(n is not None for n in self.numbers)

    @property
    def apart(self) -> int | None:
        """How many points two ratings are apart; None unless both rated it."""
        a, b = self.numbers
        return abs(a - b) if a is not None and b is not None else None

    @property
    def note(self) -> str:
        """The difference in words, when it is worth noticing ("" otherwise)."""
        apart = self.apart
        return f"differ by {apart}" if apart is not None and apart >= DIFFER else ""


@dataclass(frozen=True)
class Reveal:
    """Both partners' answers to one hidden step, opened now that both have answered."""

    step: str
    label: str  # the step's plain label (never its id)
    names: tuple[str, str]  # partner A's name, partner B's
    rows: tuple[RevealRow, ...]
    scale: str = ""  # for ratings: what the numbers mean ("1 rarely … 5 almost always")

    @property
    def differences(self) -> int:
        """How many items the partners rated `DIFFER` points apart or more."""
        return sum(1 for row in self.rows if row.note)


def hidden_both(step: Step | None) -> bool:
    """Is `step` answered by both, each answer hidden until both have answered?"""
    return step is not None and step.kind == "prompt" and step.by == BOTH and step.hidden


def one_at_a_time(state: SessionState) -> str | None:
    """At one screen shared by both partners, who answers the hidden step now.

    Both forms open at once would put one partner's answers in front of the
    other; so at a shared screen partner A answers first, then B. None when
    the current step is not a hidden "both" step, or both have answered. On
    their own connections each partner answers in their own pane, in any order.
    """
    if state.phase != "step" or not hidden_both(state.step):
        return None
    return next((p for p in PARTNERS if p not in state.answered), None)


def answers_later(state: SessionState, partner: str) -> bool:
    """At a shared screen, does `partner` wait for the other to answer the hidden step first?"""
    now = one_at_a_time(state)
    return now is not None and partner != now and partner not in state.answered


def revealed(state: SessionState) -> Reveal | None:
    """Both answers of the hidden step just completed, for the step it leads to.

    The reveal belongs to the step that follows a hidden "both" step (usually a
    "say" step: "see both answers"), while nobody has answered anything since.
    None elsewhere, and never before both have answered.
    """
    if state.phase != "step" or state.step is None or len(state.answers) < 2:
        return None
    last, before = state.answers[-1], state.answers[-2]
    if last.step != before.step or last.round != before.round or last.round != state.round:
        return None
    step = state.exercise.step(last.step)
    if not hidden_both(step) or {last.partner, before.partner} != set(PARTNERS):
        return None
    if last.sealed or before.sealed:
        return None
    target = state.exercise.successor(step, step.next)
    if target == END or target != state.step_id:
        return None
    by = {a.partner: a for a in (before, last)}
    answers = (by["a"], by["b"])
    names = (state.names["a"], state.names["b"])
    label = step.display_label({role: state.names[state.partner_in(role)] for role in state.exercise.roles})
    if step.template:
        texts = (_text(answers[0], answers[0].text), _text(answers[1], answers[1].text))
        rows: tuple[RevealRow, ...] = (RevealRow(label, texts),)
    else:
        rows = tuple(_row(f, answers, label if len(step.fields) == 1 else None) for f in step.fields)
    return Reveal(step.id, label, names, rows, _scale(step.fields))


def _row(f: Field, answers: tuple[Answer, Answer], label: str | None) -> RevealRow:
    texts = []
    numbers: list[int | None] = []
    for answer in answers:
        value: Any = answer.values.get(f.name) if answer.public else None
        numbers.append(value if f.kind == "rating" and isinstance(value, int) else None)
        if f.kind == "rating":
            texts.append(_text(answer, MISSING if value is None else str(value)))
        else:
            texts.append(_text(answer, MISSING if value is None else render_value(f, value)))
    name = label or f.label or " ".join(f.name.replace("_", " ").replace("-", " ").split()).capitalize()
    return RevealRow(name, (texts[0], texts[1]), (numbers[0], numbers[1]))


def _text(answer: Answer, text: str) -> str:
    return text if answer.public else PRIVATE


def _scale(fields: tuple[Field, ...]) -> str:
    """What the numbers mean, when every rating of the step shares one scale."""
    scales = {(f.min, f.max, f.low, f.high) for f in fields if f.kind == "rating"}
    if len(scales) != 1:
        return ""
    low, high, low_word, high_word = scales.pop()
    if not (low_word or high_word):
        return f"{low} to {high}"
    return f"{low} = {low_word or low} … {high} = {high_word or high}"
