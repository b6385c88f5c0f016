"""Structure of one parsed file: keys, types, required fields, kinds; builds the model objects.

Invalid values are reported and replaced by defaults, so the cross-reference
checks still run on the rest of the file and every problem shows in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from trustdialog.exercise import plaintext, spec
from trustdialog.exercise.diagnostics import closest, did_you_mean
from trustdialog.exercise.locator import Key
from trustdialog.exercise.model import BOTH, END, Exercise, Field, Option, Step
from trustdialog.exercise.reader import Source
from trustdialog.exercise.vocabulary import Group, Vocabulary

_NAME = re.compile(spec.NAME_PATTERN)
_TYPE_WORDS = {
    "string": "text in quotes",
    "integer": "a whole number",
    "boolean": "true or false",
    "strings": "an array of texts",
    "table": "a table",
    "tables": "an array of tables",
    "map": "a table",
}


@dataclass
class Parsed:
    """What one file holds once its structure is checked."""

    source: Source
    exercise: Exercise | None = None
    vocabulary: Vocabulary | None = None
    # index of each model step in the file's [[steps]] array (for positions)
    step_rows: list[int] = field(default_factory=list)


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("table", "map"):
        return isinstance(value, dict)
    if kind in ("strings", "tables"):
        return isinstance(value, list)
    return True


def _big(number: int) -> str:
    """A number as the message shows it: a huge one by its size, not its hundred digits."""
    text = f"{number:,}"
    sign = "negative " if number < 0 else ""
    return text if len(text) <= 30 else f"a {sign}number of {len(str(abs(number)))} digits"


def _type_name(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a decimal number", str: "text", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)


def check_keys(
    src: Source, table: dict[str, Any], keys: dict[str, spec.Key], path: tuple[Key, ...], where: str,
    elsewhere: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Report unknown, missing and mistyped keys of `table`; return the valid values."""
    clean: dict[str, Any] = {}
    for name, value in table.items():
        if name in keys:
            continue
        if elsewhere and name in elsewhere:
            src.report("TD021", f"'{name}' is {elsewhere[name]}, not in {where}", path + (name,))
        else:
            src.report("TD012", f"unknown key '{name}' in {where}{did_you_mean(name, keys)}", path + (name,))
    for name, key in keys.items():
        if name not in table:
            if key.required:
                src.report("TD014", f"{where} needs '{name}' ({key.doc.rstrip('.')})", path)
            continue
        value = table[name]
        at = path + (name,)
        if not _type_ok(key.type, value):
            src.report("TD013", f"'{name}' must be {_TYPE_WORDS[key.type]}, not {_type_name(value)}", at, value=True)
            continue
        if key.type == "strings":
            bad = [i for i, v in enumerate(value) if not isinstance(v, str)]
            if bad:
                src.report("TD013", f"'{name}' must hold only texts; item {bad[0] + 1} is "
                           f"{_type_name(value[bad[0]])}", at + (bad[0],), value=True)
                continue
        if key.type == "tables":
            bad = [i for i, v in enumerate(value) if not isinstance(v, dict)]
            if bad:
                src.report("TD013", f"each of '{name}' must be a table; item {bad[0] + 1} is "
                           f"{_type_name(value[bad[0]])}", at + (bad[0],), value=True)
                value = [v for v in value if isinstance(v, dict)]
        if key.minimum is not None and value < key.minimum:
            src.report("TD019", f"'{name}' must be at least {key.minimum}, not {_big(value)}", at, value=True)
            continue
        if key.maximum is not None and value > key.maximum:
            src.report("TD036", f"'{name}' may be at most {key.maximum:,}, not {_big(value)}", at, value=True)
            continue
        if key.pattern and not re.match(key.pattern, value):
            what = "lowercase letters, digits and single hyphens" if key.pattern == spec.ID_PATTERN else \
                "letters, digits, '_' and '-', starting with a letter or '_'"
            src.report("TD018", f"'{name}' = {value!r}: use {what}", at, value=True)
            continue
        if key.enum and value not in key.enum:
            continue  # the caller reports unknown kinds with its own code
        clean[name] = value
    return clean


def check_format(src: Source) -> bool:
    data = src.data
    if "format" not in data:
        src.report("TD010", "add 'format = 1' at the top of the file")
        return False
    fmt = data["format"]
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        src.report("TD013", f"'format' must be a whole number, not {_type_name(fmt)}", ("format",), value=True)
        return False
    if fmt != spec.FORMAT:
        src.report("TD011", f"format {fmt} is not supported; this trustdialog reads format {spec.FORMAT}",
                   ("format",), value=True)
        return False
    return True


