"""Answer checking: whether the values a partner gives fit the step's fields (the engine's answer guard).

Pure, like the engine that uses it: no clock, no files, no UI. The engine turns
an `AnswerError` into its `FlowError`; rendering answers as text is
`trustdialog.engine.prompts`.
"""

from __future__ import annotations

from typing import Any, Mapping

from trustdialog.exercise.model import Field, Step


class AnswerError(ValueError):
    """Values that do not fit the step's fields; the message says which and why."""


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


def example_value(f: Field) -> Any:
    """A value for `f` that `check_values` accepts (for walking flows and tests)."""
    if f.kind == "rating":
        return f.min
    if f.kind == "list":
        item = {s: f"{s} 1" for s in f.item_slots} if f.item else f"{f.name} 1"
        return [item] * max(1, f.min)
    return f"{f.name}"
