"""One reading of templates: model.split_template against a plain scanner, and checker and engine agree on it."""

from __future__ import annotations

import re
from collections import Counter
import tempfile
from pathlib import Path

import pytest
import tomli_w
from builders import begin, exercise, say
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustdialog.engine import MISSING
from trustdialog.exercise.library import build
from trustdialog.exercise.model import slots, split_template

ROLES = ("speaker", "listener")
NAMES = {"speaker": "Ada", "listener": "Ben"}  # partner a holds the first role in round 1
# Pieces that make brace trouble likely; no "s" (the step's own id) and no "…" or capitals (they mark fills).
PIECES = ["{", "}", "{{", "}}", "a", " ", "@", "-", "+", "1", "_y", "é", "{a}", "{a@speaker}", "{x-1@zz}", "{speaker}",
          "{listener}", "{speaker@listener}", "{1a}", "{a b}", "{}", "{a+b}", "{a+b@listener}", "{a+}"]
TEMPLATES = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _is_name(s: str) -> bool:
    return bool(s) and (s[0] == "_" or (s[0].isascii() and s[0].isalpha())) and all(
        c.isascii() and (c.isalnum() or c in "_-") for c in s)


def reference(template: str) -> list[tuple[object, bool]]:
    """A plain left-to-right scanner: `{{` `}}` are braces; `{name}`, `{name+name}` or `{name@role}` is a
    slot; else text."""
    out: list[tuple[object, bool]] = []
    text = ""
    i = 0
    while i < len(template):
        if template.startswith(("{{", "}}"), i):
            text += template[i]
            i += 2
            continue
        if template[i] == "{":
            close = template.find("}", i)
            inner = template[i + 1:close] if close >= 0 else ""
            name, _, role = inner.partition("@")
            if close >= 0 and all(map(_is_name, name.split("+"))) and ("@" not in inner or _is_name(role)):
                if text:
                    out.append((text, False))
                    text = ""
                out.append(((name, role or None), True))
                i = close + 1
                continue
        text += template[i]
        i += 1
    if text:
        out.append((text, False))
    return out


@pytest.mark.parametrize("template, expected", [
    ("{}{a}}", [("{}", False), (("a", None), True), ("}", False)]),
    ("{{a}}", [("{a}", False)]),
    ("{{{a}}}", [("{", False), (("a", None), True), ("}", False)]),
    ("{a@b@c}", [("{a@b@c}", False)]),
    ("{x {a@speaker}", [("{x ", False), (("a", "speaker"), True)]),
])
def test_split_template_examples(template, expected):
    assert list(split_template(template)) == expected == reference(template)
    assert slots(template) == [piece for piece, is_slot in expected if is_slot]


@SETTINGS
@given(TEMPLATES)
def test_split_template_reads_like_a_plain_scanner(template):
    assert list(split_template(template)) == reference(template)


def checker_slots(template: str) -> list[tuple[str, str | None]]:
    """The slots the checker complains about in a say step's text (none of them names an answer)."""
    doc = {"format": 1, "exercise": {"id": "t", "title": "T", "minutes": 1, "summary": "", "credit": "",
                                     "roles": list(ROLES)},
           "steps": [{"id": "s", "kind": "say", "by": "speaker", "text": template}]}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.toml"
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        lib = build([path], [])
    found = []
    for d in lib.diagnostics:
        assert d.code in ("TD049", "TD045"), str(d)
        if d.code == "TD049":
            slot = re.match(r"'\{(.*?)\}'(?:: '(.*?)')?", d.message)
            name, _, role = slot.group(1).partition("@")
            if slot.group(2) and slot.group(2) != name.split("+")[0]:
                continue  # a joined slot has a line for each name it does not know: count the slot once
            found.append((name, role or None))
    return found


@SETTINGS
@given(TEMPLATES)
def test_checker_and_engine_read_the_same_slots(template):
    pieces = reference(template)
    bare_roles = [p for p, is_slot in pieces if is_slot and p[1] is None and p[0] in ROLES]
    others = [p for p, is_slot in pieces if is_slot and p not in bare_roles]
    # The checker reports every slot that is not a bare role (nothing here fills one)...
    assert Counter(checker_slots(template)) == Counter(others)
    # ...and the engine fills exactly those with MISSING and the roles with names.
    expected = "".join(
        (NAMES[p[0]] if p in bare_roles else MISSING) if is_slot else p for p, is_slot in pieces)
    assert begin(exercise(say("s", text=template))).prompt == expected


def test_punctuation_joins_whatever_the_person_typed():
    from trustdialog.engine.prompts import join_text

    assert join_text(["When ", "you came in after ten.", ", I felt ", "scared", "."]) == \
        "When you came in after ten, I felt scared."
    assert join_text(["I imagine ", "the worst.", "."]) == "I imagine the worst."
    assert join_text(["When ", "you were late?", ", I felt ", "alone!", "."]) == \
        "When you were late? I felt alone!"
    assert join_text(["when you go to bed.", "; ", "I will text you"]) == "when you go to bed; I will text you"
    assert join_text(["When ", "late ", ", I felt"]) == "When late, I felt"
    assert join_text(["Wait...", ", I felt"]) == "Wait..., I felt"  # an ellipsis is kept
