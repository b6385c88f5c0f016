"""Driving the app the way two people at one keyboard do (shared by the UI tests)."""

from __future__ import annotations

from textual import events
from textual.widgets import Button, OptionList

from trustdialog.ui.widgets.answer_box import AnswerBox
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
    """Type each text into the next blank, and move on as people do.

    In a one-line blank Enter moves on (and on the last one sends); in a
    multi-line box Enter is a new line, so Tab moves on and ctrl+s sends.
    """
    app = pilot.app
    the_form = form(app, partner)
    assert app.focused in the_form.answer_widgets(), app.focused
    for text in texts:
        await paste(pilot, text)
        if isinstance(app.focused, AnswerBox):
            await pilot.press("ctrl+s" if the_form.is_last(app.focused) else "tab")
        else:
            await pilot.press("enter")
        await pilot.pause()


async def paste(pilot, text: str) -> None:
    """Paste into the focused widget, as a terminal does (one event; typing is slow here)."""
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


async def type_keys(pilot, text: str) -> None:
    """Type key by key (slow: keep it for short words), then let what the keys set off settle.

    A key's Changed message reaches the form (hints, word lists) after the key
    itself is handled; on a busy machine, reading the screen straight after the
    last key could see the frame before it.
    """
    await pilot.press(*_keys(text))
    await pilot.pause()


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


async def play_to_end(pilot, confirm=None, choose=None, limit: int = 80) -> list[str]:
    """Play the running exercise through the UI until the summary; returns the steps visited.

    `confirm` / `choose` map a step id to the answers to give on its visits in turn
    (default: yes, and the first option). Every answer goes in through the widgets.
    """
    from trustdialog.ui.widgets.rating import RatingScale

    app = pilot.app
    confirm = {k: list(v) for k, v in (confirm or {}).items()}
    choose = {k: list(v) for k, v in (choose or {}).items()}
    visited: list[str] = []
    for _ in range(limit):
        state = app.session.state
        if state.finished:
            break
        step, partner = state.step, state.floor[0]
        visited.append(step.id)
        if step.kind == "say":
            await press_button(pilot, f"continue-{partner}")
        elif step.kind == "confirm":
            yes = confirm.get(step.id, [True]).pop(0) if confirm.get(step.id) else True
            await press_button(pilot, f"{'yes' if yes else 'no'}-{partner}")
        elif step.kind == "choose":
            option = choose[step.id].pop(0) if choose.get(step.id) else 0
            await press_button(pilot, f"option-{partner}-{option}")
        else:
            widgets = form(app, partner).answer_widgets()
            for widget in widgets:
                if isinstance(widget, RatingScale):
                    widget.focus()
                    await pilot.pause()
                    await pilot.press(str(widget.high))
                else:  # a paste lands in its blank without moving the focus there first
                    widget.post_message(events.Paste(f"{step.id} words"))
            widgets[-1].focus()
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert app.session.state is not state, f"step {step.id!r} did not move on"
    await pilot.pause()
    assert type(app.screen).__name__ == "SummaryScreen", type(app.screen).__name__
    return visited


def advance(app, exercise_id: str, until: str | None = None, *, after: int = 0,
            choose: dict | None = None, names=("Alex", "Sam")):
    """Start a session straight through the engine and run it to step `until` (None: the end).

    Takes the first valid action each time (yes, the first option unless `choose` says),
    then `after` more actions on that step. For setting up snapshots quickly.
    """
    from trustdialog import engine
    from trustdialog.session import Session

    exercise = app.library.exercises[exercise_id]
    session = Session.new(app.store, exercise, {"a": names[0], "b": names[1]}, clock=app.clock)
    session.submit("ready", "a")
    session.submit("ready", "b")
    choose = dict(choose or {})
    extra = after
    for _ in range(200):
        state = session.state
        if state.finished or (state.step_id == until and extra == 0):
            break
        if state.step_id == until:
            extra -= 1
        actions = engine.valid_actions(state)
        if state.step.kind == "choose" and state.step_id in choose:
            actions = [a for a in actions if a.data["option"] == choose[state.step_id]]
        event = actions[0]
        data = dict(event.data)
        if event.kind == "answered":
            data["values"] = {k: _words(v, state.step_id) for k, v in data["values"].items()}
        session.submit(event.kind, event.partner, **data)
    app.run_session(session)
    return session


def _words(value, step_id):
    """Readable example answers instead of the engine's bare field names."""
    if isinstance(value, str):
        return f"{step_id} words"
    if isinstance(value, list):
        return [{k: f"{k} words" for k in v} if isinstance(v, dict) else f"{v} words" for v in value]
    return value


async def begin(pilot, exercise_id: str, names=("Alex", "Sam")) -> None:
    """Straight to the first step (both ready), skipping the welcome, picker and ready check."""
    await pilot.pause()
    exercise = pilot.app.library.exercises[exercise_id]
    advance(pilot.app, exercise_id, exercise.steps[0].id, names=names)
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "ExerciseScreen"


async def wait_until(pilot, done, seconds: float = 2.0) -> None:
    """Let the app run until `done()` holds (a turn from another connection arrives); fail if never."""
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    assert done()


def opened_elsewhere(app, folder, clock):
    """The app's session, opened on its own connection to the same file, as another process would."""
    from trustdialog.session import Session
    from trustdialog.store import open_store

    session = app.session
    return Session.resume(open_store(folder), session.exercise, session.id, clock=clock)
