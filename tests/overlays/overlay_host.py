"""A tiny app that hosts one overlay at a time, for tests that do not need the real app."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

import trustdialog.ui

# The overlays' section of the app's stylesheet (the last of screens.tcss), without
# the app's own Screen and Button rules: the host stays a neutral background, as it
# was when the overlays had a file of their own, so the snapshots hold still.
APP_CSS = Path(trustdialog.ui.__file__).parent / "screens.tcss"
OVERLAYS_MARK = "/* == overlays"
OVERLAYS_CSS = OVERLAYS_MARK + APP_CSS.read_text(encoding="utf-8").split(OVERLAYS_MARK, 1)[1]
# Tuesday 2025-03-04 14:05:00 UTC: a fixed "now" for every overlay that shows times
# (the overlay tests run with TZ=UTC, see conftest.py).
NOW = datetime(2025, 3, 4, 14, 5, tzinfo=timezone.utc).timestamp()


class HostApp(App):
    """Shows a line of text, then `overlay` on top; keeps what the overlay dismissed with."""

    CSS = OVERLAYS_CSS
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, overlay: Screen | None = None) -> None:
        super().__init__()
        self.theme = "textual-dark"
        self.overlay = overlay
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("Behind the overlay: the exercise.", id="behind")
        yield Footer()

    def on_mount(self) -> None:
        if self.overlay is not None:
            self.push_screen(self.overlay, self.results.append)


def screen_text(app: App) -> str:
    """The top screen as plain text, one line per row (what a person would read)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
