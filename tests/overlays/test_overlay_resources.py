"""The help-lines loader: shipped list, a facilitator's own list first, broken files reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trustdialog.resources import FALLBACK_NOTE, load_resources


def write(folder: Path, body: str) -> Path:
    path = folder / "data" / "resources.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return folder


LOCAL = """
format = 1
[resources]
title = "Hilfe"
note = "Im Notfall: 112."
[[resources.entries]]
name = "Hilfetelefon"
for = "Gewalt gegen Frauen"
contact = "116 016"
region = "Deutschland"
"""


def test_the_shipped_list_loads_and_mentions_emergency_help():
    res = load_resources()
    assert res.problems == ()
    assert res.title and res.entries
    assert "emergency" in (res.note + " ".join(e.name for e in res.entries)).lower()
    assert all(e.name for e in res.entries)


def test_a_facilitators_list_comes_first_and_names_the_screen(tmp_path):
    res = load_resources([write(tmp_path, LOCAL)])
    assert res.title == "Hilfe"
    first = res.entries[0]
    assert (first.name, first.purpose, first.contact, first.region) == (
        "Hilfetelefon", "Gewalt gegen Frauen", "116 016", "Deutschland")
    assert len(res.entries) > 1  # the shipped entries follow


def test_a_broken_file_is_reported_with_its_path_and_the_rest_still_loads(tmp_path):
    folder = write(tmp_path, "format = 1\n[resources\ntitle = 'x'\n")
    res = load_resources([folder])
    assert len(res.problems) == 1
    assert str(folder / "data" / "resources.toml") in res.problems[0]
    assert "not valid TOML" in res.problems[0] and "line 2" in res.problems[0]
    assert res.entries  # the shipped list is still there


def test_with_nothing_readable_the_built_in_text_stands_in(tmp_path):
    res = load_resources([write(tmp_path, "format = 1\n[resources]\ntitle = 3\n")],
                         include_shipped=False)
    assert res.note == FALLBACK_NOTE
    assert "call your local emergency number" in res.note
    assert res.entries == ()
    assert res.problems == (f"{tmp_path / 'data' / 'resources.toml'}: [resources]: `title` must be a string",)


def test_no_file_anywhere_is_not_a_problem(tmp_path):
    res = load_resources([tmp_path], include_shipped=False)
    assert res.problems == () and res.note == FALLBACK_NOTE


def test_wrong_format_and_nameless_entries_are_named(tmp_path):
    a = write(tmp_path / "a", "format = 2\n[resources]\n")
    b = write(tmp_path / "b", "format = 1\n[resources]\n[[resources.entries]]\nfor = 'x'\n")
    res = load_resources([a, b], include_shipped=False)
    assert "expected `format = 1`, found 2" in res.problems[0]
    assert "entry 1 has no `name`" in res.problems[1]


def test_loading_help_lines_does_not_load_the_ui():
    code = ("import sys, trustdialog.resources as r; r.load_resources(); "
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
