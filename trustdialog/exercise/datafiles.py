"""A library folder's data files (data/hints.toml, data/resources.toml) checked with path:line:col diagnostics.

The files are read by their own loaders (trustdialog.language.load_hints and
trustdialog.resources.load_resources), which report "path: what is wrong";
here the file is first read like an exercise (size, encoding and TOML syntax
with positions), then each loader problem is placed on the key it names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from trustdialog.exercise.diagnostics import Diagnostic, did_you_mean
from trustdialog.exercise.locator import Key
from trustdialog.exercise.reader import Source, read

HINTS = Path("data") / "hints.toml"
RESOURCES = Path("data") / "resources.toml"
DATA_FILES = (HINTS, RESOURCES)

# The keys trustdialog.resources reads; it ignores any other, so a typo would go unseen.
_RESOURCE_KEYS = {
    (): ("format", "resources"),
    ("resources",): ("title", "note", "entries"),
    ("resources", "entries", None): ("name", "for", "contact", "region"),
}
_GROUP = re.compile(r"^group (\d+)(?: \(.*?\))?: ")
_ENTRY = re.compile(r"^(?:\[resources\]|entry (\d+))(?::| )")
_KEY = re.compile(r"`([A-Za-z_-]+)`|unknown key '([^']+)'")


def data_files(folder: Path) -> list[Path]:
    """The data files a library folder has."""
    # exists, not is_file: a FIFO or folder by this name is refused with a reason, not passed over
    return [folder / name for name in DATA_FILES if (folder / name).exists()]


def is_data_file(path: Path) -> bool:
    return path.parent.name == "data" and path.name in {p.name for p in DATA_FILES}


def check_data_file(path: Path) -> list[Diagnostic]:
    """Every problem of one data file, at path:line:col."""
    source, problems = read(path)
    if source is None:
        return problems
    folder = path.parent.parent
    found = _hints(source, folder) if path.name == HINTS.name else _resources(source, folder)
    return sorted(found, key=lambda d: (d.line, d.col))


def _problems(messages: tuple[str, ...], path: Path) -> list[str]:
    """A loader's problems about `path`, without the leading "path: "."""
    prefix = f"{path}: "
    return [m.removeprefix(prefix) for m in messages if m.startswith(prefix)]


def _hints(src: Source, folder: Path) -> list[Diagnostic]:
    from trustdialog.language import load_hints

    path = folder / HINTS
    for message in _problems(load_hints([folder], include_shipped=False).problems, path):
        at: tuple[Key, ...] = ()
        m = _GROUP.match(message)
        if m:
            at = ("hints", "groups", int(m.group(1)) - 1)
            at += _key_named(message[m.end():])
        elif "[[hints.groups]]" in message:
            at = ("hints", "groups")
        # What the loader skips does not work at all; what it ignores is a slip.
        ignored = message.endswith("(ignored)") or message.endswith("is ignored")
        src.report("TD071" if ignored else "TD070", message, at, value=" must be " in message)
    return src.diagnostics


def _resources(src: Source, folder: Path) -> list[Diagnostic]:
    from trustdialog.resources import load_resources

    path = folder / RESOURCES
    for message in _problems(load_resources([folder], include_shipped=False).problems, path):
        at: tuple[Key, ...] = ()
        m = _ENTRY.match(message)
        if m:
            at = ("resources", "entries", int(m.group(1)) - 1) if m.group(1) else ("resources",)
            at += _key_named(message[m.end():])
        elif "[[resources.entries]]" in message:
            at = ("resources", "entries")
        elif "format" in message:
            at = ("format",)
        src.report("TD072", message, at, value=" must be " in message or at == ("format",))
    _unknown_resource_keys(src)
    return src.diagnostics


def _key_named(rest: str) -> tuple[Key, ...]:
    """The key a message names in `backquotes` (or as unknown key '...'), if any.

    Placing on a key that is not in the file falls back to its table.
    """
    m = _KEY.search(rest)
    return ((m.group(1) or m.group(2)),) if m else ()


def _unknown_resource_keys(src: Source) -> None:
    data = src.data
    tables: list[tuple[tuple[Key, ...], dict[str, Any], tuple[str, ...]]] = [((), data, _RESOURCE_KEYS[()])]
    res = data.get("resources")
    if isinstance(res, dict):
        tables.append((("resources",), res, _RESOURCE_KEYS[("resources",)]))
        entries = res.get("entries")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                tables.append((("resources", "entries", i), entry, _RESOURCE_KEYS[("resources", "entries", None)]))
    for at, table, known in tables:
        for key in table:
            if key not in known:
                last = at[-1] if at else None  # an entry's path ends in its index
                where = f"entry {last + 1}" if isinstance(last, int) else ("[resources]" if at else "the file")
                src.report("TD073", f"unknown key '{key}' in {where} (ignored){did_you_mean(key, known)}", at + (key,))
