"""Picking a word from a vocabulary: prefix matches first, then words that contain it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trustdialog.language import complete

FEELINGS = ["calm", "afraid", "frustrated", "free", "Fragile", "relaxed", "carefree", "frightened"]


def test_prefix_matches_come_first_then_substrings_in_the_given_order():
    assert complete("fr", FEELINGS) == ["frustrated", "free", "Fragile", "frightened", "afraid", "carefree"]


def test_case_does_not_matter_and_words_keep_their_spelling():
    assert complete("FRA", FEELINGS) == ["Fragile", "afraid"]
    assert complete("  calm ", FEELINGS) == ["calm"]


def test_nothing_found_is_an_empty_list():
    assert complete("zz", FEELINGS) == []


def test_an_empty_prefix_offers_every_word_once():
    assert complete("", FEELINGS + ["calm"]) == FEELINGS


def test_limit_cuts_the_list():
    assert complete("e", FEELINGS, limit=2) == ["frustrated", "free"]


def test_works_on_any_iterable():
    assert complete("re", (w for w in FEELINGS)) == ["relaxed", "free", "carefree"]


@given(st.text(max_size=5), st.lists(st.text(max_size=8), max_size=20))
def test_complete_returns_each_matching_word_once(prefix, words):
    found = complete(prefix, words)
    key = prefix.strip().casefold()
    assert len(found) == len(set(found))
    assert set(found) == {w for w in words if key in w.casefold()}
    starts = [w.casefold().startswith(key) for w in found]
    assert starts == sorted(starts, reverse=True)
