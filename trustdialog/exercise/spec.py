"""The keys of format 1, their types and limits: one table read by both the checker and the schema."""

from __future__ import annotations

from dataclasses import dataclass

FORMAT = 1

# Limits that keep a mistaken or hostile file from making the checker slow.
MAX_STEPS = 500
MAX_OPTIONS = 50

# Upper limits (TD036) that no real exercise meets, set so that the app and
# `check --walk` stay quick: a rating draws one button per value and a list one
# row per item, and the walk plays every round and every "not quite".
MAX_MINUTES = 600  # ten hours
MAX_ROUNDS = 20
MAX_LOOPS = 20
MAX_TIMER = 7200  # seconds: two hours
MAX_LIST_ITEMS = 50
MAX_RATING = 10
MAX_ORDER = 9999  # a place in the picker; room to put one between two others

# Names that may appear as template slots (`{name}`), as in model.SLOT_RE.
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
# Exercise and vocabulary ids: lowercase-kebab, they name files and appear in URLs.
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@dataclass(frozen=True)
class Key:
    """One key: its type, whether it is required, and its limits.

    type: string | integer | boolean | strings (array of strings) | table |
    tables (array of tables) | map (table of `item` values).
    """

    type: str
    doc: str
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    item: str | None = None  # map: "strings" or "string" or "field"


TOP = {
    "format": Key("integer", "Format version of this file; this trustdialog reads 1.", required=True),
    "exercise": Key("table", "What the exercise is: id, title, minutes, roles, rounds..."),
    "steps": Key("tables", "The steps of one round, in order."),
    "vocabulary": Key("table", "A vocabulary of words to pick from (feelings, needs...)."),
}

EXERCISE = {
    "id": Key("string", "Lowercase-kebab id, unique across the library.", required=True, pattern=ID_PATTERN),
    "title": Key("string", "Title shown in the picker.", required=True),
    "minutes": Key("integer", "About how long it takes.", required=True, minimum=1,
                   maximum=MAX_MINUTES),
    "summary": Key("string", "One or two sentences on what the partners do.", required=True),
    "order": Key("integer", "Its place in the picker and in `trustdialog list`: lower comes first; exercises "
                 "without one follow, by title.", minimum=1, maximum=MAX_ORDER),
    "tags": Key("strings", "Short words to group exercises by; the picker groups by the first."),
    "credit": Key("string", "The method it builds on, and who made that method."),
    "roles": Key("strings", "The two role names, e.g. [\"speaker\", \"listener\"]; {role} fills in a name."),
    "rounds": Key("integer", "How many times the steps run.", minimum=1, maximum=MAX_ROUNDS),
    "swap_roles": Key("boolean", "Swap roles between rounds."),
    "promises": Key("boolean", "Its list answers are promises: the next session opens with a "
                    "check-in of those still unmarked, and they count in the progress view."),
    "rules": Key("map", "Role -> the rules of that role.", item="strings"),
    "guides": Key("map", "Role -> what that role is asked to do while the other has the floor.", item="string"),
}

STEP_COMMON = {
    "id": Key("string", "Step id, unique in the exercise; {id} quotes a prompt's answer.", required=True,
              pattern=NAME_PATTERN),
    "kind": Key("string", "say | prompt | choose | confirm", required=True,
                enum=("say", "prompt", "choose", "confirm")),
    "by": Key("string", "Who acts: a role name, or \"both\".", required=True),
    "label": Key("string", "The step's short, plain name for the partners (\"Say what happened\"); "
                 "slots are not filled in."),
    "text": Key("string", "What the step says; {role} and {earlier-answer} slots are filled in, and "
                "{voice+more} quotes every answer to voice and more in this round, in order."),
    "next": Key("string", "Where to go after this step: a step id, or \"end\" to end the round."),
    "timer": Key("integer", "Seconds; a signal only, never cuts anyone off.", minimum=1,
                 maximum=MAX_TIMER),
    "guide": Key("string", "What the partner without the floor is asked to do (overrides the exercise's)."),
}

STEP_KINDS = {
    "say": {},
    "prompt": {
        "template": Key("string", "A sentence frame; its {field} slots are the blanks to fill."),
        "fields": Key("map", "Field name -> the input (kind text | pick | rating | list).", item="field"),
        "hidden": Key("boolean", "With by = \"both\": each answer hidden until both have answered."),
        "private": Key("boolean", "Shown only to its writer; never in the summary or export."),
    },
    "choose": {
        "options": Key("tables", "The choices: { label = \"...\", next = \"step-id\" }; no next falls through."),
    },
    "confirm": {
        "yes": Key("string", "Label of the yes button."),
        "no": Key("string", "Label of the not-quite button."),
        "on_no": Key("string", "Where \"not quite\" loops back to (a step id)."),
        "max_loops": Key("integer", "After this many \"not quite\"s, it moves on too.", minimum=0,
                         maximum=MAX_LOOPS),
    },
}

# Required only for some kinds.
STEP_REQUIRED = {"say": ("text",), "prompt": (), "choose": ("text", "options"), "confirm": ("text", "on_no")}

OPTION = {
    "label": Key("string", "What the option says.", required=True),
    "next": Key("string", "Where it leads: a step id or \"end\"; none falls through."),
}

FIELD_COMMON = {
    "kind": Key("string", "text | pick | rating | list (default text)", enum=("text", "pick", "rating", "list")),
    "label": Key("string", "What the blank asks for."),
    "optional": Key("boolean", "May be left empty."),
}

FIELD_KINDS = {
    "text": {},
    "pick": {
        "vocab": Key("string", "The vocabulary to offer words from.", required=True),
        "free": Key("boolean", "Let the partner write their own word too (default true)."),
    },
    "rating": {
        "min": Key("integer", "Lowest value (default 1).", minimum=0, maximum=MAX_RATING - 1),
        "max": Key("integer", "Highest value (default 5).", minimum=1, maximum=MAX_RATING),
        "low": Key("string", "Label at the low end."),
        "high": Key("string", "Label at the high end."),
    },
    "list": {
        "min": Key("integer", "Fewest items (default 1).", minimum=0, maximum=MAX_LIST_ITEMS),
        "max": Key("integer", "Most items (default 5).", minimum=1, maximum=MAX_LIST_ITEMS),
        "item": Key("string", "Template of each item; its {slots} are free-text blanks."),
    },
}

VOCABULARY = {
    "id": Key("string", "Lowercase-kebab id, named by pick fields' vocab.", required=True, pattern=ID_PATTERN),
    "title": Key("string", "Title of the vocabulary.", required=True),
    "note": Key("string", "Where the words come from, how they are grouped."),
    "groups": Key("tables", "Groups of words.", required=True),
}

GROUP = {
    "id": Key("string", "Group id.", required=True, pattern=ID_PATTERN),
    "title": Key("string", "Group title."),
    "family": Key("string", "A short word grouping groups, e.g. needs-met | needs-not-met."),
    "words": Key("strings", "The words.", required=True),
}
