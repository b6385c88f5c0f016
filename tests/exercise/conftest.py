"""Fixtures of the exercise checker's tests: a CLI runner (the fixture folders are in exercise_fixtures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def run_cli():
    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "trustdialog", *args], capture_output=True, text=True,
                              cwd=cwd, timeout=60)

    return run
