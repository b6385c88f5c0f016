"""Driving the app the way two people at one keyboard do (shared by the UI tests)."""

from __future__ import annotations

from textual import events
from textual.widgets import Button, OptionList

from trustdialog.ui.widgets.answer_form import AnswerForm
from trustdialog.ui.widgets.answer_input import AnswerInput


async def to_picker(pilot, names=("Alex", "Sam")) -> None:
    """Welcome: type both names, Enter on the second goes on to the picker."""
    app = pilot.app
    for partner, name in zip("ab", names):
        box = app.screen.query_one(f"#name-{partner}", AnswerInput)
        box.focus()
        box.value = ""
        await pilot.pause()
        await paste(pilot, name)
    await pilot.press("enter")
    await pilot.pause()
    assert type(app.screen).__name__ == "PickerScreen"


async def pick(pilot, exercise_id: str) -> None:
    """Picker: move to the exercise with the arrow keys, Enter."""
    options = pilot.app.screen.query_one("#exercise-list", OptionList)
    options.focus()
    target = options.get_option_index(exercise_id)
    await pilot.press("home", *["down"] * target, "enter")
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "ReadyScreen"


async def both_ready(pilot) -> None:
    """Ready check: A's "yes" has the focus, then B's."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "ExerciseScreen"


async def start(pilot, exercise_id: str, names=("Alex", "Sam")) -> None:
    await to_picker(pilot, names)
    await pick(pilot, exercise_id)
    await both_ready(pilot)


def form(app, partner: str) -> AnswerForm:
    return app.screen.query_one(f"#form-{partner}", AnswerForm)


async def answer(pilot, partner: str, *texts: str) -> None:
    """Type each text into the next blank (Enter moves on; Enter on the last sends)."""
    app = pilot.app
    assert app.focused in form(app, partner).answer_widgets(), app.focused
    for text in texts:
        await paste(pilot, text)
        await pilot.press("enter")
        await pilot.pause()


async def paste(pilot, text: str) -> None:
    """Paste into the focused widget, as a terminal does (one event; typing is slow here)."""
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


async def type_keys(pilot, text: str) -> None:
    """Type key by key (slow: keep it for short words)."""
    await pilot.press(*_keys(text))


async def press_button(pilot, button_id: str) -> None:
    """Focus a choice with the keyboard (Tab order) and press Enter."""
    app = pilot.app
    button = app.screen.query_one(f"#{button_id}", Button)
    for _ in range(12):
        if app.focused is button:
            break
        await pilot.press("tab")
    assert app.focused is button, f"Tab never reached {button_id}"
    await pilot.press("enter")
    await pilot.pause()


def _keys(text: str) -> list[str]:
    names = {" ": "space", ".": "full_stop", ",": "comma", "'": "apostrophe", "!": "exclamation_mark",
             "?": "question_mark", "-": "minus", ":": "colon", ";": "semicolon"}
    return [names.get(ch, ch) for ch in text]


def screen_text(app) -> str:
    """Everything on screen (overlays included) as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)
