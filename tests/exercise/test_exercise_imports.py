"""`list`, `check` and `schema` never import Textual: they start fast and alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

CODE = """
import sys, io, contextlib
from trustdialog.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main({argv!r})
print(','.join(m for m in ('textual', 'asyncssh', 'trustdialog.ui') if m in sys.modules) or 'clean')
"""


@pytest.mark.parametrize("argv", [["list"], ["check"], ["check", "--walk"], ["schema"]], ids=" ".join)
def test_command_does_not_import_the_ui(argv):
    out = subprocess.run([sys.executable, "-c", CODE.format(argv=argv)], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "clean"
