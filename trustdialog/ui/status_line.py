"""The exercise screen's top line (title, step, round, timer, who else is here), fitted to one row."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text

from trustdialog.ui.widgets.safe_text import clean

TIME_UP = "⏱ time is up; finish your thought"
TIME_UP_SHORT = "⏱ time is up"
MIN_TITLE = 12  # cells; a title cut shorter than this says nothing, so it goes


def status_line(state: Any, timer: Text | None, others: str, width: int) -> Text:
    """The longest form of the line that fits `width` cells.

    What matters while talking comes first: the step, the round and the timer
    are kept whole. The timer's words shorten first ("⏱ time is up"), then
    the title is cut with an ellipsis, then "step 3/12", then the title goes.
    Who else is on the session comes last and is the only part that may be cut.
    """
    p = state.progress
    title = " ".join(clean(state.exercise.title).split())
    long_parts = [f"step {p.step} of {p.steps}"] + ([f"round {p.round} of {p.rounds}"] if p.rounds > 1 else [])
    short_parts = [f"step {p.step}/{p.steps}"] + ([f"round {p.round}/{p.rounds}"] if p.rounds > 1 else [])
    timers = [timer, _short_timer(timer)] if timer is not None else [None]
    # Most words first: the whole title, then a shorter timer, then a cut title,
    # then "3/12" for "step 3 of 12".
    tries = [(long_parts, t, False) for t in timers] + [(long_parts, t, True) for t in timers] \
        + [(short_parts, timers[-1], True)]
    line = None
    for parts, shown_timer, cut in tries:
        line = _line(title, parts, shown_timer, width, cut)
        if line is not None:
            break
    if line is None:  # nothing fits: the step and the timer alone
        line = _line("", short_parts, timers[-1], 0, True) or Text()
    if others:
        line.append(" · with ")
        line.append(others, style="italic")
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


def _short_timer(timer: Text) -> Text:
    if timer.plain == TIME_UP:
        return Text(TIME_UP_SHORT, style=timer.style)
    return timer


def _line(title: str, parts: list[str], timer: Text | None, width: int, cut: bool) -> Text | None:
    """Title (shortened to fit if `cut`) · parts · timer; None if it cannot fit `width`."""
    rest = Text()
    for part in parts:
        rest.append(" · " + part)
    if timer is not None:
        rest.append(" · ")
        rest.append_text(timer)
    room = width - cell_len(rest.plain)
    line = Text()
    if width <= 0:  # nothing fits: the step and the timer alone, without the leading " · "
        return rest[3:]
    if cell_len(title) <= room:
        line.append(title, style="bold")
    elif cut and room >= MIN_TITLE:
        shortened = title
        while cell_len(shortened) + 1 > room:
            shortened = shortened[:-1]
        line.append(shortened.rstrip() + "…", style="bold")
    else:
        return None
    line.append_text(rest)
    return line

