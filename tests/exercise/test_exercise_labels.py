"""Steps carry a plain label for the partners; without one they read who acts and what they do, never the id."""

from __future__ import annotations

from pathlib import Path

from exercise_fixtures import GOOD
from trustdialog.exercise import check_paths
from trustdialog.exercise.model import Step

HEAD = 'format = 1\n[exercise]\nid = "labels"\ntitle = "Labels"\nminutes = 5\nsummary = "s"\n' \
       'roles = ["sharer", "first_partner"]\n'


def load(tmp_path: Path, steps: str):
    path = tmp_path / "labels.toml"
    path.write_text(HEAD + steps, encoding="utf-8")
    return check_paths([path])


def test_a_steps_label_is_read_and_shown(tmp_path):
    lib = load(tmp_path, '[[steps]]\nid = "voice"\nlabel = "Say what happened"\nkind = "prompt"\nby = "sharer"\n'
                         'text = "{sharer}, what happened?"\n')
    assert [str(d) for d in lib.diagnostics] == []
    step = lib.exercises["labels"].step("voice")
    assert step.label == "Say what happened"
    assert step.display_label() == "Say what happened"
    assert step.display_label({"sharer": "Ada"}) == "Say what happened"  # the author's words win


def test_a_label_that_is_not_text_is_a_type_error(tmp_path):
    lib = load(tmp_path, '[[steps]]\nid = "voice"\nlabel = 3\nkind = "say"\nby = "sharer"\ntext = "Hi."\n')
    assert [d.code for d in lib.diagnostics] == ["TD013"]


def test_the_good_fixture_label_reaches_the_model():
    lib = check_paths([GOOD / "full-tour.toml"], extra_dirs=[GOOD])
    assert lib.exercises["full-tour"].step("hello").display_label() == "Say hello"


def test_without_a_label_the_role_and_the_kind_are_said_in_plain_words():
    cases = {
        Step("s1", "prompt", "speaker", "t"): "Speaker: answer",
        Step("s2", "confirm", "listener", "t", on_no="s1"): "Listener: say if it is right",
        Step("s3", "say", "both", "t"): "Both of you: read this",
        Step("s4", "choose", "first_partner", "t"): "First partner: choose one",
        Step("s5", "prompt", "speaker", "t", label="   "): "Speaker: answer",
    }
    assert [s.display_label() for s in cases] == list(cases.values())
    for step in cases:
        assert step.id not in step.display_label()


def test_the_fallback_uses_the_partners_name_when_given():
    step = Step("mirror", "prompt", "listener", "t")
    assert step.display_label({"listener": "Ben", "speaker": "Ada"}) == "Ben: answer"
    assert Step("x", "say", "both", "t").display_label({"speaker": "Ada"}) == "Both of you: read this"


def test_a_label_is_one_line_as_shown():
    assert Step("x", "say", "both", "t", label="Say  what\nhappened ").display_label() == "Say what happened"
