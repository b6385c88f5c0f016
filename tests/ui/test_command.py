"""`trustdialog` opening the app: failures before the screen opens are one clear line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest
from in_a_pty import left_on_screen, run_until_exit

from trustdialog.commands import CommandError
from trustdialog.commands.app import run_app


def _args(tmp_path, **kw):
    return argparse.Namespace(data_dir=str(tmp_path), exercises=[], no_save=False, **kw)


def test_resume_of_an_unknown_session_is_one_line_and_exit_1(tmp_path):
    with pytest.raises(CommandError) as error:
        run_app(_args(tmp_path), resume_id="nosuchid")
    assert error.value.code == 1
    assert "nosuchid" in str(error.value) and "\n" not in str(error.value)


def test_a_damaged_store_on_resume_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "sessions.db").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CommandError) as error:
        run_app(_args(tmp_path), resume_id="anyid")
    assert error.value.code == 1 and "\n" not in str(error.value)


def test_a_damaged_store_on_start_is_one_line_and_exit_1(tmp_path):
    """A plain start opens the store after the first frame: the app closes, then one line."""
    (tmp_path / "sessions.db").write_bytes(b"this is not a database at all" * 100)
    command = Path(sys.executable).with_name("trustdialog")
    code, text = run_until_exit([str(command), "--data-dir", str(tmp_path)])
    assert code == 1, text
    after = left_on_screen(text)
    assert after.startswith("trustdialog: ") and "\n" not in after, after
    assert "sessions.db" in after and "Traceback" not in text


def test_a_plain_start_skips_the_parser_but_means_the_same():
    from trustdialog.cli import build_parser, plain_start

    parsed = vars(build_parser().parse_args([]))
    parsed["exercises"] = parsed["exercises"] or []  # main() does this for parsed arguments
    assert vars(plain_start()) == parsed
