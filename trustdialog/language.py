"""Gentle hints on wording, and the vocabulary helpers (no UI).

A hint is a suggestion, never a block and never a judgement: when an answer
holds a phrase from `data/hints.toml` ("you always", "it's your fault"), the
UI may show the group's suggestion and an I-statement frame beside the input.
The phrase lists are data; a facilitator extends them with an `--exercises DIR`
folder holding its own `data/hints.toml`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence, TypeAlias

from trustdialog.files import FileReadError, FileTooLarge, read_regular_file

HINTS_FILE = Path("data") / "hints.toml"
MAX_FILE_BYTES = 1_000_000  # a hints file is a few KB; refuse a runaway one unread
DEFAULT_FRAME = "I feel ___ about ___, and I need ___."
MAX_PHRASE = 200  # characters; a phrase is a few words (and the pattern is built recursively)

# Curly and other look-alike apostrophes read as a straight one. Each maps one
# character to one character, so match positions stay positions in the text.
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u2032\uff07`"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class HintGroup:
    """One kind of wording: its phrases, and what to suggest instead."""

    id: str
    title: str
    suggestion: str
    frame: str
    phrases: tuple[str, ...] = ()
    # A word of `words` counts only right after one of `before` ("you're so" + "lazy").
    before: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hint:
    """A phrase found in a text, with the suggestion of its group."""

    group: str
    title: str
    suggestion: str
    frame: str
    phrase: str  # as it stands in the text
    start: int
    end: int

    @property
    def message(self) -> str:
        """One calm line for beside the input."""
        return f"{self.suggestion} You could try: \u201c{self.frame}\u201d"


class Hints:
    """A set of hint groups, compiled into one pattern that scans a text once."""

    def __init__(self, groups: Sequence[HintGroup] = (), note: str = "",
                 problems: Sequence[str] = ()) -> None:
        self.groups = tuple(groups)
        self.note = note
        self.problems = tuple(problems)  # "path: what is wrong" for each file or group skipped
        # Every phrase (and every `before` + word) -> the first group that lists it.
        self._owner: dict[str, HintGroup] = {}
        for g in self.groups:
            for phrase in _phrases(g):
                self._owner.setdefault(_key(phrase), g)
        self._owner = {k: g for k, g in self._owner.items() if 0 < len(k) <= MAX_PHRASE}
        # One trie-shaped pattern over all groups, matched against lower-cased
        # text (faster than IGNORECASE); whole words only: no word character
        # may touch either end of a phrase.
        self._pattern = (
            re.compile(r"(?<!\w)" + _alternatives(self._owner) + r"(?!\w)") if self._owner else None
        )

    def first(self, text: str) -> Hint | None:
        """The earliest hint in `text` (the longest phrase where several start), or None."""
        if self._pattern is None or not isinstance(text, str):
            return None
        m = self._pattern.search(_fold(text))
        return self._hint(m, text) if m else None

    def all(self, text: str) -> list[Hint]:
        """Every hint in `text`, in order."""
        if self._pattern is None or not isinstance(text, str):
            return []
        return [self._hint(m, text) for m in self._pattern.finditer(_fold(text))]

    def _hint(self, m: re.Match[str], text: str) -> Hint:
        g = self._owner[_key(m.group())]
        return Hint(g.id, g.title, g.suggestion, g.frame, text[m.start():m.end()], m.start(), m.end())


def _phrases(g: HintGroup) -> Iterable[str]:
    yield from g.phrases
    for b in g.before:
        for w in g.words:
            yield f"{b} {w}"


def _has_words(g: HintGroup) -> bool:
    return bool(g.phrases or (g.before and g.words))


def _key(phrase: str) -> str:
    """A phrase as the pattern sees it: lower case, one space between words, ' for ’."""
    return " ".join(_SPACES.split(_fold(phrase).strip()))


def _fold(text: str) -> str:
    """`text` lower-cased with apostrophes made straight, each character still in its place."""
    folded = text.translate(_APOSTROPHES).lower()
    if len(folded) != len(text):  # a few characters lower to two ("İ"): keep those as they are
        folded = "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_APOSTROPHES))
    return folded


_GAP = " "  # in a phrase key, any run of spaces or line breaks


# A node maps each next character to the node after it; "" marks a phrase's end.
_Trie: TypeAlias = "dict[str, _Trie]"


def _alternatives(keys: Iterable[str]) -> str:
    """One regex for all phrase `keys`, shaped as a trie.

    A plain "a|b|c" makes the regex engine try every phrase at every position
    of the text; sharing prefixes ("you always", "you are", "you never") lets
    it give up after one character almost everywhere, which keeps a 20 KB
    paste far under a keystroke's time. Longer phrases are tried first.
    """
    trie: _Trie = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        if node is not trie:
            node[""] = {}  # a phrase ends here
    return _trie_regex(trie) if trie else "(?!)"  # no phrase: never matches


def _trie_regex(node: _Trie) -> str:
    branches = []
    for ch in sorted(k for k in node if k):
        head = r"\s+" if ch == _GAP else re.escape(ch)
        branches.append(head + _trie_regex(node[ch]))
    if "" in node:
        branches.append("")  # last: a longer phrase through this node wins
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


# -- loading ------------------------------------------------------------------


