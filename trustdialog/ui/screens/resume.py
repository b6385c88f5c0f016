"""Picking a saved session back up: find its exercise, replay it, show the right screen."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


def open_session(app: Any, session_id: str) -> bool:
    """Resume `session_id` in `app`; a calm notice (and False) if it cannot be."""
    from trustdialog.session import Session
    from trustdialog.store import StoreError

    try:
        info = app.store.info(session_id)
    except StoreError as error:
        app.notify(str(error), title="Resume", severity="warning")
        return False
    exercise = app.library.exercises.get(info.exercise_id)
    if exercise is None:
        app.notify(f"The exercise {info.exercise_id!r} of this session is not in the library.",
                   title="Resume", severity="warning")
        return False
    try:
        app.session = Session.resume(app.store, exercise, session_id, clock=app.clock)
    except Exception as error:  # a log the engine cannot replay (the exercise changed)
        app.notify(f"This session cannot be replayed: {' '.join(str(error).split())}",
                   title="Resume", severity="warning")
        return False
    app.names = dict(info.names)
    app.show_session()
    if app.session.state.paused:
        app.show_paused()
    return True


def screen_for(app: Any) -> Screen:
    """The screen for the session's phase: ready check, exercise, or summary."""
    state = app.session.state
    if state.finished:
        from trustdialog.ui.screens.summary import SummaryScreen

        return SummaryScreen()
    phase = state.paused_from if state.paused else state.phase
    if phase == "ready":
        from trustdialog.ui.screens.ready import ReadyScreen

        return ReadyScreen(app.session.exercise)
    from trustdialog.ui.screens.exercise import ExerciseScreen

    return ExerciseScreen()


def describe(info: Any) -> str:
    """One line for a saved session: title, names, when it was last touched."""
    import time

    when = time.strftime("%d %b %H:%M", time.localtime(info.updated_at))
    names = " and ".join(info.names.get(p, p) for p in ("a", "b"))
    return f"{info.title} · {names} · {when}"
