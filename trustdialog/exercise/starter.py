"""The starter file `trustdialog new ID` writes: a short, complete exercise that passes the checker, to edit."""

from __future__ import annotations

import re

from trustdialog.exercise import spec

# Beside the file, where `trustdialog new` saves the schema: editors resolve the
# `#:schema` path from the file's own folder.
SCHEMA_NAME = "schema.json"

_STARTER = '''#:schema ./{schema}
# A starter exercise: change the texts, add or remove steps, then check it with
#   trustdialog check --walk {file}
# and try it with
#   trustdialog --exercises {folder}
# The guide to every key: exercises/README.md in trustdialog's source.
format = 1

[exercise]
# The file is named after the id: {file}
id = "{id}"
title = "{title}"
minutes = 15
order = 500                 # its place in the picker: lower comes first
summary = "One of you says something that matters; the other says it back until it is heard."
tags = ["listening"]        # the picker groups by the first tag
credit = "Name the method this builds on, and who made it."
roles = ["speaker", "listener"]
rounds = 2
swap_roles = true
rules.speaker = ["Speak for yourself, about one moment."]
rules.listener = ["Listen to understand. Say back what you heard, close to the words."]
guides.speaker = "Notice whether you feel heard."
guides.listener = "Just listen."

[[steps]]
id = "voice"
label = "Say what matters"
kind = "prompt"
by = "speaker"
text = "{{speaker}}, say one thing that matters to you right now."
template = "When {{event}}, I felt {{feeling}}."
fields.event = {{ label = "what happened, e.g. you made me tea" }}
fields.feeling = {{ kind = "pick", vocab = "feelings", label = "a feeling, e.g. cared for" }}

[[steps]]
id = "mirror"
label = "Say it back"
kind = "prompt"
by = "listener"
# {{voice+more}} quotes everything the speaker said this round: the first words and each addition.
text = "{{listener}}, {{speaker}} said: \\"{{voice+more}}\\" Say it back in your own words."

[[steps]]
id = "check"
label = "Check it was heard"
kind = "confirm"
by = "speaker"
text = "{{listener}} said back: \\"{{mirror}}\\" {{speaker}}, is that it?"
yes = "Yes, that is it"
no = "Not quite, or there is more"
on_no = "more"
max_loops = 3
next = "thanks"

[[steps]]
id = "more"
label = "Say what was missed"
kind = "prompt"
by = "speaker"
text = "{{speaker}}, say what was missed, or what more there is."
next = "mirror"

[[steps]]
id = "thanks"
label = "Thank each other"
kind = "say"
by = "both"
text = "Thank each other."
'''


def valid_id(exercise_id: str) -> bool:
    return re.match(spec.ID_PATTERN, exercise_id) is not None


def title_for(exercise_id: str) -> str:
    """A first title from the id: "thank-you" -> "Thank you"."""
    words = exercise_id.replace("-", " ")
    return words[:1].upper() + words[1:]


def starter_text(exercise_id: str, folder: str = ".") -> str:
    """The starter exercise for `exercise_id`, saved as `<id>.toml` in `folder` (as the user typed it)."""
    file = f"{folder.rstrip('/')}/{exercise_id}.toml" if folder not in ("", ".") else f"{exercise_id}.toml"
    return _STARTER.format(schema=SCHEMA_NAME, id=exercise_id, title=title_for(exercise_id), file=file,
                           folder=folder or ".")
