"""Fixtures for the store tests: a fresh data folder per test, local time in UTC, async tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
