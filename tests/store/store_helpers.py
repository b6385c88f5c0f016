"""Helpers for the store tests: small exercises built in code, the real command, mounts."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from trustdialog.exercise.model import Exercise, Field, Step

REPO = Path(__file__).resolve().parents[2]
TRUSTDIALOG = [sys.executable, "-m", "trustdialog"]


def promises_exercise() -> Exercise:
    """A cut-down "small-promises": a list field of promises, a confirm loop, a private note."""
    item = "I will {what} by {when}"
    return Exercise(
        id="small-promises", title="Small promises", minutes=10, summary="", credit="",
        roles=("promiser", "witness"), rounds=2, swap_roles=True, promises=True,
        steps=(
            Step("promises", "prompt", "promiser", "{promiser}, make small promises for {witness}.",
                 fields=(Field("promises", "list", label="a promise", min=1, max=3, item=item),)),
            Step("read-back", "prompt", "witness", "{witness}, read back: {promises}"),
            Step("check", "confirm", "promiser", "Are these your promises?", on_no="promises",
                 max_loops=2),
            Step("note", "prompt", "both", "Privately: how do you feel?", private=True),
        ),
    )


def felt_exercise() -> Exercise:
    """Speaker and listener, a hidden rating from both, a choice and a private reflection."""
    return Exercise(
        id="when-i-felt", title="When it happened, I felt", minutes=20, summary="", credit="",
        roles=("speaker", "listener"), rounds=1,
        steps=(
            Step("voice", "prompt", "speaker", "{speaker}, name one moment. {listener}, listen.",
                 template="When {event} happened, I felt {feeling}.",
                 fields=(Field("event"), Field("feeling", "pick", vocab="feelings"))),
            Step("mirror", "prompt", "listener", "{listener}, say back what you heard: {voice}"),
            Step("rate", "prompt", "both", "How safe did that feel?", hidden=True,
                 fields=(Field("safe", "rating", min=1, max=5),)),
            Step("reflect", "prompt", "both", "Privately, note one thing.", private=True),
        ),
    )


def run_cli(*args: str, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in a real process."""
    return subprocess.run([*TRUSTDIALOG, *args], capture_output=True, text=True, input=input,
                          cwd=REPO, env=env, timeout=60)


def mount(*args: str) -> bool:
    """Mount something (tests run as root in CI); False where mounting is not allowed."""
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextmanager
def mounted_tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real filesystem of `size` mounted at `where` for the test (a full or read-only disk)."""
    where.mkdir()
    if not mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)):
        pytest.skip("mounting a tmpfs is not allowed here (needs root in a sandbox that permits mount)")
    try:
        yield where
    finally:
        umount(where)
