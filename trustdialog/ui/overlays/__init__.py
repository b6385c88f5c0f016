"""Overlays reachable from anywhere in the app: rules, time-out, help lines, quit, quick exit.

Names are imported on first use so that opening the app does not pay for
screens nobody has asked for yet.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "HelpScreen": "help",
    "TimeOutScreen": "timeout",
    "PausedScreen": "timeout",
    "ResourcesScreen": "resources",
    "ConfirmQuitScreen": "confirm_quit",
    "quick_exit": "quick_exit",
    "QUICK_EXIT": "quick_exit",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
    # Bind every name of that module here, so the `quick_exit` function (not
    # the module of the same name, which importing it binds) is what we export.
    for other, where in _WHERE.items():
        if where == _WHERE[name]:
            globals()[other] = getattr(module, other)
    return globals()[name]
