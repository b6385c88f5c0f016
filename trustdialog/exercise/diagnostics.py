"""Diagnostics of the exercise checker: one stable code per kind of problem, and the table of them.

`python -m trustdialog.exercise.diagnostics` prints the table as Markdown
(for exercises/README.md). The package's __init__ imports nothing eagerly,
so running this module with -m never finds it already imported.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from trustdialog.exercise import spec

ERROR = "error"
WARNING = "warning"

# code -> (severity, what it means). Codes never change meaning once shipped;
# retired codes stay reserved. Grouped: files 00x, structure 01x-03x,
# cross-references 04x-05x, walking flows 06x, data files (hints, resources) 07x.
CODES: dict[str, tuple[str, str]] = {
    "TD001": (ERROR, "The path cannot be read: missing, a folder where a file was expected, or not permitted."),
    "TD002": (ERROR, "The file is larger than the limit (1 MB); it is refused before parsing."),
    "TD003": (ERROR, "The file is not UTF-8 text."),
    "TD004": (ERROR, "The file is binary (it holds NUL bytes)."),
    "TD005": (ERROR, "The file is empty."),
    "TD006": (ERROR, "TOML syntax error (the position is where the parser stopped)."),
    "TD007": (ERROR, "Tables or arrays are nested too deeply to read."),
    "TD008": (ERROR, "A folder given to check holds no .toml files."),
    "TD009": (ERROR, "The checker failed on this file (a bug in trustdialog; please report it)."),
    "TD034": (WARNING, "More than 100 problems in one file: the rest are not shown; fix these first."),
    "TD010": (ERROR, "`format` is missing."),
    "TD011": (ERROR, "Unsupported `format` version (this trustdialog reads format 1)."),
    "TD012": (ERROR, "Unknown key (with a suggestion when a known key is close)."),
    "TD013": (ERROR, "A value has the wrong type."),
    "TD014": (ERROR, "A required key is missing."),
    "TD015": (ERROR, "Unknown step `kind` (say, prompt, choose, confirm); a near miss is checked as the kind "
              "it is close to, so its other keys are not reported too."),
    "TD016": (ERROR, "Unknown field `kind` (text, pick, rating, list); a near miss is checked as the kind "
              "it is close to."),
    "TD017": (ERROR, "`by` is neither one of the exercise's two roles nor \"both\"."),
    "TD018": (ERROR, "An id is not lowercase-kebab (letters, digits, single hyphens)."),
    "TD019": (ERROR, "A number is below its lowest value (minutes, order, rounds, timer, max_loops, min, max), "
              "or there are too many steps or options."),
    "TD020": (ERROR, "`roles` must be two different names, usable as template slots."),
    "TD021": (ERROR, "A key that this step kind or field kind does not take."),
    "TD022": (ERROR, "The exercise has no steps."),
    "TD023": (ERROR, "A choose step has no options."),
    "TD024": (ERROR, "`hidden = true` needs `by = \"both\"` (only then is there an answer to hide it from)."),
    "TD025": (ERROR, "A confirm step has no `on_no` (where \"not quite\" loops back to)."),
    "TD026": (ERROR, "A rating's `min` is not below its `max`."),
    "TD027": (ERROR, "A list's `min` is above its `max`."),
    "TD028": (ERROR, "A pick field has no `vocab`."),
    "TD029": (ERROR, "The file is neither an exercise ([exercise] and [[steps]]) nor a vocabulary ([vocabulary])."),
    "TD030": (ERROR, "`rules` or `guides` names something that is not a role."),
    "TD031": (WARNING, "A field is not a blank of the step's template; it is asked below the sentence."),
    "TD032": (ERROR, "A vocabulary has no words, or a word appears twice."),
    "TD033": (ERROR, "A name is used twice where it must be unique (roles vs step ids vs field names)."),
    "TD037": (ERROR, "Square brackets in a text shown to the partners (\"[warmly]\"): they look like markup or "
              "a stage direction; write plain words."),
    "TD038": (WARNING, "The file name is not the exercise id (`id = \"thank-you\"` belongs in thank-you.toml)."),
    "TD036": (ERROR, f"A number is above its limit: minutes {spec.MAX_MINUTES}, rounds {spec.MAX_ROUNDS}, "
              f"max_loops {spec.MAX_LOOPS}, timer {spec.MAX_TIMER} seconds, a list's min and max "
              f"{spec.MAX_LIST_ITEMS} items, a rating's max {spec.MAX_RATING}, order {spec.MAX_ORDER}."),
    "TD035": (WARNING, "A choose or confirm step has `by = \"both\"`: whoever acts first decides for both; let one role decide."),
    "TD040": (ERROR, "Duplicate step id within an exercise."),
    "TD041": (ERROR, "Duplicate exercise id across the library (the later file is skipped)."),
    "TD042": (ERROR, "`next`, `on_no` or an option's `next` names no step (use a step id or \"end\")."),
    "TD043": (ERROR, "Unknown vocabulary."),
    "TD044": (ERROR, "A template slot that no earlier step fills on every path to this step."),
    "TD045": (ERROR, "A slot's `@role` suffix is not one of the exercise's roles."),
    "TD046": (WARNING, "A step can never be reached from the first step."),
    "TD047": (ERROR, "A loop with no way out: from this step the end of the round cannot be reached."),
    "TD048": (ERROR, "Duplicate vocabulary id across the library (the later file is skipped)."),
    "TD049": (ERROR, "A template slot names nothing: no role, field, prompt step or choose step has that name."),
    "TD050": (WARNING, "A slot quotes a private step, whose answer is only shown when its writer shares it."),
    "TD051": (WARNING, "A slot quotes a step that has no answer of its own (say or confirm); a choose step's slot is the option chosen."),
    "TD052": (ERROR, "A slot joins with '+' something that cannot be joined: a role's name (`{speaker+more}`), "
              "or in a list's `item`, whose slots are blanks of one name each."),
    "TD060": (ERROR, "Walking the flow (--walk) found a path that cannot reach the end."),
    "TD061": (WARNING, "Walking the flow (--walk) stopped early, at its cap of paths, states or seconds; it says "
              "what it covered, and the paths not walked are still covered by the reachability check."),
    "TD070": (ERROR, "data/hints.toml: a file or group that cannot be used (it is skipped)."),
    "TD071": (WARNING, "data/hints.toml: a key or phrase that is ignored."),
    "TD072": (ERROR, "data/resources.toml cannot be used (the help screen falls back to the other files or a built-in text)."),
    "TD073": (WARNING, "data/resources.toml: an unknown key, which is ignored (with a suggestion when a known key is close)."),
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place: `path:line:col: severity CODE: message`."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", CODES[self.code][0])

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code}: {self.message}"


def closest(name: object, choices: Iterable[str]) -> str | None:
    """The choice close enough to `name` to be what was meant, if one is."""
    if not isinstance(name, str):
        return None
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """`" (did you mean 'x'?)"` when a choice is close to `name`, else ""."""
    close = closest(name, choices)
    return f" (did you mean '{close}'?)" if close else ""


def markdown_table() -> str:
    """The codes as a Markdown table, for exercises/README.md."""
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    rows += [f"| {code} | {sev} | {text} |" for code, (sev, text) in sorted(CODES.items())]
    return "\n".join(rows)


def main() -> int:
    """Print the table of codes (what `python -m trustdialog.exercise.diagnostics` does)."""
    print(markdown_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
