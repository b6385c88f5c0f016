"""A vocabulary (feelings, needs...): groups of words that pick fields offer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """A named group of words; `family` groups groups (needs-met, needs-not-met...)."""

    id: str
    title: str
    family: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """A whole vocabulary; `words` is every word of every group, in file order."""

    id: str
    title: str
    groups: tuple[Group, ...]
    note: str = ""
    path: str | None = None

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for g in self.groups for w in g.words)
