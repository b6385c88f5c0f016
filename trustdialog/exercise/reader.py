"""Reading one TOML file safely: size, encoding and syntax problems become diagnostics."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from trustdialog.exercise.diagnostics import Diagnostic
from trustdialog.exercise.locator import Key, Locator
from trustdialog.files import FileReadError, FileTooLarge, read_regular_file

MAX_BYTES = 1_000_000  # an exercise is a few KB; anything near this is a mistake or an attack

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass
class Source:
    """A parsed file: its text, its data, and (built on first use) where each key is."""

    path: str
    text: str
    data: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _locator: Locator | None = None
    _needle: tuple[tuple[Key, ...], str] | None = None

    @property
    def locator(self) -> Locator:
        if self._locator is None:
            self._locator = Locator(self.text)
        return self._locator

    def within(self, at: tuple[Key, ...], needle: str) -> None:
        """Place the next value diagnostic at `at` on `needle` inside that value (a slot in a text)."""
        self._needle = (tuple(at), needle)

    def report(self, code: str, message: str, at: tuple[Key, ...] = (), value: bool = False) -> None:
        """Add a diagnostic placed at the key (or, with `value`, the value) at path `at`."""
        line, col = self.locator.value(at) if value else self.locator.key(at)
        if value and self._needle and self._needle[0] == tuple(at):
            line, col = self.locator.inside(at, self._needle[1]) or (line, col)
        self.diagnostics.append(Diagnostic(self.path, line, col, code, message))

    @property
    def errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def read(path: str | os.PathLike[str]) -> tuple[Source | None, list[Diagnostic]]:
    """The parsed file, or None and the one diagnostic that says why it cannot be read."""
    name = str(path)

    def fail(code: str, message: str, line: int = 1, col: int = 1) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(name, line, col, code, message)]

    try:
        raw = read_regular_file(path, MAX_BYTES)
    except FileTooLarge as error:
        return fail("TD002", error.reason)
    except FileReadError as error:
        return fail("TD001", error.reason)
    if not raw.strip():
        return fail("TD005", "file is empty")
    if b"\0" in raw:
        return fail("TD004", "binary file (holds NUL bytes), not TOML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return fail("TD003", f"not UTF-8 text (byte 0x{raw[error.start]:02x})", line, col)
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        m = _AT.search(message)
        line, col = (int(m.group(1)), int(m.group(2))) if m else _end(text)
        message = _AT.sub("", message).replace("(at end of document)", "at end of file").strip()
        return fail("TD006", message[:1].lower() + message[1:], line, col)
    except RecursionError:
        return fail("TD007", "tables or arrays nested too deeply")
    except ValueError as error:
        # Past Python's limit on digits in one integer (4,300), tomllib raises a
        # plain ValueError rather than its own error: still a syntax problem.
        line, col = _end(text)
        return fail("TD006", f"a number too long to read ({' '.join(str(error).split()[:8])}…)", line, col)
    return Source(name, text, data), []


def _end(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1
