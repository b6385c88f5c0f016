"""A FIFO, device or oversized file where a data file is expected is refused with a reason, never read or waited on."""

from __future__ import annotations

import os

import pytest

from trustdialog.files import FileTooLarge, NotRegularFile, read_regular_file

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@pytest.fixture
def fifo_library(tmp_path):
    (tmp_path / "vocab").mkdir()
    (tmp_path / "data").mkdir()
    for name in ("x.toml", "vocab/v.toml", "data/hints.toml", "data/resources.toml"):
        os.mkfifo(tmp_path / name)
    return tmp_path


def test_reader_refuses_a_fifo_a_device_and_a_large_file(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile, match="named pipe"):
        read_regular_file(tmp_path / "pipe", 100)
    with pytest.raises(NotRegularFile, match="device"):
        read_regular_file("/dev/zero", 100)
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge, match="101 bytes; the limit is 100"):
        read_regular_file(tmp_path / "big", 100)
    assert read_regular_file(tmp_path / "big", 101) == b"x" * 101


@pytest.mark.parametrize("command", [["list"], ["check"], ["check", "DIR"], ["check", "DIR/x.toml"]])
def test_commands_refuse_fifos_in_a_library(run_cli, fifo_library, command):
    # The CLI runner's timeout turns the old hang into a failure.
    args = [str(fifo_library) if a == "DIR" else a.replace("DIR", str(fifo_library)) for a in command]
    result = run_cli(*args, "--exercises", str(fifo_library))
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert "TD001" in out and "not a regular file (a named pipe)" in out
    if command == ["list"]:
        assert result.returncode == 0  # the shipped exercises still list


def test_loaders_of_hints_and_resources_report_a_fifo(fifo_library):
    from trustdialog.language import load_hints
    from trustdialog.resources import load_resources

    hints = load_hints([fifo_library], include_shipped=False)
    assert any("not a regular file" in p for p in hints.problems)
    res = load_resources([fifo_library], include_shipped=False)
    assert any("not a regular file" in p for p in res.problems)
