"""Every shipped step that asks someone to reflect, answer or compare quotes the words it is about.

A partner may be on a small screen where the other pane is folded away: the
words to say back, sum up, answer or weigh must be in that step's own text.
"""

from __future__ import annotations

from trustdialog.exercise.model import END, slot_names, slots

# Words in a step's label that say it works on what the other partner said.
REFLECTS = ("say back", "say it back", "sum ", "makes sense", "answer", "acknowledge",
            "missed", "work better", "would mean", "be on their side", "read the promises", "check the promises",
            "ask one question", "say what you meant")


def quoted_answers(exercise, text: str) -> list[str]:
    """The answers a text quotes (not role names)."""
    return [name for slot, role in slots(text) for name in slot_names(slot)
            if not (role is None and slot in exercise.roles)]


def test_every_step_that_reflects_quotes_what_it_reflects(library):
    checked = []
    for exercise in library.exercises.values():
        for step in exercise.steps:
            if step.kind in ("prompt", "confirm") and any(w in step.label.lower() for w in REFLECTS):
                checked.append((exercise.id, step.id))
                assert quoted_answers(exercise, step.text), (exercise.id, step.id, step.text)
    assert len(checked) >= 20, checked  # the rule is not vacuous: most exercises have such steps


def test_the_mirrors_after_not_quite_quote_the_whole_round(library):
    """Where "not quite" loops back to a mirror, the mirror quotes the first words and the additions."""
    for exercise in library.exercises.values():
        for step in exercise.steps:
            if step.kind != "confirm" or step.on_no is None:
                continue
            added = exercise.step(step.on_no)
            if added.kind != "prompt" or added.next is None or added.next == END:
                continue
            mirror = exercise.step(added.next)
            joined = [slot for slot, _ in slots(mirror.text) if added.id in slot_names(slot)]
            assert joined and len(slot_names(joined[0])) > 1, (exercise.id, mirror.id, mirror.text)
