"""Loading libraries: the shipped one, extra folders, broken files skipped, and the list/check commands."""

from __future__ import annotations

import shutil

from exercise_fixtures import CROSSREF, GOOD
from trustdialog.exercise import Group, Vocabulary, load_file, load_library
from trustdialog.exercise.model import Exercise


def test_shipped_library_loads_clean():
    lib = load_library()
    assert not lib.errors, [str(d) for d in lib.diagnostics]
    assert "when-i-felt" in lib.exercises
    # The curated order: by `order`, the flagship first.
    assert list(lib.exercises)[0] == "when-i-felt"
    assert [ex.order for ex in lib.exercises.values()] == sorted(ex.order for ex in lib.exercises.values())
    assert all(isinstance(ex, Exercise) for ex in lib.exercises.values())
    feelings = lib.vocab["feelings"]
    assert isinstance(feelings, Vocabulary) and isinstance(feelings.groups[0], Group)
    assert len(feelings.words) >= 120


def test_model_objects_are_built_from_the_file():
    lib = load_library([GOOD], include_shipped=False)
    ex = lib.exercises["full-tour"]
    assert ex.rounds == 2 and ex.roles == ("speaker", "listener")
    assert ex.rules["speaker"] == ("One topic.",)
    voice = ex.step("voice")
    assert [f.name for f in voice.fields] == ["event", "feeling"]
    assert voice.field("feeling").vocab == "colors" and voice.field("feeling").free is False
    assert voice.timer == 60
    assert ex.step("check").on_no == "mirror" and ex.step("check").max_loops == 2
    assert [o.next for o in ex.step("topic").options] == ["mirror", None]
    assert ex.step("mirror").fields[0].name == "mirror"  # a bare prompt answers under its own id
    promises = ex.step("promises").field("promises")
    assert (promises.kind, promises.min, promises.max, promises.item_slots) == ("list", 1, 3, ("what", "when"))
    assert ex.path.endswith("full-tour.toml")
    assert lib.vocab["colors"].words == ("red", "orange", "blue", "green")


def test_broken_file_is_skipped_and_the_rest_loads(tmp_path):
    shutil.copytree(GOOD, tmp_path / "lib")
    (tmp_path / "lib" / "zz-broken.toml").write_text("format = = 1\n")
    shutil.copy(CROSSREF / "td042-unknown-next.toml", tmp_path / "lib")
    lib = load_library([tmp_path / "lib"], include_shipped=False)
    assert set(lib.exercises) == {"full-tour", "minimal"}
    assert sorted(d.code for d in lib.diagnostics if d.is_error) == ["TD006", "TD042"]


def test_duplicate_exercise_id_across_folders_keeps_the_first(tmp_path):
    (tmp_path / "other").mkdir()
    shutil.copy(GOOD / "minimal.toml", tmp_path / "other" / "copy.toml")
    lib = load_library([GOOD, tmp_path / "other"], include_shipped=False)
    assert lib.exercises["minimal"].path == str(GOOD / "minimal.toml")
    (d,) = [d for d in lib.diagnostics if d.is_error]
    assert d.code == "TD041" and d.path.endswith("copy.toml") and (d.line, d.col) == (4, 6)


def test_load_file_knows_the_shipped_vocabularies():
    lib = load_file(GOOD / "minimal.toml")
    assert list(lib.exercises) == ["minimal"] and "feelings" in lib.vocab


def test_list_command_skips_broken_file_with_a_warning(tmp_path, run_cli):
    (tmp_path / "broken.toml").write_bytes(b"\xff\xfe")
    shutil.copy(GOOD / "minimal.toml", tmp_path)
    result = run_cli("list", "--exercises", str(tmp_path))
    assert result.returncode == 0
    assert "when-i-felt" in result.stdout and "minimal" in result.stdout
    assert "Minimal" in result.stdout and "1 min" in result.stdout
    (warning,) = result.stderr.strip().splitlines()
    assert "broken.toml" in warning and "TD003" in warning and "Traceback" not in result.stderr


def test_check_command_exit_codes(run_cli):
    ok = run_cli("check", str(GOOD))
    assert ok.returncode == 0 and ok.stdout.strip() == "checked 3 files: 0 errors, 0 warnings"
    bad = run_cli("check", str(GOOD), str(CROSSREF / "td042-unknown-next.toml"))
    assert bad.returncode == 1
    assert "TD042" in bad.stdout and "did you mean" not in bad.stderr


def test_check_default_is_shipped_library_plus_extra_dirs(tmp_path, run_cli):
    shutil.copy(CROSSREF / "td049-slot-names-nothing.toml", tmp_path)
    result = run_cli("check", "--exercises", str(tmp_path))
    assert result.returncode == 1
    (line,) = [x for x in result.stdout.splitlines() if "TD" in x]
    assert "td049-slot-names-nothing.toml:13:15: error TD049" in line


def test_warning_alone_exits_zero(tmp_path, run_cli):
    text = (GOOD / "minimal.toml").read_text() + '\n[[steps]]\nid = "orphan"\nkind = "say"\nby = "speaker"\ntext = "x"\n'
    text = text.replace('text = "Just this."', 'text = "Just this."\nnext = "end"')
    (tmp_path / "w.toml").write_text(text)
    result = run_cli("check", str(tmp_path / "w.toml"))
    assert result.returncode == 0 and "warning TD046" in result.stdout


def test_schema_command_prints_the_shipped_schema(run_cli):
    from trustdialog.exercise.schema import SCHEMA_FILE

    result = run_cli("schema")
    assert result.returncode == 0 and result.stdout == SCHEMA_FILE.read_text()


def test_diagnostics_table_prints_as_markdown_without_a_warning():
    import subprocess
    import sys

    # -W error: a RuntimeWarning (module found in sys.modules before -m runs it) fails the run.
    done = subprocess.run([sys.executable, "-W", "error", "-m", "trustdialog.exercise.diagnostics"],
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("| code | severity | meaning |")
    assert "| TD042 | error |" in done.stdout


def test_the_guide_holds_the_table_of_codes_as_printed():
    import re
    from pathlib import Path

    from trustdialog.exercise.diagnostics import markdown_table

    guide = (Path(__file__).resolve().parents[2] / "exercises" / "README.md").read_text(encoding="utf-8")
    table = re.search(r"^\| code \| severity \| meaning \|\n(?:\|.*\|\n?)+", guide, re.M).group().strip()
    assert table == markdown_table()
