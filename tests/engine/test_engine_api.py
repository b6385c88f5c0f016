"""The engine's public names: every name the tree imports from trustdialog.engine still resolves.

The engine is a package (events, state, prompts, transitions) and answer
checking is trustdialog.answers; the UI, the store, the export and the
benchmarks code against these names, imported from trustdialog.engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

from trustdialog import answers, engine
from trustdialog.engine import events, prompts, state

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = {"Event", "SessionState", "Answer", "Progress", "FlowError", "apply", "start", "replay", "valid_actions",
          "example_value", "MISSING", "PARTNERS", "EVENT_KINDS", "STEP_EVENTS", "READY", "ANSWERED", "CONTINUED",
          "CHOSE", "CONFIRMED", "SKIPPED", "PAUSED", "RESUMED", "ENDED", "NOT_NOW", "EventKind", "TURN_EVENTS",
          "allowed", "on_turn", "NUDGED", "CALLED", "CALL_ANSWERED", "ROOM_EVENTS"}


def _names_used() -> set[str]:
    """`from trustdialog.engine import X` and `engine.X` (after `from trustdialog import engine`)."""
    names: set[str] = set()
    for folder in ("trustdialog", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            if (ROOT / "trustdialog" / "engine") in path.parents:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imports_module = False
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "trustdialog.engine":
                    names |= {alias.name for alias in node.names}
                if isinstance(node, ast.ImportFrom) and node.module == "trustdialog":
                    imports_module |= any(alias.name == "engine" and not alias.asname for alias in node.names)
            if imports_module:
                names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                          and isinstance(node.value, ast.Name) and node.value.id == "engine"}
    return names


def test_every_name_imported_from_the_engine_resolves():
    used = _names_used()
    assert {"Event", "apply", "FlowError"} <= used  # the scan finds the imports at all
    missing = sorted(n for n in used | PUBLIC if not hasattr(engine, n))
    assert missing == []


def test_answer_names_are_the_same_objects_in_both_modules():
    assert engine.Answer is state.Answer
    assert engine.MISSING is prompts.MISSING
    assert engine.example_value is answers.example_value
    assert engine.READY is events.EventKind.READY
    assert set(engine.__all__) == PUBLIC


def test_a_bad_value_is_a_flow_error_from_the_engine_and_an_answer_error_below():
    import pytest
    from builders import begin, exercise, prompt

    from trustdialog.exercise.model import Field

    ex = exercise(prompt("p", fields=(Field("n", kind="rating", min=1, max=3),)))
    with pytest.raises(answers.AnswerError, match="from 1 to 3"):
        answers.check_values(ex.step("p"), {"n": 9})
    state = begin(ex)
    with pytest.raises(engine.FlowError, match="from 1 to 3"):
        engine.apply(state, engine.Event("answered", "a", step="p", round=1, data={"values": {"n": 9}}))
