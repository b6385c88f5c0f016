"""`trustdialog new ID [--dir DIR]`: a starter file that passes the checker, with a schema line that resolves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema

from trustdialog.exercise.schema import schema_text

ROOT = Path(__file__).resolve().parents[2]


def trustdialog(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """This checkout's command, run in `cwd` (an installed copy may be older)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "trustdialog", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)


def test_new_writes_a_starter_that_checks_and_walks_clean(tmp_path):
    done = trustdialog("new", "thank-you", "--dir", "my-exercises", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "my-exercises" / "thank-you.toml"
    assert "wrote my-exercises/thank-you.toml and my-exercises/schema.json" in done.stdout
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == "#:schema ./schema.json"
    # Editors resolve the path from the file's own folder: it is the schema this trustdialog writes.
    schema = path.parent / first.removeprefix("#:schema ")
    assert schema.read_text(encoding="utf-8") == schema_text()
    doc = tomllib.loads(text)
    assert doc["exercise"]["id"] == "thank-you" and doc["exercise"]["title"] == "Thank you"
    assert list(jsonschema.Draft202012Validator(json.loads(schema_text())).iter_errors(doc)) == []
    for target in ("my-exercises", "my-exercises/thank-you.toml"):
        checked = trustdialog("check", "--walk", target, cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout
        assert "0 errors, 0 warnings" in checked.stdout and " TD0" not in checked.stdout, checked.stdout
    # The comments at its top say how to check it and try it, with the paths as typed.
    assert "trustdialog check --walk my-exercises/thank-you.toml" in text
    assert "trustdialog --exercises my-exercises" in text


def test_the_new_exercise_joins_the_library_after_the_shipped_ones(tmp_path):
    assert trustdialog("new", "thank-you", cwd=tmp_path).returncode == 0
    assert (tmp_path / "thank-you.toml").is_file() and (tmp_path / "schema.json").is_file()
    listed = trustdialog("list", "--exercises", ".", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    ids = [line.split()[0] for line in listed.stdout.splitlines()]
    assert ids[0] == "when-i-felt" and ids[-1] == "thank-you"


def test_new_never_writes_over_a_file_and_refuses_an_id_that_cannot_be_one(tmp_path):
    (tmp_path / "thank-you.toml").write_text("mine", encoding="utf-8")
    done = trustdialog("new", "thank-you", cwd=tmp_path)
    assert done.returncode == 2 and "thank-you.toml already exists" in done.stderr
    assert (tmp_path / "thank-you.toml").read_text(encoding="utf-8") == "mine"
    bad = trustdialog("new", "Thank You", cwd=tmp_path)
    assert bad.returncode == 2 and "lowercase" in bad.stderr and "Traceback" not in bad.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thank-you.toml"]


def test_an_old_schema_beside_it_is_brought_up_to_date(tmp_path):
    (tmp_path / "schema.json").write_text("{}", encoding="utf-8")
    done = trustdialog("new", "second-one", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == schema_text()
    again = trustdialog("new", "third-one", cwd=tmp_path)
    assert "schema.json" not in again.stdout.splitlines()[0]  # already current: left alone, not mentioned
