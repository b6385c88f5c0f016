"""Keeping the garbage collector off the long-lived heap (widgets, styles, the library)."""

from __future__ import annotations

import gc


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's sight (gc.freeze).

    The widgets, styles and the exercise library are long-lived: without this,
    each full collection walks all of them while someone types, and a keystroke
    waits tens of milliseconds for its echo. Called once the first screen and
    the library are up, and again once an exercise screen is built (its panes
    and forms then live until the exercise ends). Objects made later are still
    collected as usual; a frozen object that becomes garbage is only freed when
    its reference count drops to zero, which is almost always.

    It also turns collection back on: `trustdialog` turns it off while it
    starts (see commands/app.py), when nearly everything made lives on.
    """
    gc.freeze()
    gc.enable()
