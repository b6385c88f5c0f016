"""A key file or access file that is not a regular file (a pipe, /dev/zero) is refused in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def trustdialog(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    # Run from the source tree; a read that never ends is cut off by the timeout (a failure).
    return subprocess.run([sys.executable, "-m", "trustdialog", "--data-dir", str(tmp_path / "data"), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=30, stdin=subprocess.DEVNULL)


@pytest.fixture(params=["fifo", "device"])
def not_a_file(request, tmp_path) -> tuple[str, str]:
    if request.param == "device":
        return "/dev/zero", "not a regular file (a device)"
    fifo = tmp_path / "keys.pub"
    os.mkfifo(fifo)
    return str(fifo), "not a regular file (a named pipe)"


def test_access_add_refuses_a_key_that_is_not_a_file(tmp_path, not_a_file):
    path, reason = not_a_file
    done = trustdialog(tmp_path, "access", "add", "bob", "--key", path)
    assert done.returncode == 2
    assert done.stderr == f"trustdialog: cannot read key file {path}: {reason}\n"


def test_serve_refuses_an_access_file_that_is_not_a_file(tmp_path, not_a_file):
    path, reason = not_a_file
    done = trustdialog(tmp_path, "serve", "--port", "0", "--access", path)
    assert done.returncode == 1
    assert done.stderr == f"trustdialog: cannot read {path}: {reason}\n"
    assert "listening" not in done.stdout


def test_a_huge_key_file_is_refused_unread(tmp_path):
    big = tmp_path / "big.pub"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no disk used
    done = trustdialog(tmp_path, "access", "add", "bob", "--key", str(big))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "the limit is 262,144 bytes" in done.stderr
