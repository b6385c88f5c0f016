"""`check` reads a library folder's data/hints.toml and data/resources.toml too, with path:line:col diagnostics."""

from __future__ import annotations

import shutil

from exercise_fixtures import GOOD
from trustdialog.exercise import check_paths, load_library

HINTS = """format = 1

[hints]
note = "n"

[[hints.groups]]
id = "blame"
phrases = ["you always"]
suggestion = "Try I."
colour = "red"

[[hints.groups]]
title = "no id"
phrases = ["x"]

[[hints.groups]]
id = "bad-title"
title = 3
suggestion = "s"
phrases = ["y"]
"""
RESOURCES = """format = 1

[resources]
title = "Help"
notes = "typo"

[[resources.entries]]
name = "One"
contcat = "x"

[[resources.entries]]
name = "Two"
region = 5
"""


def folder(tmp_path, hints: str | None = None, resources: str | None = None):
    (tmp_path / "data").mkdir(exist_ok=True)
    if hints is not None:
        (tmp_path / "data" / "hints.toml").write_text(hints, encoding="utf-8")
    if resources is not None:
        (tmp_path / "data" / "resources.toml").write_text(resources, encoding="utf-8")
    return tmp_path


def lines(lib, root) -> list[str]:
    return [str(d).replace(f"{root}/", "") for d in lib.diagnostics]


def test_hints_problems_are_placed_on_their_group_and_key(tmp_path):
    lib = check_paths([folder(tmp_path, hints=HINTS)])
    assert lines(lib, tmp_path) == [
        "data/hints.toml:10:1: warning TD071: group 1 ('blame'): unknown key 'colour' (ignored)",
        "data/hints.toml:12:1: error TD070: group 2: every group needs an `id`; skipped",
        "data/hints.toml:18:9: error TD070: group 3 ('bad-title'): `title` must be text; skipped",
    ]
    assert lib.files == 1


def test_resources_problems_and_unknown_keys(tmp_path):
    lib = check_paths([folder(tmp_path, resources=RESOURCES)])
    assert lines(lib, tmp_path) == [
        "data/resources.toml:5:1: warning TD073: unknown key 'notes' in [resources] (ignored) (did you mean 'note'?)",
        "data/resources.toml:9:1: warning TD073: unknown key 'contcat' in entry 1 (ignored) (did you mean 'contact'?)",
        "data/resources.toml:13:10: error TD072: entry 2: `region` must be a string",
    ]


def test_a_wrong_format_points_at_its_value(tmp_path):
    lib = check_paths([folder(tmp_path, resources="format = 2\n[resources]\n")])
    assert lines(lib, tmp_path) == ["data/resources.toml:1:10: error TD072: expected `format = 1`, found 2"]


def test_syntax_errors_are_reported_like_exercise_files(tmp_path):
    folder(tmp_path, hints="format = 1\n[hints\n")
    (tmp_path / "data" / "resources.toml").write_bytes(b"format = 1\n\xff")
    lib = check_paths([tmp_path])
    assert lines(lib, tmp_path) == [
        "data/hints.toml:2:7: error TD006: expected ']' at the end of a table declaration",
        "data/resources.toml:2:1: error TD003: not UTF-8 text (byte 0xff)",
    ]


def test_a_data_file_can_be_named_alone(tmp_path):
    folder(tmp_path, hints=HINTS, resources=RESOURCES)
    lib = check_paths([tmp_path / "data" / "resources.toml"])
    assert {d.path for d in lib.diagnostics} == {str(tmp_path / "data" / "resources.toml")}
    assert lib.files == 1 and lib.errors


def test_a_folder_with_only_data_files_is_not_empty(tmp_path):
    lib = check_paths([folder(tmp_path, resources='format = 1\n[resources]\ntitle = "Help"\n')])
    assert lib.diagnostics == [] and lib.files == 1


def test_load_library_checks_extra_folders_data_files(tmp_path):
    shutil.copytree(GOOD, tmp_path / "lib")
    folder(tmp_path / "lib", resources=RESOURCES)
    lib = load_library([tmp_path / "lib"], include_shipped=False)
    assert [d.code for d in lib.diagnostics] == ["TD073", "TD073", "TD072"]
    assert set(lib.exercises) == {"full-tour", "minimal"}  # the exercises still load
    quiet = load_library([tmp_path / "lib"], include_shipped=False, data_files=False)
    assert quiet.diagnostics == []


def test_the_shipped_data_files_are_clean():
    lib = load_library()
    assert lib.diagnostics == []
    assert lib.files == len(lib.exercises) + len(lib.vocab) + 2


def test_check_command_reports_data_files_of_extra_folders(tmp_path, run_cli):
    folder(tmp_path, hints=HINTS)
    result = run_cli("check", "--exercises", str(tmp_path))
    assert result.returncode == 1
    found = [x for x in result.stdout.splitlines() if " TD07" in x]
    assert len(found) == 3 and all(":" in x.split(" ")[0] for x in found)
    assert found[0].endswith("data/hints.toml:10:1: warning TD071: group 1 ('blame'): unknown key 'colour' (ignored)")