def load_hints(extra_dirs: Iterable[str | os.PathLike[str]] = (),
               include_shipped: bool = True) -> Hints:
    """The shipped hint groups, extended by each extra folder's `data/hints.toml`.

    A group whose `id` is already known adds its phrases to that group (and
    replaces its texts if it gives them); a new `id` adds a group. A file or
    group that cannot be read is skipped and named in `.problems`.
    """
    from trustdialog.locations import library_dir

    folders = ([library_dir()] if include_shipped else []) + [Path(d) for d in extra_dirs]
    merged: dict[str, HintGroup] = {}
    note = ""
    problems: list[str] = []
    for folder in folders:
        path = Path(folder) / HINTS_FILE
        if not path.exists():  # a FIFO or folder by this name is read, and refused with a reason
            continue
        doc = _read(path, problems)
        if doc is None:
            continue
        table = doc.get("hints")
        if doc.get("format") != 1 or not isinstance(table, dict):
            problems.append(f"{path}: not a hints file (it needs format = 1 and a [hints] table)")
            continue
        if isinstance(table.get("note"), str):
            note = table["note"]
        groups = table.get("groups", [])
        if not isinstance(groups, list):
            problems.append(f"{path}: [[hints.groups]] must be a list of tables")
            continue
        for n, raw in enumerate(groups, 1):
            group = _group(raw, merged, f"{path}: group {n}", problems)
            if group is not None:
                merged[group.id] = group
    return Hints(tuple(merged.values()), note, problems)


def _read(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(read_regular_file(path, MAX_FILE_BYTES).decode("utf-8"))
    except FileTooLarge:
        problems.append(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB; skipped")
    except FileReadError as exc:
        problems.append(f"{path}: {exc.reason}; skipped")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        problems.append(f"{path}: cannot be read ({exc}); skipped")
    return None


_TEXT_KEYS = ("title", "suggestion", "frame")
_LIST_KEYS = ("phrases", "before", "words")


def _group(raw: Any, known: dict[str, HintGroup], where: str, problems: list[str]) -> HintGroup | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"].strip():
        problems.append(f"{where}: every group needs an `id`; skipped")
        return None
    gid = raw["id"].strip()
    where = f"{where} ({gid!r})"
    unknown = sorted(set(raw) - {"id", *_TEXT_KEYS, *_LIST_KEYS})
    if unknown:
        problems.append(f"{where}: unknown key {unknown[0]!r} (ignored)")
    texts: dict[str, str] = {}
    for key in _TEXT_KEYS:
        value = raw.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            problems.append(f"{where}: `{key}` must be text; skipped")
            return None
        if value is not None:
            texts[key] = value.strip()
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{where}: `{key}` must be a list of text; skipped")
            return None
        lists[key] = tuple(v.strip() for v in value if v.strip())
        if any(len(v) > MAX_PHRASE for v in lists[key]):
            problems.append(f"{where}: a phrase longer than {MAX_PHRASE} characters is ignored")
    old = known.get(gid)
    if old is not None:  # extend a known group: its phrases grow, given texts replace
        return HintGroup(
            id=gid,
            title=texts.get("title", old.title),
            suggestion=texts.get("suggestion", old.suggestion),
            frame=texts.get("frame", old.frame),
            **{k: _union(getattr(old, k), lists[k]) for k in _LIST_KEYS},
        )
    if "suggestion" not in texts:
        problems.append(f"{where}: a new group needs a `suggestion`; skipped")
        return None
    group = HintGroup(id=gid, title=texts.get("title", gid), suggestion=texts["suggestion"],
                      frame=texts.get("frame", DEFAULT_FRAME), **lists)
    if not _has_words(group):
        problems.append(f"{where}: no `phrases` (or `before` with `words`); skipped")
        return None
    return group


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a + b))


# -- the hints the app uses -------------------------------------------------------

_active: Hints | None = None


def configure(extra_dirs: Iterable[str | os.PathLike[str]] = (),
              include_shipped: bool = True) -> Hints:
    """Load the hints once for this process (the app calls this with `--exercises` folders)."""
    global _active
    _active = load_hints(extra_dirs, include_shipped)
    return _active


def active_hints() -> Hints:
    """The hints `hint_for` uses: those of `configure`, else the shipped ones."""
    return _active if _active is not None else configure()


def hint_for(text: str, hints: Hints | None = None) -> Hint | None:
    """The first gentle hint for `text`, or None. Never raises, whatever the text."""
    return (hints or active_hints()).first(text)


def hints_in(text: str, hints: Hints | None = None) -> list[Hint]:
    """Every hint for `text`, in the order they stand in it."""
    return (hints or active_hints()).all(text)


# -- vocabulary ------------------------------------------------------------------


def complete(prefix: str, words: Iterable[str], limit: int | None = None) -> list[str]:
    """Words for `prefix`: those starting with it first, then those containing it.

    Case-insensitive, in the order `words` gives them, each word once. An empty
    prefix offers every word.
    """
    key = prefix.strip().casefold()
    starts: list[str] = []
    inside: list[str] = []
    seen: set[str] = set()
    for word in words:
        if word in seen:
            continue
        seen.add(word)
        folded = word.casefold()
        if folded.startswith(key):
            starts.append(word)
        elif key in folded:
            inside.append(word)
    found = starts + inside
    return found if limit is None else found[:limit]
