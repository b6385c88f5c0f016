"""Gentle wording hints: what they find, what they leave alone, and the data behind them."""

from __future__ import annotations

import re
import time
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustdialog import language
from trustdialog.language import Hint, HintGroup, Hints, hint_for, hints_in, load_hints
from trustdialog.locations import library_dir

SHIPPED = load_hints()
FRAMES = ("When ___ happened, I felt ___.", "I feel ___ about ___, and I need ___.")


def group_of(text):
    found = hint_for(text)
    return found.group if found else None


# -- the shipped data ----------------------------------------------------------------


def test_shipped_hints_load_cleanly():
    assert SHIPPED.problems == ()
    assert [g.id for g in SHIPPED.groups] == ["absolutes", "blame", "name-calling", "mind-reading", "dismissing"]
    assert SHIPPED.note


@pytest.mark.parametrize("group", SHIPPED.groups, ids=lambda g: g.id)
def test_every_group_offers_a_calm_suggestion_and_an_i_statement(group):
    assert group.frame in FRAMES
    assert group.title and group.suggestion.endswith(".")
    # Suggestions, never verdicts: no exclamations, no orders, no diagnoses.
    assert "!" not in group.suggestion
    for word in ("must", "wrong", "toxic", "abus", "narciss", "disorder", "diagnos", "not allowed", "stop"):
        assert word not in group.suggestion.lower(), word


def test_every_shipped_phrase_is_found_in_a_sentence():
    for group in SHIPPED.groups:
        for phrase in language._phrases(group):
            found = hint_for(f"Well, {phrase}.")
            assert found is not None, phrase
            assert language._key(found.phrase) == language._key(phrase)
            # The group that lists a phrase first owns it.
            owner = next(g for g in SHIPPED.groups if phrase in tuple(language._phrases(g)))
            assert found.group == owner.id


def test_the_file_documents_its_format():
    text = (library_dir() / "data" / "hints.toml").read_text()
    for words in ("--exercises DIR", "phrases = [", "before = [", "words = [", "nothing is blocked", "not a judgement"):
        assert words in text
    assert tomllib.loads(text)["format"] == 1


# -- matching -------------------------------------------------------------------------


@pytest.mark.parametrize("text, group", [
    ("You always forget the bins.", "absolutes"),
    ("and YOU NEVER listen", "absolutes"),
    ("you\n  never\tlisten", "absolutes"),
    ("You’re always late", "absolutes"),
    ("you‘re never home", "absolutes"),
    ("It’s your fault we missed it", "blame"),
    ("it's all your fault", "blame"),
    ("It happened because of you.", "blame"),
    ("What’s wrong with you?", "blame"),
    ("You’re so lazy.", "name-calling"),
    ("you are being childish", "name-calling"),
    ("what an idiot", "name-calling"),
    ("You don’t care about me.", "mind-reading"),
    ("you just want to win", "mind-reading"),
    ("you never cared", "mind-reading"),  # the longer phrase wins where both start
    ("Oh, calm down.", "dismissing"),
    ("You're overreacting", "dismissing"),
])
def test_blaming_phrases_get_a_hint(text, group):
    assert group_of(text) == group


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "When you came home late, I felt lonely.",
    "I feel anxious about money, and I need us to make a plan together.",
    "I never want to lose this.",
    "We always laugh at that film.",
    "Thank you for listening.",
    "younever",  # inside another word
    "bayou always",
    "idiotic",
    "jerky",
    "a lazy Sunday",
    "such a crazy day",
    "you alwaysx",
    "your faults are few",  # "your fault" only as whole words
])
def test_calm_or_unrelated_text_gets_no_hint(text):
    assert hint_for(text) is None


def test_a_hint_points_at_the_phrase_as_typed():
    text = "Honestly, IT’S YOUR FAULT."
    found = hint_for(text)
    assert isinstance(found, Hint)
    assert (found.phrase, found.start, found.end) == ("IT’S YOUR FAULT", 10, 25)
    assert text[found.start:found.end] == found.phrase
    assert found.suggestion in found.message and found.frame in found.message


