"""Good and bad fixture files: the checker's verdicts, codes and positions, and the schema agrees."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

from exercise_fixtures import CROSSREF, GOOD, STRUCTURE, expected_code
from trustdialog.exercise import check_paths
from trustdialog.exercise.schema import SCHEMA_FILE, build, schema_text

LINE = re.compile(r"^.+:\d+:\d+: (error|warning) TD\d{3}: .+$")
GOOD_FILES = sorted(GOOD.rglob("*.toml"))
STRUCTURE_FILES = sorted(STRUCTURE.glob("*.toml"))
CROSSREF_FILES = sorted(CROSSREF.glob("*.toml"))


def check_one(path: Path):
    return check_paths([path], extra_dirs=[GOOD])


def schema_errors(path: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(build())
    return [e.message for e in validator.iter_errors(tomllib.loads(path.read_text()))]


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: p.name)
def test_good_fixture_has_no_problem(path):
    lib = check_one(path)
    assert [str(d) for d in lib.diagnostics] == []


@pytest.mark.parametrize("path", STRUCTURE_FILES + CROSSREF_FILES, ids=lambda p: p.name)
def test_bad_fixture_reports_its_code_once_per_problem(path):
    lib = check_one(path)
    assert lib.errors
    codes = [d.code for d in lib.diagnostics]
    assert expected_code(path) in codes, [str(d) for d in lib.diagnostics]
    for d in lib.diagnostics:
        assert LINE.match(str(d)), str(d)
        assert d.line >= 1 and d.col >= 1
    # nothing loads from a broken file
    assert lib.exercises == {} or all(ex.path != str(path) for ex in lib.exercises.values())


@pytest.mark.parametrize("path", GOOD_FILES + STRUCTURE_FILES, ids=lambda p: p.name)
def test_schema_and_checker_agree_on_structure(path):
    checker_ok = not check_one(path).errors
    schema_ok = not schema_errors(path)
    assert checker_ok == schema_ok, schema_errors(path)


@pytest.mark.parametrize("path", CROSSREF_FILES, ids=lambda p: p.name)
def test_schema_cannot_see_cross_references(path):
    """Documented split: these need the roles, other steps or other files, which a schema cannot see."""
    assert schema_errors(path) == []
    assert check_one(path).errors


def test_shipped_schema_file_is_current_and_valid():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    jsonschema.Draft202012Validator.check_schema(json.loads(schema_text()))


def test_schema_branches_per_step_kind_not_one_big_oneof():
    step = build()["$defs"]["step"]
    kinds = [b["if"]["properties"]["kind"]["const"] for b in step["allOf"] if "kind" in b["if"].get("properties", {})]
    assert kinds == ["say", "prompt", "choose", "confirm"]
    assert "oneOf" not in json.dumps(build())


def test_schema_message_names_the_wrong_key():
    bad = STRUCTURE / "td021-options-on-say.toml"
    assert any("options" in m for m in schema_errors(bad))


def test_positions_point_at_the_problem():
    lib = check_one(STRUCTURE / "td015-step-kind.toml")
    (d,) = lib.diagnostics
    line = (STRUCTURE / "td015-step-kind.toml").read_text().splitlines()[d.line - 1]
    assert line[d.col - 1:].startswith('"sey"')
    assert "did you mean 'say'?" in d.message


def test_slot_position_is_the_slot_itself():
    path = CROSSREF / "td049-slot-names-nothing.toml"
    (d,) = check_one(path).diagnostics
    line = path.read_text().splitlines()[d.line - 1]
    assert line[d.col - 1:].startswith("{nobody}")


def test_every_problem_of_a_file_in_one_run(tmp_path):
    text = (STRUCTURE / "td012-unknown-exercise-key.toml").read_text()
    text = text.replace('minutes = 5', 'minutes = "5"').replace('kind = "say"', 'kind = "sai"')
    text = text.replace('by = "speaker"', 'by = "speaker"\nnext = "nowhere"')
    f = tmp_path / "td012-unknown-exercise-key.toml"  # named after its id: no TD038 among them
    f.write_text(text)
    codes = sorted(d.code for d in check_one(f).diagnostics)
    assert codes == ["TD012", "TD013", "TD015", "TD042"]


def test_syntax_error_has_the_parsers_position(tmp_path):
    f = tmp_path / "syntax.toml"
    f.write_text('format = 1\n[exercise]\nid = "x\n')
    (d,) = check_one(f).diagnostics
    assert (d.code, d.line) == ("TD006", 3)
    assert d.col > 1
