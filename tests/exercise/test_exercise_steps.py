"""What the checker says about choose and confirm steps: quoting a choice, and `by = "both"` on a decision."""

from __future__ import annotations

import pytest

from trustdialog import engine
from trustdialog.exercise import check_paths

HEAD = """format = 1
[exercise]
id = "steps"
title = "Steps"
minutes = 5
summary = "Choose and confirm."
"""
CHOOSE = """
[[steps]]
id = "topic"
kind = "choose"
by = "{by}"
text = "What now?"
options = [{{ label = "Money" }}, {{ label = "Chores" }}]
"""
CONFIRM = """
[[steps]]
id = "ok"
kind = "confirm"
by = "{by}"
text = "Ready?"
on_no = "ok"
max_loops = 1
"""
SAY = """
[[steps]]
id = "after"
kind = "say"
by = "speaker"
text = "{text}"
"""


def check(tmp_path, *steps: str):
    path = tmp_path / "steps.toml"
    path.write_text(HEAD + "".join(steps), encoding="utf-8")
    return check_paths([path])


def test_a_later_step_may_quote_a_choice(tmp_path):
    lib = check(tmp_path, CHOOSE.format(by="speaker"), SAY.format(text="We talk about {topic}."))
    assert [str(d) for d in lib.diagnostics] == []
    ex = lib.exercises["steps"]
    state = engine.replay(ex, {"a": "Ada", "b": "Ben"}, [
        engine.Event("ready", "a"), engine.Event("ready", "b"),
        engine.Event("chose", "a", step="topic", round=1, data={"option": 0}),
    ])
    assert state.prompt == "We talk about Money."


def test_quoting_a_choice_before_it_is_made_is_still_reported(tmp_path):
    lib = check(tmp_path, SAY.format(text="About {topic}?"), CHOOSE.format(by="speaker"))
    assert [d.code for d in lib.diagnostics] == ["TD044"]


@pytest.mark.parametrize("kind, step", [("say", SAY.format(text="Hello.")), ("confirm", CONFIRM.format(by="speaker"))])
def test_quoting_a_say_or_confirm_step_still_warns(tmp_path, kind, step):
    quoted = "after" if kind == "say" else "ok"
    lib = check(tmp_path, step, SAY.format(text=f"Then {{{quoted}}}.").replace('id = "after"', 'id = "then"'))
    (d,) = lib.diagnostics
    assert (d.code, d.severity) == ("TD051", "warning")
    assert f"quotes a {kind} step" in d.message


@pytest.mark.parametrize("template, kind, verb", [(CHOOSE, "choose", "chooses"), (CONFIRM, "confirm", "answers")])
def test_a_decision_by_both_warns_and_suggests_one_role(tmp_path, template, kind, verb):
    lib = check(tmp_path, template.format(by="both"))
    (d,) = lib.diagnostics
    assert (d.code, d.severity) == ("TD035", "warning")
    assert f"whoever {verb} first decides for both partners" in d.message
    assert 'by = "speaker" or by = "listener"' in d.message
    text = (tmp_path / "steps.toml").read_text().splitlines()
    assert text[d.line - 1][d.col - 1:].startswith('"both"')  # placed on the value
    assert not lib.errors and "steps" in lib.exercises  # a warning: the exercise still loads


@pytest.mark.parametrize("template", [CHOOSE, CONFIRM])
def test_a_decision_by_one_role_is_quiet(tmp_path, template):
    assert check(tmp_path, template.format(by="listener")).diagnostics == []


def test_say_and_prompt_by_both_are_quiet(tmp_path):
    prompt = '\n[[steps]]\nid = "rate"\nkind = "prompt"\nby = "both"\ntext = "Rate it."\n'
    lib = check(tmp_path, SAY.format(text="Hello.").replace('"speaker"', '"both"'), prompt)
    assert lib.diagnostics == []