def test_hints_in_lists_every_phrase_in_order():
    text = "You always do this. It's your fault. You idiot, calm down."
    assert [(h.group, h.phrase) for h in hints_in(text)] == [
        ("absolutes", "You always"), ("blame", "It's your fault"),
        ("name-calling", "idiot"), ("dismissing", "calm down")]
    assert hint_for(text).phrase == "You always"


def test_characters_that_lower_to_two_keep_the_positions_right():
    text = "İstanbul: you always"
    found = hint_for(text)
    assert text[found.start:found.end] == "you always"


def test_not_text_gets_no_hint():
    assert hint_for(None) is None and hints_in(b"you always") == []


# -- extending the lists ---------------------------------------------------------------


def write_hints(folder, body):
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "hints.toml").write_text(body, encoding="utf-8")
    return folder


def test_a_facilitator_folder_extends_groups_and_adds_new_ones(tmp_path):
    write_hints(tmp_path, '''
format = 1
[hints]
[[hints.groups]]
id = "absolutes"
phrases = ["you forever", "you always"]
[[hints.groups]]
id = "sarcasm"
title = "Sarcasm"
suggestion = "Plain words may carry further."
phrases = ["oh great, thanks"]
''')
    hints = load_hints([tmp_path])
    assert hints.problems == ()
    ids = [g.id for g in hints.groups]
    assert ids == ["absolutes", "blame", "name-calling", "mind-reading", "dismissing", "sarcasm"]
    absolutes = hints.groups[0]
    assert absolutes.phrases.count("you always") == 1 and absolutes.phrases[-1] == "you forever"
    assert absolutes.suggestion == SHIPPED.groups[0].suggestion  # texts kept unless given
    assert hints.first("you forever do this").group == "absolutes"
    new = hints.first("Oh great,   thanks.")
    assert (new.group, new.title, new.frame) == ("sarcasm", "Sarcasm", language.DEFAULT_FRAME)


def test_a_facilitator_may_reword_a_suggestion(tmp_path):
    write_hints(tmp_path, 'format = 1\n[hints]\nnote = "Ours."\n[[hints.groups]]\nid = "blame"\nsuggestion = "Try softer words."\n')
    hints = load_hints([tmp_path])
    assert hints.first("it's your fault").suggestion == "Try softer words."
    assert hints.note == "Ours."


def test_without_the_shipped_lists_only_the_folders_count(tmp_path):
    write_hints(tmp_path, 'format = 1\n[hints]\n[[hints.groups]]\nid = "x"\nsuggestion = "s."\nphrases = ["zut"]\n')
    hints = load_hints([tmp_path], include_shipped=False)
    assert [g.id for g in hints.groups] == ["x"]
    assert hints.first("you always") is None and hints.first("ZUT!").group == "x"


def test_configure_makes_hint_for_use_the_folders(tmp_path):
    write_hints(tmp_path, 'format = 1\n[hints]\n[[hints.groups]]\nid = "x"\nsuggestion = "s."\nphrases = ["zut"]\n')
    assert hint_for("zut") is None
    language.configure([tmp_path])
    assert hint_for("zut").group == "x" and hint_for("you never").group == "absolutes"


def test_a_folder_without_hints_changes_nothing(tmp_path):
    assert [g.id for g in load_hints([tmp_path]).groups] == [g.id for g in SHIPPED.groups]


@pytest.mark.parametrize("body, problem", [
    ("format = 1\n[hints\n", "cannot be read"),
    ("format = 2\n[hints]\n", "not a hints file"),
    ("[hints]\n", "not a hints file"),
    ("format = 1\nhints = 3\n", "not a hints file"),
    ("format = 1\n[hints]\ngroups = 3\n", "must be a list of tables"),
    ("format = 1\n[[hints.groups]]\nphrases = ['x']\n", "needs an `id`"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nsuggestion = 's'\nphrases = 'x'\n", "`phrases` must be a list of text"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nsuggestion = 's'\nphrases = [1]\n", "`phrases` must be a list of text"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nsuggestion = 3\nphrases = ['x']\n", "`suggestion` must be text"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nphrases = ['x']\n", "needs a `suggestion`"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nsuggestion = 's'\nphrases = ['  ']\n", "no `phrases`"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nsuggestion = 's'\nbefore = ['you']\n", "no `phrases`"),
    ("format = 1\n[[hints.groups]]\nid = 'n'\nsuggestion = 's'\nphrases = ['x']\ncolour = 'red'\n", "unknown key 'colour'"),
])
def test_a_broken_facilitator_file_is_named_and_the_rest_still_loads(tmp_path, body, problem):
    write_hints(tmp_path, body)
    hints = load_hints([tmp_path])
    assert len(hints.problems) == 1 and problem in hints.problems[0]
    assert str(tmp_path / "data" / "hints.toml") in hints.problems[0]
    assert hint_for("you always", hints).group == "absolutes"


