"""JSON Schema (draft 2020-12) of format 1, built from the same key table the checker uses.

Each step kind and field kind is its own `if kind == ... then ...` branch (not
one big oneOf), so an editor says "options is not allowed" rather than "does
not match any of 4 schemas". `python -m trustdialog.exercise.schema` rewrites
the shipped schema.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustdialog.exercise import spec

SCHEMA_FILE = Path(__file__).with_name("schema.json")
_RESERVED = ["both", "end"]


def _prop(key: spec.Key) -> dict[str, Any]:
    by_type: dict[str, dict[str, Any]] = {
        "string": {"type": "string"},
        "integer": {"type": "integer"},
        "boolean": {"type": "boolean"},
        "strings": {"type": "array", "items": {"type": "string"}},
        "table": {"type": "object"},
        "tables": {"type": "array", "items": {"type": "object"}},
        "map": {"type": "object"},
    }
    out = by_type[key.type]
    out["description"] = key.doc
    if key.minimum is not None:
        out["minimum"] = key.minimum
    if key.maximum is not None:
        out["maximum"] = key.maximum
    if key.pattern:
        out["pattern"] = key.pattern
    if key.enum:
        out["enum"] = list(key.enum)
    return out


def _props(keys: dict[str, spec.Key]) -> dict[str, Any]:
    return {name: _prop(key) for name, key in keys.items()}


def _required(keys: dict[str, spec.Key], extra: tuple[str, ...] = ()) -> list[str]:
    return [name for name, key in keys.items() if key.required] + list(extra)


def _kind_branch(kind: str, keys: dict[str, spec.Key], required: tuple[str, ...], default: bool) -> dict[str, Any]:
    cond: dict[str, Any] = {"properties": {"kind": {"const": kind}}}
    if not default:
        cond["required"] = ["kind"]
    then: dict[str, Any] = {"properties": _props(keys)}
    need = _required(keys, required)
    if need:
        then["required"] = need
    return {"if": cond, "then": then}


def build() -> dict[str, Any]:
    """The schema as a dict."""
    exercise = _props(spec.EXERCISE)
    exercise["roles"].update(minItems=2, maxItems=2, uniqueItems=True,
                             items={"type": "string", "pattern": spec.NAME_PATTERN, "not": {"enum": _RESERVED}})
    exercise["rules"]["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
    exercise["guides"]["additionalProperties"] = {"type": "string"}
    for name in ("rules", "guides"):
        exercise[name]["propertyNames"] = {"pattern": spec.NAME_PATTERN}

    step_common = _props(spec.STEP_COMMON)
    step_common["id"]["not"] = {"const": "end"}
    step_branches = []
    for kind, keys in spec.STEP_KINDS.items():
        branch = _kind_branch(kind, keys, spec.STEP_REQUIRED[kind], default=False)
        props = branch["then"]["properties"]
        if kind == "prompt":
            props["fields"].update(propertyNames={"pattern": spec.NAME_PATTERN},
                                   additionalProperties={"$ref": "#/$defs/field"})
        if kind == "choose":
            props["options"].update(minItems=1, maxItems=spec.MAX_OPTIONS, items={"$ref": "#/$defs/option"})
        step_branches.append(branch)
    # hidden only makes sense when both answer
    step_branches.append({
        "if": {"properties": {"hidden": {"const": True}}, "required": ["hidden"]},
        "then": {"properties": {"by": {"const": "both", "description": "hidden = true needs by = \"both\""}}},
    })

    field_branches = [
        _kind_branch(kind, keys, (), default=(kind == "text")) for kind, keys in spec.FIELD_KINDS.items()
    ]

    group = _props(spec.GROUP)
    group["words"].update(minItems=1, uniqueItems=True)
    vocabulary = _props(spec.VOCABULARY)
    vocabulary["groups"].update(minItems=1, items={"$ref": "#/$defs/group"})

    top = _props(spec.TOP)
    top["format"] = {"const": spec.FORMAT, "description": spec.TOP["format"].doc}
    top["exercise"] = {"$ref": "#/$defs/exercise"}
    top["steps"] = {"type": "array", "minItems": 1, "maxItems": spec.MAX_STEPS, "items": {"$ref": "#/$defs/step"},
                    "description": spec.TOP["steps"].doc}
    top["vocabulary"] = {"$ref": "#/$defs/vocabulary"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:trustdialog:exercise-format:1",
        "title": "trustdialog exercise or vocabulary file, format 1",
        "description": "An exercise ([exercise] and [[steps]]) or a vocabulary ([vocabulary]). "
        "Cross-references (jumps, slots, vocabularies, loops) are checked by `trustdialog check`.",
        "type": "object",
        "required": ["format"],
        "properties": top,
        "additionalProperties": False,
        "if": {"required": ["vocabulary"]},
        "then": {"not": {"anyOf": [{"required": ["exercise"]}, {"required": ["steps"]}]}},
        "else": {"required": ["exercise", "steps"]},
        "$defs": {
            "exercise": {"type": "object", "description": spec.TOP["exercise"].doc, "properties": exercise,
                         "required": _required(spec.EXERCISE), "additionalProperties": False},
            "step": {
                "type": "object",
                "description": "One step: say | prompt | choose | confirm.",
                "properties": step_common,
                "required": _required(spec.STEP_COMMON),
                "allOf": step_branches,
                "unevaluatedProperties": False,
            },
            "option": {"type": "object", "properties": _props(spec.OPTION), "required": _required(spec.OPTION),
                       "additionalProperties": False},
            "field": {
                "type": "object",
                "description": "One input: text | pick | rating | list.",
                "properties": _props(spec.FIELD_COMMON),
                "allOf": field_branches,
                "unevaluatedProperties": False,
            },
            "vocabulary": {"type": "object", "description": spec.TOP["vocabulary"].doc, "properties": vocabulary,
                           "required": _required(spec.VOCABULARY), "additionalProperties": False},
            "group": {"type": "object", "properties": group, "required": _required(spec.GROUP),
                      "additionalProperties": False},
        },
    }


def schema_text() -> str:
    """The schema as the JSON text that `trustdialog schema` prints and schema.json holds."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
