"""Shipped texts are plain text, and the vocabularies and resources have what the app needs."""

from __future__ import annotations

import pytest
from rich.markup import escape
from rich.text import Text

from shipped_library import DATA_FILES, EXERCISE_FILES, RESOURCES_FILE, VOCAB_FILES, read_toml

ALL_FILES = EXERCISE_FILES + VOCAB_FILES + DATA_FILES


def strings(value):
    """Every string in a TOML document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_shipped_text_reads_as_markup(path):
    for s in strings(read_toml(path)):
        assert Text.from_markup(s).plain == s, s
        assert escape(s) == s, s
        assert "[" not in s and "]" not in s, s


def test_feelings_come_in_needs_met_and_not_met_families(library):
    feelings = library.vocab["feelings"]
    assert len(feelings.words) >= 120
    assert len(set(feelings.words)) == len(feelings.words)
    assert {g.family for g in feelings.groups} == {"needs-met", "needs-not-met"}
    assert all(len(g.words) >= 5 for g in feelings.groups)
    assert all(w == w.strip().lower() for w in feelings.words)


def test_needs_vocabulary_is_there(library):
    needs = library.vocab["needs"]
    assert len(needs.words) >= 40 and len(set(needs.words)) == len(needs.words)


def test_resources_list_is_complete_and_honest():
    data = read_toml(RESOURCES_FILE)
    assert data["format"] == 1
    res = data["resources"]
    assert res["title"].strip()
    assert "emergency" in res["note"] and "country" in res["note"]
    assert set(res) == {"title", "note", "entries"}
    assert len(res["entries"]) >= 5
    for entry in res["entries"]:
        assert set(entry) == {"name", "for", "contact", "region"}, entry
        assert all(isinstance(v, str) and v.strip() for v in entry.values()), entry
    # Directories that work anywhere come with the list, not only national lines.
    assert sum(e["region"] == "anywhere" for e in res["entries"]) >= 3


def test_every_shipped_step_has_a_short_plain_label(library):
    for ex in library.exercises.values():
        for step in ex.steps:
            where = f"{ex.id}: {step.id}"
            assert step.label.strip(), f"{where} has no label"
            assert len(step.label) <= 40, f"{where}: keep the label short"
            assert step.label[0].isupper() and "{" not in step.label, f"{where}: {step.label!r}"
            assert step.label != step.id, where
