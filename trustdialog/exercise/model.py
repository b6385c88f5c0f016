"""The validated, immutable exercise model that the checker builds and the engine runs."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, TypeVar

# Step kinds and field kinds of format 1.
STEP_KINDS = ("say", "prompt", "choose", "confirm")
FIELD_KINDS = ("text", "pick", "rating", "list")
# `by = "both"`: each partner answers the step; it completes when both have.
BOTH = "both"
# `next = "end"` ends the round (the next round starts, or the exercise ends).
END = "end"

# A template slot: `{name}` or `{name@role}` (the answer given by whoever holds
# that role now). `{voice+more}` joins names with "+": every answer to any of
# them in this round, in the order given (a statement and what was added after
# "not quite"). Doubled braces `{{` `}}` are literal braces.
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
SLOT_RE = re.compile(r"\{(" + _NAME + r"(?:\+" + _NAME + r")*)(?:@(" + _NAME + r"))?\}")
# Joins the names of a slot that quotes several answers.
JOIN = "+"

# `{{` and `}}` first, then a slot, then plain text, then a brace that opens nothing.
_TOKEN = re.compile(r"\{\{|\}\}|" + SLOT_RE.pattern + r"|[^{}]+|[{}]")

Slot = tuple[str, "str | None"]  # (name, role or None)


@functools.lru_cache(maxsize=1024)
def split_template(template: str) -> tuple[tuple[str | Slot, bool], ...]:
    """Literal pieces `(str, False)` and slots `((name, role), True)`, with `{{`/`}}` unescaped.

    The one reading of templates that the checker and the engine share. Read
    left to right like str.format: a brace that does not open a valid slot
    right where it stands ("{", "{1x}", "{a b}") is literal text. Cached: the
    UI asks for the prompt on every render, and templates are few.
    """
    out: list[tuple[str | Slot, bool]] = []
    text: list[str] = []
    for m in _TOKEN.finditer(template):
        if m.group(1):
            if text:
                out.append(("".join(text), False))
                text = []
            out.append(((m.group(1), m.group(2)), True))
        else:
            text.append(m.group()[0] if m.group() in ("{{", "}}") else m.group())
    if text:
        out.append(("".join(text), False))
    return tuple(out)


def slots(template: str) -> list[Slot]:
    """The (name, role-or-None) slots of a template, in order (as `split_template` reads it)."""
    return [piece for piece, _ in split_template(template) if isinstance(piece, tuple)]


def slot_names(name: str) -> tuple[str, ...]:
    """The answer names a slot quotes: ("voice", "more") for `{voice+more}`, ("voice",) for `{voice}`."""
    return tuple(name.split(JOIN))


_V = TypeVar("_V")


def _frozen(mapping: Mapping[str, _V] | None) -> Mapping[str, _V]:
    return MappingProxyType(dict(mapping or {}))


# What the partner who acts does at a step of each kind, for a step without a label.
_ACTIONS = {"say": "read this", "prompt": "answer", "choose": "choose one", "confirm": "say if it is right"}


def _role_words(role: str) -> str:
    """A role name as a word to show: "sharer" -> "Sharer", "first_partner" -> "First partner"."""
    words = " ".join(role.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Field:
    """One input of a prompt step: a blank of its template, or a labelled answer."""

    name: str
    kind: str = "text"  # text | pick | rating | list
    label: str = ""
    optional: bool = False
    # pick: offer words from this vocabulary; `free` lets the partner write their own.
    vocab: str | None = None
    free: bool = True
    # rating: an integer scale with a label at each end.
    # list: how many items (min..max); each item fills `item`, a template whose
    # slots are free-text blanks ("I will {what} by {when}").
    min: int = 1
    max: int = 5
    low: str = ""
    high: str = ""
    item: str | None = None

    @property
    def item_slots(self) -> tuple[str, ...]:
        return tuple(name for name, _ in slots(self.item)) if self.item else ()


@dataclass(frozen=True)
class Option:
    """One choice of a choose step; `next` branches, None falls through."""

    label: str
    next: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of a flow."""

    id: str
    kind: str  # say | prompt | choose | confirm
    by: str  # a role name, or "both"
    text: str
    next: str | None = None  # a step id, "end", or None to fall through
    timer: int | None = None  # seconds; a signal only, never cuts anyone off
    # prompt
    template: str | None = None
    fields: tuple[Field, ...] = ()
    hidden: bool = False  # by = "both": each answer hidden until both answered
    private: bool = False  # shown only to its writer; never in summary/export
    # choose
    options: tuple[Option, ...] = ()
    # confirm
    yes: str = "Yes"
    no: str = "Not quite"
    on_no: str | None = None
    max_loops: int = 3
    # what the partner without the floor is asked to do meanwhile (overrides
    # the exercise's guide for that role)
    guide: str | None = None
    # a short plain name for the step ("Say what happened"); see display_label
    label: str = ""

    def __post_init__(self) -> None:
        # A bare prompt is one free-text answer, named (and quoted) by the step id.
        if self.kind == "prompt" and not self.fields and not self.template:
            object.__setattr__(self, "fields", (Field(name=self.id),))

    def display_label(self, names: Mapping[str, str] | None = None) -> str:
        """The step's own label, or plain words from who acts and its kind ("Listener: answer").

        `names` maps role -> the partner's name, to say "Ada: answer" rather
        than "Speaker: answer". Never the step id: that is a name for the file.
        """
        if self.label.strip():
            return " ".join(self.label.split())
        if self.by == BOTH:
            who = "Both of you"
        else:
            who = (names or {}).get(self.by) or _role_words(self.by)
        return f"{who}: {_ACTIONS.get(self.kind, 'go on')}"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class Exercise:
    """A whole exercise: metadata, two roles, and its steps in file order."""

    id: str
    title: str
    minutes: int
    summary: str
    credit: str
    steps: tuple[Step, ...]
    tags: tuple[str, ...] = ()
    # Its place in the picker (lower first); None follows those with a place, by title.
    order: int | None = None
    roles: tuple[str, str] = ("speaker", "listener")
    rounds: int = 1
    swap_roles: bool = True
    # Its list answers are promises, checked in at the start of its next session.
    promises: bool = False
    # role -> the rules of that role (F1), and role -> a one-line guide shown
    # in the pane of the partner in that role while the other has the floor
    rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    guides: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None
    # step id -> its position; derived from `steps`, so it takes no part in equality
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", _frozen(self.rules))
        object.__setattr__(self, "guides", _frozen(self.guides))
        object.__setattr__(self, "_index", {s.id: i for i, s in enumerate(self.steps)})

    def __hash__(self) -> int:  # mappings are not hashable; identity is the id + path
        return hash((self.id, self.path))

    @property
    def shelf_key(self) -> tuple[bool, int, str, str]:
        """Where it stands in the library: by `order`, then (without one) by title, then id."""
        return (self.order is None, self.order or 0, self.title.casefold(), self.id)

    def step(self, step_id: str) -> Step:
        return self.steps[self._index[step_id]]

    def index(self, step_id: str) -> int:
        return self._index[step_id]

    def successor(self, step: Step, target: str | None) -> str:
        """Where `target` leads from `step`: a step id, or END."""
        if target is not None:
            return target
        i = self.index(step.id) + 1
        return self.steps[i].id if i < len(self.steps) else END
