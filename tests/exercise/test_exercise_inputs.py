"""Whatever the input, the checker answers with one coded line per file, never a traceback."""

from __future__ import annotations

import os

import pytest

from trustdialog.exercise import check_paths

HEAD = 'format = 1\n[exercise]\nid = "x"\ntitle = "x"\nminutes = 1\nsummary = "s"\n'


def make(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


CASES = {
    "empty": ("", "TD005"),
    "blank": ("\n  \n", "TD005"),
    "not-utf8": ("format = 1\n# caf\xe9\n".encode("latin-1"), "TD003"),
    "binary": (bytes(range(256)) * 4, "TD004"),
    "syntax": ("format = = 1\n", "TD006"),
    "deep-inline": ("format = 1\nx = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n", "TD007"),
    "deep-array": ("format = 1\nx = " + "[" * 3000 + "]" * 3000 + "\n", "TD007"),
    "deep-tables": ("format = 1\n[" + ".".join(["t"] * 3000) + "]\nb = 1\n", "TD029"),
    "huge-array": (HEAD + "tags = [" + "1," * 50_000 + "]\n[[steps]]\nid='a'\nkind='say'\nby='both'\ntext='t'\n",
                   "TD013"),
    "many-steps": (HEAD + "[[steps]]\nid='a'\nkind='say'\nby='both'\ntext='t'\n" * 2000, "TD019"),
    "not-a-table": ("format = 1\nexercise = 3\nsteps = 4\n", "TD013"),
    "steps-of-numbers": ("format = 1\nsteps = [1, 2]\n" + HEAD.removeprefix("format = 1\n"), "TD013"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_one_coded_line(tmp_path, name):
    content, code = CASES[name]
    path = make(tmp_path, f"{name}.toml", content)
    lib = check_paths([path])
    assert lib.errors
    # The first error is the one that matters; its file name not matching its id is only a warning.
    errors = [d for d in lib.diagnostics if d.is_error]
    assert errors[0].code == code, [str(d) for d in lib.diagnostics]
    if code in ("TD003", "TD004", "TD005", "TD006", "TD007"):
        assert len(lib.diagnostics) == 1


def test_ten_megabytes_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.toml"
    with open(path, "wb") as fh:
        fh.truncate(10_000_000)  # sparse: fast to make, and reading it would be the mistake
    (d,) = check_paths([path]).diagnostics
    assert d.code == "TD002" and "10,000,000" in d.message


def test_missing_path_and_folder_and_empty_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    lib = check_paths([tmp_path / "missing.toml", tmp_path / "sub"])
    assert sorted(d.code for d in lib.diagnostics) == ["TD001", "TD008"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = make(tmp_path, "secret.toml", "format = 1\n")
    path.chmod(0)
    (d,) = check_paths([path]).diagnostics
    assert d.code == "TD001"


def test_cli_prints_one_line_per_bad_input_and_no_traceback(tmp_path, run_cli):
    for name in ("empty", "not-utf8", "binary", "deep-array"):
        make(tmp_path, f"{name}.toml", CASES[name][0])
    with open(tmp_path / "big.toml", "wb") as fh:
        fh.truncate(10_000_000)
    result = run_cli("check", str(tmp_path), str(tmp_path / "nope.toml"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 7  # six files, one line each, and the summary
    assert lines[-1].startswith("checked 6 files: 6 errors")
