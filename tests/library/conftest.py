"""Fixtures for the shipped-library tests."""

from __future__ import annotations

import pytest

from shipped_library import load_library


@pytest.fixture(scope="session")
def library():
    """The shipped library, loaded once through the real loader."""
    return load_library()
