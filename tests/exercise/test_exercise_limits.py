"""Upper limits of numbers (TD036): at the limit is fine, one above is an error placed on the value."""

from __future__ import annotations

import pytest

from trustdialog.exercise import check_paths, spec
from trustdialog.exercise.schema import build

HEAD = 'format = 1\n[exercise]\nid = "x"\ntitle = "x"\nsummary = "s"\n'
PROMPT = '[[steps]]\nid = "ask"\nkind = "prompt"\nby = "speaker"\ntext = "Say it."\n'
CONFIRM = '[[steps]]\nid = "ok"\nkind = "confirm"\nby = "listener"\ntext = "Heard?"\non_no = "ask"\n'


def exercise(minutes=5, extra_exercise="", prompt_extra="", confirm_extra=""):
    return (HEAD + f"minutes = {minutes}\n{extra_exercise}\n" + PROMPT + prompt_extra + "\n" + CONFIRM
            + confirm_extra + "\n")


# (what, file text with {n}, the limit); the value is always on the last line written for it
CASES = {
    "minutes": (lambda n: exercise(minutes=n), spec.MAX_MINUTES),
    "rounds": (lambda n: exercise(extra_exercise=f"rounds = {n}"), spec.MAX_ROUNDS),
    "timer": (lambda n: exercise(prompt_extra=f"timer = {n}"), spec.MAX_TIMER),
    "max_loops": (lambda n: exercise(confirm_extra=f"max_loops = {n}"), spec.MAX_LOOPS),
    "list max": (lambda n: exercise(prompt_extra=f'fields.items = {{ kind = "list", max = {n} }}'),
                 spec.MAX_LIST_ITEMS),
    "list min": (lambda n: exercise(prompt_extra=f'fields.items = {{ kind = "list", min = {n}, max = 50 }}'),
                 spec.MAX_LIST_ITEMS),
    "rating max": (lambda n: exercise(prompt_extra=f'fields.score = {{ kind = "rating", max = {n} }}'),
                   spec.MAX_RATING),
}


def check_text(tmp_path, text):
    path = tmp_path / "x.toml"
    path.write_text(text)
    return path, check_paths([path])


@pytest.mark.parametrize("what", CASES)
def test_a_number_at_its_limit_is_accepted(tmp_path, what):
    make, limit = CASES[what]
    _, lib = check_text(tmp_path, make(limit))
    assert [str(d) for d in lib.diagnostics] == []


@pytest.mark.parametrize("what", CASES)
@pytest.mark.parametrize("above", [1, 10**9, 10**11, 2**63 - 1, 10**32])
def test_a_number_above_its_limit_is_td036_on_the_value(tmp_path, what, above):
    make, limit = CASES[what]
    value = limit + above
    path, lib = check_text(tmp_path, make(value))
    assert [d.code for d in lib.diagnostics] == ["TD036"], [str(d) for d in lib.diagnostics]
    d = lib.diagnostics[0]
    assert f"at most {limit:,}" in d.message
    line = path.read_text().split("\n")[d.line - 1]
    assert line[d.col - 1:].startswith(str(value)), (line, d.col)
    assert lib.exercises == {}


def test_a_huge_number_is_named_by_its_size_not_its_digits(tmp_path):
    _, lib = check_text(tmp_path, exercise(minutes=10**32))
    assert str(lib.diagnostics[0]).endswith("error TD036: 'minutes' may be at most 600, not a number of 33 digits")


def test_a_negative_rating_min_is_td019(tmp_path):
    _, lib = check_text(tmp_path, exercise(prompt_extra='fields.score = { kind = "rating", min = -1000000000 }'))
    assert [d.code for d in lib.diagnostics] == ["TD019"]
    assert "'min' must be at least 0, not -1,000,000,000" in lib.diagnostics[0].message


def test_the_schema_says_the_same_limits():
    schema = build()
    assert schema["$defs"]["exercise"]["properties"]["minutes"]["maximum"] == spec.MAX_MINUTES
    assert schema["$defs"]["exercise"]["properties"]["rounds"]["maximum"] == spec.MAX_ROUNDS
    steps = {b["if"]["properties"]["kind"]["const"]: b["then"]["properties"]
             for b in schema["$defs"]["step"]["allOf"] if "kind" in b["if"].get("properties", {})}
    assert steps["confirm"]["max_loops"]["maximum"] == spec.MAX_LOOPS
    assert schema["$defs"]["step"]["properties"]["timer"]["maximum"] == spec.MAX_TIMER
    fields = {b["if"]["properties"]["kind"]["const"]: b["then"]["properties"]
              for b in schema["$defs"]["field"]["allOf"]}
    assert fields["list"]["max"]["maximum"] == spec.MAX_LIST_ITEMS
    assert fields["rating"]["max"]["maximum"] == spec.MAX_RATING
    assert fields["rating"]["min"]["minimum"] == 0


def test_a_hugely_negative_number_is_named_by_its_size(tmp_path):
    _, lib = check_text(tmp_path, exercise(minutes=-10**40))
    assert str(lib.diagnostics[0]).endswith(
        "error TD019: 'minutes' must be at least 1, not a negative number of 41 digits")


def test_a_number_of_5000_digits_is_a_syntax_error_not_an_internal_error(tmp_path):
    _, lib = check_text(tmp_path, exercise(minutes="9" * 5000))
    assert [d.code for d in lib.diagnostics] in (["TD006"], ["TD036"])
