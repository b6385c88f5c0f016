"""Exercise files: reading TOML into the validated model, with diagnostics at path:line:col.

The names below load on first use, so `import trustdialog.exercise.model`
(which the engine does) does not pay for the checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trustdialog.exercise.diagnostics import Diagnostic
    from trustdialog.exercise.library import Library, check_paths, load_file, load_library
    from trustdialog.exercise.vocabulary import Group, Vocabulary

_WHERE = {
    "Diagnostic": "diagnostics",
    "Library": "library",
    "check_paths": "library",
    "load_file": "library",
    "load_library": "library",
    "Group": "vocabulary",
    "Vocabulary": "vocabulary",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"trustdialog.exercise.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'trustdialog.exercise' has no attribute {name!r}")
