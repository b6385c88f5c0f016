"""`trustdialog` opening the app: failures before the screen opens are one clear line."""

from __future__ import annotations

import argparse

import pytest

from trustdialog.commands import CommandError
from trustdialog.commands.app import run_app


def _args(tmp_path, **kw):
    return argparse.Namespace(data_dir=str(tmp_path), exercises=[], no_save=False, **kw)


def test_resume_of_an_unknown_session_is_one_line_and_exit_1(tmp_path):
    with pytest.raises(CommandError) as error:
        run_app(_args(tmp_path), resume_id="nosuchid")
    assert error.value.code == 1
    assert "nosuchid" in str(error.value) and "\n" not in str(error.value)


def test_a_damaged_store_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "sessions.db").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CommandError) as error:
        run_app(_args(tmp_path))
    assert error.value.code == 1 and "\n" not in str(error.value)
