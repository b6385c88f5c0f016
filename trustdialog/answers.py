"""Answers: checking the values a partner gives, and rendering them (and templates) as text.

Pure, like the engine that uses it: no clock, no files, no UI. The engine turns
an `AnswerError` into its `FlowError`; the template reading itself lives in
`trustdialog.exercise.model.split_template`, shared with the checker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from trustdialog.exercise.model import Field, Step, split_template

# What a missing (skipped, or private) answer reads as inside a prompt.
MISSING = "…"

# Resolves one slot, (name, role or None), to its text.
Resolver = Callable[[str, "str | None"], str]


class AnswerError(ValueError):
    """Values that do not fit the step's fields; the message says which and why."""


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


# -- templates ----------------------------------------------------------------


def fill_template(template: str, resolve: Resolver) -> str:
    """`template` with each slot replaced by what `resolve` gives for it."""
    return "".join(resolve(*piece) if is_slot else piece for piece, is_slot in split_template(template))


def fill_plain(template: str, values: Mapping[str, str]) -> str:
    """A list item's template filled from its own values (slot roles play no part there)."""
    return fill_template(template, lambda name, role: values.get(name, MISSING))


# -- checking -------------------------------------------------------------------


def check_values(step: Step, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a prompt answer, checked against the step's fields (empty optional ones left out)."""
    names = {f.name for f in step.fields}
    unknown = sorted(set(values) - names)
    if unknown:
        raise AnswerError(f"step {step.id!r} has no field {unknown[0]!r}")
    clean: dict[str, Any] = {}
    for f in step.fields:
        value = values.get(f.name)
        if _is_empty(value):
            if f.optional:
                continue
            raise AnswerError(f"{f.label or f.name!r} is still empty")
        clean[f.name] = _check_value(f, value)
    return clean


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(_is_empty_item(v) for v in value)
    return False


def _check_value(f: Field, value: Any) -> Any:
    name = f.label or f.name
    if f.kind in ("text", "pick"):
        if not isinstance(value, str):
            raise AnswerError(f"{name!r} takes text")
        return value  # stored exactly as typed
    if f.kind == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or not f.min <= value <= f.max:
            raise AnswerError(f"{name!r} takes a whole number from {f.min} to {f.max}")
        return value
    # list
    if not isinstance(value, (list, tuple)):
        raise AnswerError(f"{name!r} takes a list")
    items = [_check_item(f, item) for item in value if not _is_empty_item(item)]
    if not f.min <= len(items) <= f.max:
        raise AnswerError(f"{name!r} takes {f.min} to {f.max} items")
    return items


def _is_empty_item(item: Any) -> bool:
    if isinstance(item, Mapping):
        return all(isinstance(v, str) and not v.strip() for v in item.values())
    return isinstance(item, str) and not item.strip()


def _check_item(f: Field, item: Any) -> Any:
    if f.item:
        if not isinstance(item, Mapping) or set(item) != set(f.item_slots):
            raise AnswerError(f"each item of {f.label or f.name!r} fills: {', '.join(f.item_slots)}")
        for slot, text in item.items():
            if not isinstance(text, str) or not text.strip():
                raise AnswerError(f"{slot!r} of an item is still empty")
        return dict(item)
    if not isinstance(item, str):
        raise AnswerError(f"items of {f.label or f.name!r} are text")
    return item


# -- rendering ------------------------------------------------------------------


def render_value(f: Field, value: Any) -> str:
    """One field's value as text: "4 of 5", list items joined by "; ", text as it is."""
    if f.kind == "rating":
        return f"{value} of {f.max}"
    if f.kind == "list":
        rendered = [fill_plain(f.item, item) if f.item else item for item in value]
        return "; ".join(rendered)
    return str(value)


def render_answer(step: Step, values: Mapping[str, Any], resolve: Resolver) -> str:
    """A prompt answer as one text: its template filled, or its fields one per line."""
    if step.template:
        own = {f.name: f for f in step.fields}
        out = []
        for piece, is_slot in split_template(step.template):
            if is_slot and piece[1] is None and piece[0] in own:
                # An optional blank left empty reads as missing; it must not
                # borrow an earlier answer that has a field of the same name.
                value = values.get(piece[0])
                out.append(MISSING if value is None else render_value(own[piece[0]], value))
            elif is_slot:
                out.append(resolve(*piece))
            else:
                out.append(piece)  # type: ignore[arg-type]
        return "".join(out)
    shown = [f for f in step.fields if f.name in values]
    if len(step.fields) == 1 and shown:
        return render_value(shown[0], values[shown[0].name])
    return "\n".join(f"{f.label or f.name}: {render_value(f, values[f.name])}" for f in shown)


def example_value(f: Field) -> Any:
    """A valid value for `f` (for walking flows and tests)."""
    if f.kind == "rating":
        return f.min
    if f.kind == "list":
        item = {s: f"{s} 1" for s in f.item_slots} if f.item else f"{f.name} 1"
        return [item] * max(1, f.min)
    return f"{f.name}"
