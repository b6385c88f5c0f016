"""Choosing an exercise: the library on the left, a preview of the highlighted one on the right."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from trustdialog.exercise.model import SLOT_RE
from trustdialog.ui.messages import BackToStart, ExerciseChosen
from trustdialog.ui.widgets.key_footer import KeyFooter
from trustdialog.ui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from trustdialog.ui.app import TrustDialogApp



def preview(exercise: Any) -> Text:
    """Summary, minutes, the steps in outline, each role's rules, the credit."""
    out = Text()
    out.append(clean(exercise.title) + "\n", style="bold")
    rounds = f", {exercise.rounds} rounds" if exercise.rounds > 1 else ""
    swap = " (roles swap)" if exercise.rounds > 1 and exercise.swap_roles else ""
    out.append(f"About {exercise.minutes} minutes{rounds}{swap}\n\n", style="italic")
    out.append(clean(exercise.summary) + "\n\n")
    out.append("Steps\n", style="bold underline")
    for n, step in enumerate(exercise.steps, 1):
        # The step's label and who does it; without a label its own words say it. Never its id.
        label = " ".join(step.label.split())
        if label:
            who = "both of you" if step.by == "both" else step.by
            out.append(f"{n:>2}. {clean(label)} ({who}): ")
        else:
            out.append(f"{n:>2}. ")
        out.append(clean(_outline(_roles_only(step.text, exercise.roles))) + "\n")
    for role in exercise.roles:
        rules = exercise.rules.get(role) or ()
        if rules:
            out.append(f"\nRules for the {role}\n", style="bold underline")
            for rule in rules:
                out.append(f" • {clean(rule)}\n")
    if exercise.credit:
        out.append("\n" + clean(exercise.credit), style="italic")
    return out


def shelves(exercises: list[Any]) -> list[tuple[str, list[Any]]]:
    """The exercises grouped by their first tag, as headings to show ("hard-topics" -> "Hard topics").

    Groups come in the order of their first exercise and keep the library's
    curated order inside, so the flagship's group leads; untagged ones go last.
    """
    groups: dict[str, list[Any]] = {}
    for exercise in exercises:
        tag = exercise.tags[0] if exercise.tags else ""
        groups.setdefault(tag, []).append(exercise)
    untagged = groups.pop("", [])
    out = [(_heading(tag), members) for tag, members in groups.items()]
    return out + ([("Other", untagged)] if untagged else [])


def _heading(tag: str) -> str:
    words = " ".join(tag.replace("-", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:]


def _roles_only(text: str, roles: tuple[str, ...]) -> str:
    """Role slots read as the role ("the speaker"); quoted answers as "…"."""
    def fill(match: re.Match) -> str:
        return f"the {match.group(1)}" if match.group(1) in roles and not match.group(2) else "…"

    text = text.replace("{{", "\0").replace("}}", "\1")
    # "felt {feeling}." outlines as "felt …", not "felt …."; a quote of an earlier
    # answer and the words that bring it in ('Sam said: "…"') say nothing before a session.
    text = _QUOTED.sub("", SLOT_RE.sub(fill, text).replace("….", "…"))
    return text.replace("\0", "{").replace("\1", "}")


_QUOTED = re.compile(r'[^.?!"]*?: "…"\s*')


def _outline(text: str, width: int = 60) -> str:
    """The first sentence (or so) of a step's text, for the outline."""
    flat = " ".join(text.split())
    flat = flat[:1].upper() + flat[1:]
    for stop in (". ", "? ", "! "):
        i = flat.find(stop)
        if 0 < i < width:
            return flat[: i + 1]
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


class PickerScreen(Screen):
    """The exercise library, with a preview; Enter picks."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        # Said in the title line, so the footer keeps its room for Quick exit.
        Binding("g", "group", "Group by theme", id="group", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.grouped = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Choose an exercise (↑↓ to look, Enter to begin, g groups by theme)", style="bold"),
                     id="picker-title")
        with Horizontal(id="picker"):
            yield OptionList(id="exercise-list")
            with VerticalScroll(id="preview"):
                yield Static("", id="preview-text")
        yield Static("", id="picker-note", classes="note")
        yield KeyFooter()

    @property
    def trust(self) -> TrustDialogApp:
        return cast("TrustDialogApp", self.app)

    def on_mount(self) -> None:
        library = self.trust.library
        exercises = list(library.exercises.values())
        options = self.query_one("#exercise-list", OptionList)
        self._fill(exercises[0].id if exercises else None)
        problems = len(library.diagnostics)
        note = ""
        if not exercises:
            note = "No exercises found. Run trustdialog check to see what is wrong with the files."
        elif problems:
            note = (f"{problems} problem{'s' if problems != 1 else ''} in the exercise files; "
                    "those exercises are left out (trustdialog check shows where).")
        self.query_one("#picker-note", Static).update(Text(note))
        self.query_one("#picker-note", Static).display = bool(note)
        if exercises:
            self._show(exercises[0].id)
        options.focus()

    def _fill(self, keep: str | None) -> None:
        """The list in the library's curated order, or under a heading per theme; `keep` stays highlighted."""
        exercises = list(self.trust.library.exercises.values())
        options = self.query_one("#exercise-list", OptionList)
        options.clear_options()
        if self.grouped:
            for heading, members in shelves(exercises):
                options.add_option(Option(Text(clean(heading), style="bold underline"), disabled=True))
                options.add_options(self._entry(e, indent=2) for e in members)
        else:
            options.add_options(self._entry(e) for e in exercises)
        if keep is not None:
            options.highlighted = options.get_option_index(keep)

    @staticmethod
    def _entry(exercise: Any, indent: int = 0) -> Option:
        # Under a heading the titles are indented (every line of them), so the grouping reads without colour.
        title = safe(f"{exercise.title} ({exercise.minutes} min)")
        return Option(Padding(title, (0, 0, 0, indent)) if indent else title, id=exercise.id)

    def action_group(self) -> None:
        """Group the list by theme (each exercise under its first tag), or back to one list."""
        options = self.query_one("#exercise-list", OptionList)
        current = options.highlighted_option.id if options.highlighted_option is not None else None
        self.grouped = not self.grouped
        self._fill(current)

    def _show(self, exercise_id: str | None) -> None:
        exercise = self.trust.library.exercises.get(exercise_id) if exercise_id else None
        if exercise is not None:
            self.query_one("#preview-text", Static).update(preview(exercise))
            self.query_one("#preview", VerticalScroll).scroll_home(animate=False)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(ExerciseChosen(event.option.id))

    def action_back(self) -> None:
        self.post_message(BackToStart())
