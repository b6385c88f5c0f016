"""The whole package passes the type checker, strict on the core below the UI (see pyproject)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Modules below the UI line: they must stay under the strict per-module flags.
CORE = ("trustdialog.engine.*", "trustdialog.store.*", "trustdialog.session", "trustdialog.language",
        "trustdialog.exercise", "trustdialog.exercise.*")
STRICT_FLAGS = ("disallow_untyped_defs", "disallow_incomplete_defs", "disallow_untyped_calls",
                "disallow_any_generics", "warn_return_any")


def test_the_package_type_checks() -> None:
    # From the project root, so mypy reads [tool.mypy] in pyproject.toml.
    run = subprocess.run([sys.executable, "-m", "mypy", "trustdialog"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, "mypy found problems:\n" + run.stdout[-8000:] + run.stderr[-2000:]


def test_the_core_is_checked_strictly() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    # The UI is checked at least inside untyped functions.
    assert config.get("check_untyped_defs") is True
    strict = [o for o in config.get("overrides", []) if all(o.get(flag) is True for flag in STRICT_FLAGS)]
    covered = {m for o in strict for m in ([o["module"]] if isinstance(o["module"], str) else o["module"])}
    missing = [m for m in CORE if m not in covered]
    assert not missing, f"not in the strict per-module list of pyproject.toml: {missing}"