def parse(src: Source) -> Parsed:
    """Check the structure of `src` and build its exercise or vocabulary."""
    data = src.data
    out = Parsed(src)
    format_ok = check_format(src)
    plaintext.check(src)
    is_vocab = "vocabulary" in data and "exercise" not in data and "steps" not in data
    if not is_vocab and "exercise" not in data and "steps" not in data:
        src.report("TD029", "no [exercise] table with [[steps]], and no [vocabulary] table")
        return out
    if is_vocab:
        top = {"format": replace(spec.TOP["format"], required=False), "vocabulary": spec.TOP["vocabulary"]}
        check_keys(src, data, top, (), "a vocabulary file", {
            "exercise": "for exercise files", "steps": "for exercise files"})
        if format_ok:
            out.vocabulary = _vocabulary(src, data["vocabulary"])
        return out
    # `format` was checked above with its own codes.
    top = {"format": replace(spec.TOP["format"], required=False),
           "exercise": replace(spec.TOP["exercise"], required=True),
           "steps": replace(spec.TOP["steps"], required=True)}
    clean = check_keys(src, data, top, (), "an exercise file", {"vocabulary": "for vocabulary files"})
    meta = clean.get("exercise", {})
    info = check_keys(src, meta, spec.EXERCISE, ("exercise",), "[exercise]") if "exercise" in clean else {}
    roles = _roles(src, info)
    for name in ("rules", "guides"):
        info[name] = _role_map(src, info.get(name, {}), name, roles, spec.EXERCISE[name].item)
    raw_rows = data.get("steps")
    rows: list[Any] = raw_rows if isinstance(raw_rows, list) else []
    if len(rows) > spec.MAX_STEPS:
        src.report("TD019", f"{len(rows):,} steps; an exercise may have at most {spec.MAX_STEPS}", ("steps",))
        rows = []
    steps: list[Step] = []
    for row, table in enumerate(rows):
        if isinstance(table, dict):
            steps.append(_step(src, table, ("steps", row), roles))
            out.step_rows.append(row)
    if "steps" in clean and not data["steps"]:
        src.report("TD022", "the exercise has no steps; add [[steps]] tables", ("steps",))
    if not format_ok:
        return out
    out.exercise = Exercise(
        id=info.get("id", ""),
        title=info.get("title", ""),
        minutes=info.get("minutes", 1),
        summary=info.get("summary", ""),
        credit=info.get("credit", ""),
        steps=tuple(steps),
        tags=tuple(info.get("tags", ())),
        order=info.get("order"),
        roles=roles,
        rounds=info.get("rounds", 1),
        swap_roles=info.get("swap_roles", True),
        promises=info.get("promises", False),
        rules=info["rules"],
        guides=info["guides"],
        path=src.path,
    )
    return out


def _roles(src: Source, info: dict[str, Any]) -> tuple[str, str]:
    roles = info.get("roles")
    if roles is None:
        return ("speaker", "listener")
    at = ("exercise", "roles")
    if len(roles) != 2 or roles[0] == roles[1]:
        src.report("TD020", "'roles' must be two different names, like [\"speaker\", \"listener\"]", at, value=True)
        return ("speaker", "listener")
    for i, role in enumerate(roles):
        if not _NAME.match(role) or role in (BOTH, END):
            src.report("TD020", f"role {role!r} cannot be a role name: use letters, digits, '_' or '-'"
                       f"{', and not both or end' if role in (BOTH, END) else ''}", at + (i,), value=True)
            return ("speaker", "listener")
    return (roles[0], roles[1])


