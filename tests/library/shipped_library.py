"""The shipped library for its tests: the folder, its files, and the loader."""

from __future__ import annotations

import tomllib
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "exercises"
EXERCISE_FILES = sorted(LIBRARY.glob("*.toml"))
VOCAB_FILES = sorted((LIBRARY / "vocab").glob("*.toml"))
RESOURCES_FILE = LIBRARY / "data" / "resources.toml"
DATA_FILES = sorted((LIBRARY / "data").glob("*.toml"))


def load_library():
    """The shipped library through the real loader, shipped folder only."""
    from trustdialog.exercise import load_library as load

    return load()


def read_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))
