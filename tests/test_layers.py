"""The core never imports the UI or SSH libraries: it must start fast and alone."""

from __future__ import annotations

import subprocess
import sys

CORE = ("trustdialog.engine", "trustdialog.answers", "trustdialog.store", "trustdialog.exercise",
        "trustdialog.language", "trustdialog.session", "trustdialog.conversation", "trustdialog.cli",
        "trustdialog.presence", "trustdialog.identity", "trustdialog.export", "trustdialog.progress")
# Packages whose every module is imported on its own, so one that __init__ does not load is covered too.
WHOLE = ("trustdialog.engine",)


def test_core_modules_do_not_import_textual_or_asyncssh():
    code = (
        "import importlib, pkgutil, sys\n"
        f"for m in {CORE!r}:\n"
        "    importlib.import_module(m)\n"
        "seen = []\n"
        f"for p in {WHOLE!r}:\n"
        "    for info in pkgutil.iter_modules(importlib.import_module(p).__path__, p + '.'):\n"
        "        seen.append(importlib.import_module(info.name).__name__)\n"
        "leaked = [m for m in ('textual', 'asyncssh') if m in sys.modules]\n"
        "print(','.join(leaked))\n"
        "print(','.join(sorted(seen)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    leaked, seen = out.stdout.splitlines()
    assert leaked == ""
    assert {"trustdialog.engine.events", "trustdialog.engine.transitions"} <= set(seen.split(","))
