"""What an author gets wrong most: stage directions in brackets, a file named apart from its id, a misspelt kind."""

from __future__ import annotations

from pathlib import Path

from exercise_fixtures import GOOD
from trustdialog.exercise import check_paths

HEAD = '''format = 1
[exercise]
id = "{id}"
title = "Plain words"
minutes = 5
summary = "A short one."
rules.speaker = ["Speak for yourself."]
'''


def write(folder: Path, steps: str, name: str = "plain-words", **head: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(HEAD.format(id=head.get("id", name)) + steps, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    return [str(d) for d in check_paths([path], extra_dirs=[GOOD]).diagnostics]


def test_a_stage_direction_in_brackets_is_an_error_placed_on_the_bracket(tmp_path):
    path = write(tmp_path, '[[steps]]\nid = "hello"\nkind = "say"\nby = "speaker"\n'
                           'text = "{speaker}, [warmly] say hello."\n')
    lib = check_paths([path])
    (d,) = lib.diagnostics
    assert (d.code, d.severity) == ("TD037", "error")
    line = path.read_text(encoding="utf-8").splitlines()[d.line - 1]
    assert line[d.col - 1:].startswith("[warmly]")
    assert "markup" in d.message and "stage direction" in d.message and '"warmly"' in d.message
    assert lib.exercises == {}


def test_brackets_are_found_in_every_kind_of_shown_text(tmp_path):
    path = write(tmp_path, '''guides.listener = "Listen [quietly]."
[[steps]]
id = "pick"
kind = "choose"
by = "speaker"
text = "Which one?"
options = [{ label = "[pause] Go on" }]
[[steps]]
id = "rate"
kind = "prompt"
by = "both"
text = "Rate it."
label = "Rate it [together]"
fields.score = { kind = "rating", low = "not at all]", high = "[very" }
[[steps]]
id = "ok"
kind = "confirm"
by = "speaker"
text = "Heard?"
no = "[sigh] Not quite"
on_no = "rate"
''')
    found = [p for p in problems(path) if "TD037" in p]
    keys = sorted(p.split("' in '")[1].split("'")[0] for p in found)
    assert keys == ["guides.listener", "high", "label", "label", "low", "no"], found


def test_brackets_in_comments_and_names_are_not_texts(tmp_path):
    path = write(tmp_path, '# [draft] a comment may hold anything\n[[steps]]\nid = "hello"\nkind = "say"\n'
                           'by = "speaker"\ntext = "Say hello."  # [ok]\n')
    assert problems(path) == []


def test_a_vocabulary_word_in_brackets_is_flagged(tmp_path):
    (tmp_path / "vocab").mkdir()
    path = tmp_path / "vocab" / "moods.toml"
    path.write_text('format = 1\n[vocabulary]\nid = "moods"\ntitle = "Moods"\n[[vocabulary.groups]]\n'
                    'id = "calm"\nwords = ["calm", "[sighs]"]\n', encoding="utf-8")
    (line,) = problems(path)
    assert "error TD037" in line and "'[sighs]'" in line


def test_a_file_named_apart_from_its_id_is_a_warning_and_still_loads(tmp_path):
    path = write(tmp_path, '[[steps]]\nid = "hello"\nkind = "say"\nby = "speaker"\ntext = "Hello."\n',
                 name="draft", id="plain-words")
    lib = check_paths([path])
    (d,) = lib.diagnostics
    assert (d.code, d.severity) == ("TD038", "warning")
    assert "'draft.toml'" in d.message and "'plain-words.toml'" in d.message
    line = path.read_text(encoding="utf-8").splitlines()[d.line - 1]
    assert line[d.col - 1:].startswith('"plain-words"')
    assert "plain-words" in lib.exercises


def test_a_misspelt_step_kind_is_one_error_not_a_cascade(tmp_path):
    path = write(tmp_path, '''[[steps]]
id = "event"
kind = "promt"
by = "speaker"
text = "What happened?"
template = "When {what} happened, I felt {feeling}."
fields.what = { label = "the moment" }
fields.feeling = { label = "a feeling" }
hidden = false
private = false
[[steps]]
id = "back"
kind = "say"
by = "listener"
text = "You said: {event}"
''')
    (line,) = problems(path)
    assert "error TD015" in line and "'promt'" in line and "did you mean 'prompt'?" in line


def test_a_kind_close_to_none_still_takes_any_kinds_keys(tmp_path):
    path = write(tmp_path, '[[steps]]\nid = "x"\nkind = "question"\nby = "speaker"\ntext = "Well?"\n'
                           'options = [{ label = "Yes" }]\nyes = "Sure"\n')
    (line,) = problems(path)
    assert "error TD015" in line and "did you mean" not in line


def test_a_misspelt_field_kind_is_one_error(tmp_path):
    path = write(tmp_path, '[[steps]]\nid = "rate"\nkind = "prompt"\nby = "speaker"\ntext = "How much?"\n'
                           'fields.score = { kind = "ratng", min = 0, max = 4, low = "a little", high = "a lot" }\n')
    (line,) = problems(path)
    assert "error TD016" in line and "did you mean 'rating'?" in line
