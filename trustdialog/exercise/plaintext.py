"""Texts shown to the partners stay plain words: square brackets read as markup or stage directions."""

from __future__ import annotations

import re
from typing import Any, Iterator

from trustdialog.exercise.locator import Key
from trustdialog.exercise.reader import Source

# A bracketed piece ("[warmly]"), or a lone bracket when nothing closes it.
_BRACKETED = re.compile(r"\[[^\[\]\n]*\]|[\[\]]")

# The keys whose values a partner reads on screen or in an export; ids, kinds,
# role names and jumps are names, not texts, and are checked by their patterns.
_EXERCISE = ("title", "summary", "credit")
_STEP = ("text", "template", "guide", "yes", "no", "label")
_FIELD = ("label", "low", "high", "item")
_VOCABULARY = ("title", "note")

Texts = Iterator[tuple[tuple[Key, ...], str]]


def _strings(table: dict[str, Any], names: tuple[str, ...], at: tuple[Key, ...]) -> Texts:
    for name in names:
        value = table.get(name)
        if isinstance(value, str):
            yield at + (name,), value


def _items(value: Any, at: tuple[Key, ...]) -> Texts:
    for i, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, str):
            yield at + (i,), item


def _tables(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((i, t) for i, t in enumerate(value if isinstance(value, list) else []) if isinstance(t, dict))


def shown_texts(data: dict[str, Any]) -> Texts:
    """(key path, text) of every text of a parsed file that is shown to people."""
    meta = data.get("exercise")
    if isinstance(meta, dict):
        yield from _strings(meta, _EXERCISE, ("exercise",))
        yield from _items(meta.get("tags"), ("exercise", "tags"))
        for name in ("rules", "guides"):
            table = meta.get(name)
            for role, value in (table.items() if isinstance(table, dict) else ()):
                at: tuple[Key, ...] = ("exercise", name, role)
                yield from ([(at, value)] if isinstance(value, str) else _items(value, at))
    for row, step in _tables(data.get("steps")):
        at = ("steps", row)
        yield from _strings(step, _STEP, at)
        for i, option in _tables(step.get("options")):
            yield from _strings(option, ("label",), at + ("options", i))
        fields = step.get("fields")
        for name, field in (fields.items() if isinstance(fields, dict) else ()):
            if isinstance(field, dict):
                yield from _strings(field, _FIELD, at + ("fields", name))
    vocab = data.get("vocabulary")
    if isinstance(vocab, dict):
        yield from _strings(vocab, _VOCABULARY, ("vocabulary",))
        for i, group in _tables(vocab.get("groups")):
            yield from _strings(group, ("title",), ("vocabulary", "groups", i))
            yield from _items(group.get("words"), ("vocabulary", "groups", i, "words"))


def _key_name(at: tuple[Key, ...]) -> str:
    """The key as an author wrote it: `text`, `label`, `guides.listener`, `words`."""
    names = [k for k in at if isinstance(k, str)]
    if names[0] == "exercise" and names[1:2] in (["rules"], ["guides"]) and len(names) > 2:
        return ".".join(names[1:3])
    return names[-1]


def check(src: Source) -> None:
    """Report the first square bracket of each shown text (TD037)."""
    for at, text in shown_texts(src.data):
        m = _BRACKETED.search(text)
        if m is None:
            continue
        piece = m.group()
        words = piece.strip("[] ")
        fix = f"write it in plain words (\"{words}\") or leave it out" if words else "leave it out"
        src.within(at, piece)
        src.report("TD037", f"'{piece}' in '{_key_name(at)}': square brackets look like markup or a stage "
                   f"direction to the partners, who read every text as it stands; {fix}", at, value=True)
