"""Shared test set-up: every test gets its own data dir and a pinned look."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Never touch the real home; the same look on every machine."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("TRUSTDIALOG_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg"))
    # The app pins its theme, but a stray TEXTUAL_THEME or NO_COLOR on a
    # developer's machine must not change what the snapshots see.
    for var in ("TEXTUAL_THEME", "NO_COLOR", "TRUSTDIALOG_USER", "TRUSTDIALOG_ROLE"):
        monkeypatch.delenv(var, raising=False)
    return data
