"""Quick exit: one key blanks the screen and quits at once, leaving nothing to read."""

from __future__ import annotations

import atexit
import os
import sys

from textual.app import App

# The app's return value after a quick exit, so the caller prints nothing more.
QUICK_EXIT = "quick-exit"

# Home, clear the screen, clear the scrollback (where the terminal has one).
CLEAR_ALL = "\x1b[H\x1b[2J\x1b[3J"


def quick_exit(app: App) -> None:
    """Blank the terminal now and exit; everything submitted is already saved.

    No confirmation and no animation: the alternate screen is cleared at once,
    and once the app has left it, the normal screen and scrollback are cleared
    too (at interpreter exit, after anything the caller prints).
    """
    driver = app._driver
    if driver is not None and not app.is_headless:
        driver.write(CLEAR_ALL)
        driver.flush()
        atexit.register(_clear_terminal)
    app.exit(result=QUICK_EXIT)


def _clear_terminal() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    for fd in (1, 2):
        try:
            if os.isatty(fd):
                os.write(fd, CLEAR_ALL.encode())
                return
        except OSError:
            continue
