"""Each language test starts from the shipped hints, whatever a test configured."""

from __future__ import annotations

import pytest

from trustdialog import language


@pytest.fixture(autouse=True)
def shipped_hints():
    language._active = None
    yield
    language._active = None
