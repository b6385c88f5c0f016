"""Where trustdialog keeps its data and finds its exercise library."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "TRUSTDIALOG_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: `--data-dir`, else $TRUSTDIALOG_DATA_DIR, else the platform's."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only the commands that touch data pay for it

    return Path(platformdirs.user_data_dir("trustdialog", appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by its owner only: folders 0700.

    Each folder made here is 0700 whatever the umask (mkdir(parents=True) would
    make the parents 0777 & ~umask); folders that already existed keep their
    mode, except `path` itself.
    """
    missing = []
    here = path
    while not here.is_dir():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by another process
        os.chmod(folder, 0o700)  # the umask may have taken bits from the mode
    os.chmod(path, 0o700)
    return path


def library_dir() -> Path:
    """The shipped exercise library: the checkout's `exercises/`, or its copy in the wheel."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "exercises"
    if checkout.is_dir():
        return checkout
    return here / "_library"
