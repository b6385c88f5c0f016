"""The shipped library passes the checker and carries what every exercise must have."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from shipped_library import EXERCISE_FILES, LIBRARY, VOCAB_FILES, read_toml

# The code of this checkout, run from its root (an installed command may be an older copy).
ROOT = Path(__file__).resolve().parents[2]
TRUSTDIALOG = [sys.executable, "-m", "trustdialog"]
SCHEMA_LINE = "#:schema ../trustdialog/exercise/schema.json"
# Method names that are marks: credit the people in `credit`, never title with these.
MARKS = ("safe conversations", "gottman", "imago", "prep", "nonviolent communication", "nvc")
EXPECTED = {
    "when-i-felt", "the-floor", "what-trust-looks-like", "small-promises", "we-not-you",
    "good-intentions", "after-a-hard-moment", "outside-stress", "trust-history", "soft-start",
}


def test_check_walk_passes_on_the_whole_library():
    done = subprocess.run(
        [*TRUSTDIALOG, "check", "--walk", str(LIBRARY)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    # Clean means clean: no warnings either.
    assert not re.search(r": (error|warning) TD\d+", out), out


def test_loader_reads_every_file_without_a_diagnostic(library):
    assert [str(d) for d in library.diagnostics] == []
    assert EXPECTED <= set(library.exercises)
    assert {"feelings", "needs", "trust-signs"} <= set(library.vocab)


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_file_is_named_for_its_id_and_points_editors_at_the_schema(path):
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    assert read_toml(path)["exercise"]["id"] == path.stem


def test_every_exercise_has_its_metadata(library):
    for ex in library.exercises.values():
        assert ex.minutes > 0, ex.id
        assert ex.summary.strip() and ex.credit.strip() and ex.tags, ex.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ex.id), ex.id
        for role in ex.roles:
            assert ex.rules.get(role), f"{ex.id}: no rules for {role}"
            assert ex.guides.get(role), f"{ex.id}: no guide for {role}"


def test_no_title_uses_a_method_mark(library):
    for ex in library.exercises.values():
        words = f"{ex.title} {ex.id}".lower().replace("-", " ")
        found = [m for m in MARKS if re.search(rf"\b{m}\b", words)]
        assert not found, f"{ex.id}: title uses {found}"


def test_the_format_features_are_all_in_use(library):
    """Each feature the methods need is shipped somewhere, so the app shows them all."""
    steps = [s for ex in library.exercises.values() for s in ex.steps]
    fields = [f for s in steps for f in s.fields]
    assert any(s.kind == "choose" and any(o.next for o in s.options) for s in steps)
    assert any(s.kind == "confirm" for s in steps)
    assert any(s.by == "both" and s.hidden for s in steps)
    assert any(s.private for s in steps)
    assert any(s.timer for s in steps)
    assert {f.kind for f in fields} == {"text", "pick", "rating", "list"}


def test_small_promises_asks_for_one_to_three_checkable_commitments(library):
    ex = library.exercises["small-promises"]
    lists = [f for s in ex.steps for f in s.fields if f.kind == "list"]
    assert [(f.min, f.max) for f in lists] == [(1, 3)]
    assert lists[0].item_slots == ("what", "when", "sign")


def test_when_i_felt_uses_the_frame_and_swaps(library):
    ex = library.exercises["when-i-felt"]
    assert ex.rounds == 2 and ex.swap_roles
    voice = ex.step("voice")
    assert voice.template == "When {event}, I felt {feeling}."
    assert voice.field("feeling").vocab == "feelings" and voice.field("feeling").free


def test_the_guide_example_passes_the_checker(tmp_path):
    guide = (LIBRARY / "README.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```toml\n(.*?)```", guide, re.S) if "[exercise]" in b)
    (tmp_path / "thank-you.toml").write_text(example, encoding="utf-8")
    done = subprocess.run(
        [*TRUSTDIALOG, "check", "--walk", str(tmp_path / "thank-you.toml")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert done.returncode == 0 and " 0 warnings" in done.stdout, done.stdout + done.stderr


def test_the_guide_lists_every_diagnostic_code():
    from trustdialog.exercise.diagnostics import CODES

    guide = (LIBRARY / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| (TD\d+) \|", guide, re.M))
    # To refresh: replace the table in exercises/README.md with the output of
    # `python -m trustdialog.exercise.diagnostics`.
    assert listed == set(CODES), "the guide's table of codes is out of date"


@pytest.mark.parametrize("path", EXERCISE_FILES + VOCAB_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_editor_schema_named_on_the_first_line_accepts_the_file(path):
    import json

    import jsonschema

    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#:schema ")
    schema_file = (path.parent / first.removeprefix("#:schema ").strip()).resolve()
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(read_toml(path))]
    assert errors == []


def test_the_guide_lists_the_shipped_library_as_it_is(library):
    guide = (LIBRARY / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([a-z0-9-]+) \| (.+?) \| (\d+) \|", guide, re.M)
    assert {r[0]: (r[1], int(r[2])) for r in rows} == {
        ex.id: (ex.title, ex.minutes) for ex in library.exercises.values()
    }
