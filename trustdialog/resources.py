"""Help lines shown on the resources screen: read from `data/resources.toml` of each library.

A facilitator localises the list by putting their own `data/resources.toml` in a
folder passed with `--exercises DIR`; its entries come first, the shipped ones
after. A broken file never hides help: it is reported and the rest still loads,
and with nothing loadable at all a minimal built-in text stands in.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from trustdialog.files import FileReadError, read_regular_file
from trustdialog.locations import library_dir

RESOURCES_FILE = Path("data") / "resources.toml"
FORMAT = 1
MAX_FILE_BYTES = 1_000_000  # a resources file is a few KB; refuse a runaway one unread

FALLBACK_TITLE = "Help lines"
FALLBACK_NOTE = (
    "If you are in danger, call your local emergency number. "
    "If you are afraid of your partner, this exercise is not the right tool: "
    "a local support service can help you find a safe next step."
)


@dataclass(frozen=True)
class Resource:
    """One place to turn to: who it is, what it helps with, how to reach it, where."""

    name: str
    purpose: str = ""  # the file's `for`: what it helps with
    contact: str = ""
    region: str = ""


@dataclass(frozen=True)
class Resources:
    """Everything the resources screen shows; `problems` are one-line file errors."""

    title: str
    note: str
    entries: tuple[Resource, ...] = ()
    problems: tuple[str, ...] = ()


class ResourcesFileError(ValueError):
    """A resources file that cannot be used; the message is `path: what is wrong`."""


def load_resources(extra_dirs: Iterable[str | os.PathLike[str]] = (),
                   include_shipped: bool = True) -> Resources:
    """The help lines of every `extra_dirs` library, then the shipped one.

    Title and note come from the first file that has them. Never raises: a
    broken file is listed in `problems`, and if no file could be read the
    built-in fallback text is used.
    """
    dirs = [Path(d) for d in extra_dirs]
    if include_shipped:
        dirs.append(library_dir())
    title = note = ""
    entries: list[Resource] = []
    problems: list[str] = []
    loaded = False
    for folder in dirs:
        path = folder / RESOURCES_FILE
        if not path.exists():  # a FIFO or folder by this name is read, and refused with a reason
            continue
        try:
            file_title, file_note, file_entries = read_resources_file(path)
        except ResourcesFileError as error:
            problems.append(str(error))
            continue
        loaded = True
        title = title or file_title
        note = note or file_note
        entries.extend(file_entries)
    if not loaded:
        return Resources(FALLBACK_TITLE, FALLBACK_NOTE, (), tuple(problems))
    return Resources(title or FALLBACK_TITLE, note or FALLBACK_NOTE, tuple(entries), tuple(problems))


def read_resources_file(path: Path) -> tuple[str, str, list[Resource]]:
    """(title, note, entries) of one file; raises ResourcesFileError saying what is wrong."""
    try:
        doc = tomllib.loads(read_regular_file(path, MAX_FILE_BYTES).decode("utf-8"))
    except FileReadError as error:
        raise ResourcesFileError(f"{path}: {error.reason}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise ResourcesFileError(f"{path}: not valid TOML: {error}") from None
    if doc.get("format") != FORMAT:
        raise ResourcesFileError(f"{path}: expected `format = {FORMAT}`, found {doc.get('format')!r}")
    table = doc.get("resources")
    if not isinstance(table, dict):
        raise ResourcesFileError(f"{path}: missing the [resources] table")
    title = _text(table, "title", path, "[resources]")
    note = _text(table, "note", path, "[resources]")
    raw_entries = table.get("entries", [])
    if not isinstance(raw_entries, list):
        raise ResourcesFileError(f"{path}: [[resources.entries]] must be a list of tables")
    entries = []
    for number, raw in enumerate(raw_entries, start=1):
        where = f"entry {number}"
        if not isinstance(raw, dict):
            raise ResourcesFileError(f"{path}: {where} must be a table")
        name = _text(raw, "name", path, where)
        if not name:
            raise ResourcesFileError(f"{path}: {where} has no `name`")
        entries.append(Resource(
            name=name,
            purpose=_text(raw, "for", path, where),
            contact=_text(raw, "contact", path, where),
            region=_text(raw, "region", path, where),
        ))
    return title, note, entries


def _text(table: dict[str, Any], key: str, path: Path, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ResourcesFileError(f"{path}: {where}: `{key}` must be a string")
    return value.strip()