def _role_map(
    src: Source, table: dict[str, Any], name: str, roles: tuple[str, str], item: str | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for role, value in table.items():
        at = ("exercise", name, role)
        if role not in roles:
            src.report("TD030", f"'{name}' names '{role}', which is not a role ({' or '.join(roles)})"
                       f"{did_you_mean(role, roles)}", at)
            continue
        if item == "string" and not isinstance(value, str):
            src.report("TD013", f"'{name}.{role}' must be text, not {_type_name(value)}", at, value=True)
        elif item == "strings" and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            src.report("TD013", f"'{name}.{role}' must be an array of texts", at, value=True)
        else:
            out[role] = tuple(value) if item == "strings" else value
    return out



def _keys_for_kind(
    common: dict[str, spec.Key], kinds: dict[str, dict[str, spec.Key]], kind: str | None, noun: str,
) -> tuple[dict[str, spec.Key], dict[str, str]]:
    """The keys a table of `kind` may have, and for each other kind's key where it belongs.

    With no kind (missing, or one that is not known and close to none), a key
    of any kind is taken: which kind it belongs to cannot be told yet, and the
    kind's own problem is already reported.
    """
    keys = dict(common)
    elsewhere: dict[str, str] = {}
    if kind is None:
        for extra in kinds.values():
            keys.update({k: replace(v, required=False) for k, v in extra.items()})
        return keys, elsewhere
    for other, extra in kinds.items():
        if other == kind:
            keys.update(extra)
        else:
            elsewhere.update({k: f"for {other} {noun}" for k in extra if k not in keys})
    return keys, elsewhere


def _step(src: Source, table: dict[str, Any], at: tuple[str, int], roles: tuple[str, str]) -> Step:
    raw_kind = table.get("kind")
    kind = raw_kind if isinstance(raw_kind, str) and raw_kind in spec.STEP_KINDS else None
    if "kind" in table and kind is None and isinstance(raw_kind, str):
        src.report("TD015", f"unknown step kind {raw_kind!r}; use say, prompt, choose or confirm"
                   f"{did_you_mean(raw_kind, spec.STEP_KINDS)}", at + ("kind",), value=True)
        # A slip ("promt") is checked as the kind it is close to, so its other
        # keys are not also reported as belonging to some other kind.
        kind = closest(raw_kind, spec.STEP_KINDS)
    keys, elsewhere = _keys_for_kind(spec.STEP_COMMON, spec.STEP_KINDS, kind, "steps")
    if kind:
        keys = {k: (replace(v, required=True) if k in spec.STEP_REQUIRED[kind] else v) for k, v in keys.items()}
    where = f"{kind} step" if kind else "step"
    step_id = table.get("id") if isinstance(table.get("id"), str) else f"#{at[-1] + 1}"
    where = f"{where} '{step_id}'"
    # Codes with their own meaning for these two, before the generic "missing" check.
    if kind == "confirm" and "on_no" not in table:
        src.report("TD025", f"{where} needs 'on_no': the step \"not quite\" loops back to", at)
        keys["on_no"] = spec.STEP_KINDS["confirm"]["on_no"]
    options_raw = table.get("options")
    if kind == "choose" and isinstance(options_raw, list) and len(options_raw) > spec.MAX_OPTIONS:
        src.report("TD019", f"{len(options_raw):,} options; a step may have at most {spec.MAX_OPTIONS}",
                   at + ("options",))
    if kind == "choose" and ("options" not in table or table.get("options") == []):
        src.report("TD023", f"{where} needs 'options', at least one", at + (("options",) if "options" in table else ()))
        keys["options"] = spec.STEP_KINDS["choose"]["options"]
    v = check_keys(src, table, keys, at, where, elsewhere)
    by = v.get("by", roles[0])
    if "by" in v and by not in roles and by != BOTH:
        src.report("TD017", f"by = {by!r} is not a role; use {roles[0]!r}, {roles[1]!r} or 'both'"
                   f"{did_you_mean(by, roles + (BOTH,))}", at + ("by",), value=True)
        by = roles[0]
    if by == BOTH and kind in ("choose", "confirm"):
        # The engine takes the first partner's choice and moves on: the other
        # never gets a say, which by = "both" seems to promise.
        decides = "chooses" if kind == "choose" else "answers"
        src.report("TD035", f"{where} is by \"both\", but whoever {decides} first decides for both partners; "
                   f"let one role decide: by = \"{roles[0]}\" or by = \"{roles[1]}\"", at + ("by",), value=True)
    if v.get("hidden") and by != BOTH and "by" in v:
        src.report("TD024", f"hidden = true needs by = \"both\" ({where} is by {v['by']!r})", at + ("hidden",))
    fields = tuple(_field(src, name, value, at + ("fields", name)) for name, value in v.get("fields", {}).items())
    options = tuple(_option(src, o, at + ("options", i), i + 1) for i, o in enumerate(v.get("options", [])[: spec.MAX_OPTIONS])
                    if kind == "choose" and isinstance(o, dict))
    return Step(
        id=v.get("id", f"step-{at[-1] + 1}"),
        kind=kind or "say",
        by=by,
        text=v.get("text", ""),
        label=v.get("label", ""),
        next=v.get("next"),
        timer=v.get("timer"),
        template=v.get("template"),
        fields=tuple(f for f in fields if f is not None),
        hidden=v.get("hidden", False),
        private=v.get("private", False),
        options=options,
        yes=v.get("yes", "Yes"),
        no=v.get("no", "Not quite"),
        on_no=v.get("on_no"),
        max_loops=v.get("max_loops", 3),
        guide=v.get("guide"),
    )


def _field(src: Source, name: str, table: Any, at: tuple[Key, ...]) -> Field | None:
    if not _NAME.match(name):
        src.report("TD018", f"field name {name!r}: use letters, digits, '_' and '-', starting with a letter", at)
        return None
    if not isinstance(table, dict):
        src.report("TD013", f"field '{name}' must be a table like {{ label = \"...\" }}, not {_type_name(table)}",
                   at, value=True)
        return None
    raw_kind = table.get("kind", "text")
    kind = raw_kind if isinstance(raw_kind, str) and raw_kind in spec.FIELD_KINDS else None
    if kind is None and isinstance(raw_kind, str):
        src.report("TD016", f"unknown field kind {raw_kind!r}; use text, pick, rating or list"
                   f"{did_you_mean(raw_kind, spec.FIELD_KINDS)}", at + ("kind",), value=True)
        kind = closest(raw_kind, spec.FIELD_KINDS)  # as for step kinds: no cascade of TD021
    keys, elsewhere = _keys_for_kind(spec.FIELD_COMMON, spec.FIELD_KINDS, kind, "fields")
    if kind == "pick" and "vocab" not in table:
        src.report("TD028", f"pick field '{name}' needs 'vocab': the vocabulary to offer words from", at)
        keys["vocab"] = replace(keys["vocab"], required=False)
    v = check_keys(src, table, keys, at, f"{kind or ''} field '{name}'".strip(), elsewhere)
    lo, hi = v.get("min", 1), v.get("max", 5)
    if any(k in table and k not in v for k in ("min", "max")):
        # One end was refused (and reported): comparing the other with a
        # default would only add a second, confusing problem.
        lo, hi = 1, 5
    if kind == "rating" and lo >= hi:
        src.report("TD026", f"rating '{name}': min ({lo}) must be below max ({hi})", at + ("min",), value=True)
        lo, hi = 1, 5
    if kind == "list" and lo > hi:
        src.report("TD027", f"list '{name}': min ({lo}) is above max ({hi})", at + ("min",), value=True)
        lo, hi = 1, 5
    return Field(
        name=name,
        kind=kind or "text",
        label=v.get("label", ""),
        optional=v.get("optional", False),
        vocab=v.get("vocab"),
        free=v.get("free", True),
        min=lo,
        max=hi,
        low=v.get("low", ""),
        high=v.get("high", ""),
        item=v.get("item"),
    )


def _option(src: Source, table: dict[str, Any], at: tuple[Key, ...], number: int) -> Option:
    v = check_keys(src, table, spec.OPTION, at, f"option {number}")
    return Option(label=v.get("label", ""), next=v.get("next"))


def _vocabulary(src: Source, table: Any) -> Vocabulary | None:
    at = ("vocabulary",)
    if not isinstance(table, dict):
        return None  # reported by check_keys as a wrong type
    v = check_keys(src, table, spec.VOCABULARY, at, "[vocabulary]")
    groups = []
    seen: dict[str, tuple[int, int]] = {}
    for i, g in enumerate(table.get("groups", []) if "groups" in v else []):
        if not isinstance(g, dict):
            continue
        gv = check_keys(src, g, spec.GROUP, at + ("groups", i), f"group {i + 1}")
        words = gv.get("words", [])
        if "words" in gv and not words:
            src.report("TD032", f"group {gv.get('id', i + 1)!r} has no words", at + ("groups", i, "words"))
        for j, w in enumerate(words):
            if w.strip().lower() in seen:
                src.report("TD032", f"word {w!r} is already in this vocabulary", at + ("groups", i, "words", j),
                           value=True)
            seen.setdefault(w.strip().lower(), (i, j))
        groups.append(Group(id=gv.get("id", ""), title=gv.get("title", gv.get("id", "")),
                            family=gv.get("family", ""), words=tuple(words)))
    if "groups" in v and not groups:
        src.report("TD032", "the vocabulary has no groups of words", at + ("groups",))
    return Vocabulary(id=v.get("id", ""), title=v.get("title", ""), groups=tuple(groups),
                      note=v.get("note", ""), path=src.path)
