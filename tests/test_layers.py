"""The core never imports the UI or SSH libraries: it must start fast and alone."""

from __future__ import annotations

import subprocess
import sys

CORE = ("trustdialog.engine", "trustdialog.store", "trustdialog.exercise", "trustdialog.language",
        "trustdialog.session", "trustdialog.conversation", "trustdialog.cli")


def test_core_modules_do_not_import_textual_or_asyncssh():
    code = (
        "import importlib, sys\n"
        f"for m in {CORE!r}:\n"
        "    importlib.import_module(m)\n"
        "leaked = [m for m in ('textual', 'asyncssh') if m in sys.modules]\n"
        "print(','.join(leaked))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
