"""Fixtures of the exercise checker's tests: the fixture folders and a CLI runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
STRUCTURE = FIXTURES / "bad" / "structure"  # the schema rejects these too
CROSSREF = FIXTURES / "bad" / "crossref"  # only the checker sees these (names, values, graph)


def expected_code(path: Path) -> str:
    """Bad fixtures are named for the code they must raise: td012-....toml -> TD012."""
    return path.name.split("-")[0].upper()


@pytest.fixture
def run_cli():
    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "trustdialog", *args], capture_output=True, text=True,
                              cwd=cwd, timeout=60)

    return run