def test_unreadable_files_are_skipped(tmp_path):
    write_hints(tmp_path / "bytes", "")
    (tmp_path / "bytes" / "data" / "hints.toml").write_bytes(b"format = 1\n\xff\xfe")
    write_hints(tmp_path / "big", "# " + "x" * 1_100_000)
    write_hints(tmp_path / "deep", "format = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    hints = load_hints([tmp_path / "bytes", tmp_path / "big", tmp_path / "deep"])
    assert len(hints.problems) == 3
    assert "cannot be read" in hints.problems[0] and "larger than" in hints.problems[1]
    assert hints.first("you always").group == "absolutes"


def test_an_empty_set_of_hints_finds_nothing():
    assert Hints().first("you always") is None and Hints().all("you always") == []
    assert Hints([HintGroup("g", "G", "s.", "f", phrases=())]).first("anything") is None


# -- any text at all ---------------------------------------------------------------------


PIECES = st.one_of(
    st.text(),
    st.sampled_from([p for g in SHIPPED.groups for p in language._phrases(g)]),
    st.sampled_from(["\u2019", "'", " ", "\n", "\u0130", "\x1b[31m", "[bold]", "a", "_", "\u00e9"]),
)
TEXTS = st.one_of(st.text(), st.lists(PIECES, max_size=12).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_hint_for_never_raises_and_points_at_whole_words(text):
    for found in hints_in(text):
        assert text[found.start:found.end] == found.phrase
        assert found.start == 0 or not re.match(r"\w", text[found.start - 1])
        assert found.end == len(text) or not re.match(r"\w", text[found.end])
    first = hint_for(text)
    assert first == (hints_in(text)[0] if first else None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=15), min_size=1, max_size=5), st.text(max_size=20), st.text(max_size=20))
def test_any_phrase_a_facilitator_writes_is_found_between_spaces(phrases, left, right):
    hints = Hints([HintGroup("g", "G", "s.", "f", phrases=tuple(phrases))])
    for phrase in phrases:
        if not phrase.strip():
            continue
        text = f"{left} {phrase} {right}"
        assert hints.first(text) is not None
        assert any(language._key(h.phrase) == language._key(phrase) for h in hints.all(f"{phrase}"))


# -- speed (printed, never asserted) -------------------------------------------------------


def test_a_20_kb_paste_is_scanned(capsys):
    texts = {
        "prose": ("When you came home late I felt lonely and we talked about it. " * 400)[:20_000],
        "you you": ("you " * 5_000)[:20_000],
        "near misses": ("you're so very tired, you alway " * 700)[:20_000],
        "one word": "x" * 20_000,
        "blame at the end": ("calm words here " * 1_300)[:19_980] + " it's your fault",
    }
    language.active_hints()  # loaded and compiled once per process, not per keystroke
    for name, text in texts.items():
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            found = hint_for(text)
            runs.append((time.perf_counter() - start) * 1000)
        with capsys.disabled():
            print(f"\nhint_for on 20 KB ({name}): median {sorted(runs)[3]:.2f} ms of 7")
        assert (found is not None) == (name == "blame at the end")


def test_a_runaway_phrase_is_ignored_not_fatal(tmp_path):
    long = "you " + "very " * 500 + "much"
    write_hints(tmp_path, f'format = 1\n[[hints.groups]]\nid = "absolutes"\nphrases = ["{long}"]\n')
    hints = load_hints([tmp_path])
    assert "longer than 200 characters" in hints.problems[0]
    assert hints.first(long) is None and hints.first("you never").group == "absolutes"
    assert Hints([HintGroup("g", "G", "s.", "f", phrases=("x" * 5000, "ok"))]).first("ok").group == "g"
