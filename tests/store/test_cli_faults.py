"""The commands on a data file they cannot write or read: what can be read is shown, the rest said."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trustdialog.engine import Event
from trustdialog.store import db_path, open_store
from store_helpers import REPO, mounted_tmpfs

NAMES = {"a": "Ann", "b": "Bob"}
# Root ignores file modes; without these capabilities it feels them like anyone.
NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown"]


def saved(data_dir: Path) -> str:
    store = open_store(data_dir)
    sid = store.create_session("x", "T", NAMES)
    store.append(sid, Event("paused", "a", data={"note": "kept"}))
    store.close()
    return sid


def cli(*args: str, prefix: list[str] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "trustdialog", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=60)


def check_read_only(data: Path, sid: str, prefix: list[str] = ()) -> None:
    d = ["--data-dir", str(data)]
    listed = cli(*d, "sessions", prefix=prefix)
    assert listed.returncode == 0, listed.stderr
    assert sid in listed.stdout and "No saved sessions" not in listed.stdout
    assert str(db_path(data)) in listed.stderr and "listed and exported" in listed.stderr
    exported = cli(*d, "export", sid, prefix=prefix)
    assert exported.returncode == 0 and "Paused by Ann" in exported.stdout, exported.stderr
    for command in ("forget", "resume"):
        out = cli(*d, command, sid, prefix=prefix)
        assert out.returncode == 1 and out.stderr.count("\n") == 1, (command, out.stderr)
        assert str(db_path(data)) in out.stderr and "Traceback" not in out.stderr
    moved = cli(*d, "sessions", "--move-aside", prefix=prefix)
    assert moved.returncode == 1 and moved.stderr.count("\n") == 1 and "Traceback" not in moved.stderr
    assert db_path(data).exists()


@pytest.fixture
def tmpfs(tmp_path):
    with mounted_tmpfs(tmp_path / "mnt", "300k") as where:
        yield where


def test_saved_sessions_on_a_read_only_mount_are_shown_not_hidden(tmpfs):
    data = tmpfs / "data"
    sid = saved(data)
    assert subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)]).returncode == 0
    check_read_only(data, sid)


def test_saved_sessions_on_a_full_disk_are_listed_and_forget_says_why(tmpfs):
    data = tmpfs / "data"
    sid = saved(data)
    with open(tmpfs / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass  # full
    listed = cli("--data-dir", str(data), "sessions")
    assert listed.returncode == 0 and sid in listed.stdout, listed.stderr
    assert "Traceback" not in listed.stderr
    gone = cli("--data-dir", str(data), "forget", sid)
    assert gone.returncode == 1 and gone.stderr.count("\n") == 1, gone.stderr
    assert "disk is full" in gone.stderr and str(db_path(data)) in gone.stderr


@pytest.fixture
def foreign_dir():
    """A folder owned by someone else, so root without its override capabilities cannot write it."""
    if shutil.which("setpriv") is None or subprocess.run([*NO_OVERRIDE, "true"]).returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here")
    top = Path(os.path.realpath("/tmp")) / f"td-foreign-{os.getpid()}"
    top.mkdir(mode=0o755)
    yield top
    shutil.rmtree(top)


def test_a_file_that_cannot_be_written_is_read_without_a_mount(foreign_dir):
    data = foreign_dir / "data"
    sid = saved(data)
    os.chmod(data, 0o755)
    os.chmod(db_path(data), 0o644)
    for p in (data, db_path(data)):
        os.chown(p, 65534, 65534)
    check_read_only(data, sid, prefix=NO_OVERRIDE)


def test_an_unreadable_data_folder_is_one_line_for_every_command(foreign_dir):
    data = foreign_dir / "data"
    sid = saved(data)
    os.chown(data, 65534, 65534)
    os.chmod(data, 0o000)
    for command in (["sessions"], ["export", sid], ["forget", sid], ["resume", sid],
                    ["sessions", "--move-aside"]):
        out = cli("--data-dir", str(data), *command, prefix=NO_OVERRIDE)
        assert out.returncode == 1, (command, out)
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, (command, out.stderr)
        assert "permission denied" in out.stderr.lower(), (command, out.stderr)
