"""Line:column of keys and values in TOML text, which tomllib does not report.

A small scanner over text that tomllib has already accepted: it follows table
headers (counting `[[array]]` entries), dotted keys, inline tables and arrays,
and records where each key path starts. It is built only when a diagnostic
needs a position, and never raises: what it cannot follow falls back to the
nearest enclosing key that it did see.
"""

from __future__ import annotations

import re
from typing import Union

Key = Union[str, int]
Path = tuple[Key, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:[^\\]|\\.)*?"""(?!")|"""(?:[^\\]|\\.)*?""""{1,2}', re.S)
_ML_LITERAL = re.compile(r"'''.*?'''(?!')|'''.*?''''{1,2}", re.S)
_SPACE = re.compile(r"[ \t]*")
_GAP = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")  # whitespace, newlines and comments
_ATOM = re.compile(r"[^,\]\}\n#]+")
_DEEPEST = 12  # no diagnostic points deeper than this; deeper keys are still scanned
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class Locator:
    """Positions of key paths such as ("steps", 2, "fields", "event", "kind")."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: dict[Path, int] = {}  # path -> offset of its key (or header)
        self.values: dict[Path, int] = {}  # path -> offset of its value
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        try:
            self._scan()
        except Exception:  # positions are a convenience; a half-built index still helps
            pass

    # -- lookup ---------------------------------------------------------------

    def key(self, path: Path) -> tuple[int, int]:
        """Line, column (1-based) of the key at `path`, or of its nearest located ancestor."""
        return self._find(path, self.keys, self.values)

    def value(self, path: Path) -> tuple[int, int]:
        """Line, column of the value at `path` (falls back to its key, then ancestors)."""
        return self._find(path, self.values, self.keys)

    def inside(self, path: Path, needle: str) -> tuple[int, int] | None:
        """Line, column of the first `needle` within the value at `path`, if it is there."""
        start = self.values.get(tuple(path))
        if start is None:
            return None
        found = self.text.find(needle, start, start + 20_000)
        return self.position(found) if found >= 0 else None

    def _find(self, path: Path, first: dict[Path, int], second: dict[Path, int]) -> tuple[int, int]:
        path = tuple(path)
        while path:
            for table in (first, second):
                if path in table:
                    return self.position(table[path])
            path = path[:-1]
        return 1, 1

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    # -- scanning -------------------------------------------------------------

    def _gap(self, i: int) -> int:
        return _skip(_GAP, self.text, i)

    def _scan(self) -> None:
        text = self.text
        arrays: dict[Path, int] = {}  # array-of-tables path -> entries so far
        table: Path = ()
        i = self._gap(0)
        while i < len(text):
            if text.startswith("[[", i):
                keys, i = self._keys(i + 2)
                path = self._resolve(keys, arrays, table_header=True)
                arrays[path] = arrays.get(path, 0) + 1
                table = path + (arrays[path] - 1,)
                self.keys.setdefault(path, i)
                self.keys[table] = self._line_offset(i)
                i = text.index("]]", i) + 2
            elif text[i] == "[":
                keys, i = self._keys(i + 1)
                table = self._resolve(keys, arrays, table_header=False)
                self.keys.setdefault(table, self._line_offset(i))
                i = text.index("]", i) + 1
            else:
                start = i
                keys, i = self._keys(i)
                self._record(table, keys, start)
                i = _skip(_SPACE, text, i)
                if text[i] != "=":
                    return
                i = _skip(_SPACE, text, i + 1)
                i = self._value(table + tuple(k for k, _ in keys), i)
            i = self._gap(i)

    def _line_offset(self, i: int) -> int:
        return self._line_starts[self.position(i)[0] - 1]

    def _resolve(self, keys: list[tuple[str, int]], arrays: dict[Path, int], table_header: bool) -> Path:
        """A header's path, with the current index inserted after each array-of-tables prefix."""
        path: Path = ()
        names = [k for k, _ in keys][:_DEEPEST]
        for n, name in enumerate(names):
            path = path + (name,)
            last = n == len(names) - 1
            if path in arrays and not (last and table_header):
                path = path + (arrays[path] - 1,)
        return path

    def _record(self, table: Path, keys: list[tuple[str, int]], start: int) -> None:
        path = table
        for name, offset in keys[: max(0, _DEEPEST - len(table))]:
            path = path + (name,)
            self.keys.setdefault(path, offset)

    def _keys(self, i: int) -> tuple[list[tuple[str, int]], int]:
        """A dotted key starting at `i`: [(name, offset)], and the index after it."""
        text = self.text
        out: list[tuple[str, int]] = []
        while True:
            i = _skip(_SPACE, text, i)
            start = i
            if text[i] == '"':
                m = _match(_BASIC, text, i)
                name = _unescape(m.group()[1:-1])
            elif text[i] == "'":
                m = _match(_LITERAL, text, i)
                name = m.group()[1:-1]
            else:
                m = _match(_BARE, text, i)
                name = m.group()
            i = m.end()
            out.append((name, start))
            i = _skip(_SPACE, text, i)
            if i < len(text) and text[i] == ".":
                i += 1
                continue
            return out, i

    def _value(self, path: Path, i: int) -> int:
        text = self.text
        self.values.setdefault(path, i)
        c = text[i]
        if c == "{":
            i = _skip(_SPACE, text, i + 1)
            while text[i] != "}":
                start = i
                keys, i = self._keys(i)
                self._record(path, keys, start)
                i = _skip(_SPACE, text, i) + 1  # the '='
                i = _skip(_SPACE, text, i)
                i = self._value(path + tuple(k for k, _ in keys), i)
                i = _skip(_SPACE, text, i)
                if text[i] == ",":
                    i = _skip(_SPACE, text, i + 1)
            return i + 1
        if c == "[":
            n = 0
            i = self._gap(i + 1)
            while text[i] != "]":
                i = self._value(path + (n,), i)
                n += 1
                i = self._gap(i)
                if text[i] == ",":
                    i = self._gap(i + 1)
            return i + 1
        for pattern in (_ML_BASIC, _ML_LITERAL, _BASIC, _LITERAL, _ATOM):
            m = pattern.match(text, i)
            if m:
                return m.end()
        return i + 1


def _match(pattern: re.Pattern[str], text: str, i: int) -> re.Match[str]:
    """`pattern` at `i`; where the text is not what the scanner follows, it stops (see __init__)."""
    m = pattern.match(text, i)
    if m is None:
        raise ValueError(f"cannot follow the text at offset {i}")
    return m


def _skip(pattern: re.Pattern[str], text: str, i: int) -> int:
    """The offset after `pattern` (spaces, gaps) at `i`."""
    return _match(pattern, text, i).end()


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), s)
