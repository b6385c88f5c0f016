"""A facilitator's private notes: where the session stood when one was written, and all of them as Markdown.

Notes are kept beside the session (Store.add_note), never in its event log, so
nothing that renders or exports the partners' session can meet them; this
module is the one place that writes them out, for the facilitator alone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, NamedTuple

from trustdialog.engine import SessionState
from trustdialog.store import Note, SessionInfo
from trustdialog.text import clean

MAX_NOTE = 4000  # characters: a few paragraphs; the box says so when it is reached


class Where(NamedTuple):
    """The step a note is attached to: its id, round and label as it reads now."""

    step: str | None
    round: int | None
    label: str | None


def where(state: SessionState) -> Where:
    """The step the session is on (or was on before a pause); nothing at the ready check."""
    step = state.step
    if step is None or (state.phase != "step" and state.paused_from != "step"):
        return Where(None, None, None)
    return Where(step.id, state.round, step.display_label())


def notes_to_markdown(info: SessionInfo, notes: Iterable[Note]) -> str:
    """The facilitator's notes on one session: each with its time, author and step."""
    a, b = (clean(info.names.get(p, p)) for p in ("a", "b"))
    lines = [
        f"# Facilitator notes: {_md(clean(info.title))}", "",
        f"- **Partners:** {_md(a)} and {_md(b)}",
        f"- **Session:** `{info.id}`",
        f"- **Exercise:** `{info.exercise_id}`", "",
        "*Private to the facilitator: these notes are not part of the partners' transcript.*", "",
    ]
    notes = list(notes)
    if not notes:
        lines += ["*No notes on this session.*", ""]
    for note in notes:
        when = dt.datetime.fromtimestamp(note.at).strftime("%Y-%m-%d %H:%M")
        at = "before the first step"
        if note.step is not None:
            at = f"at “{_md(clean(note.label or note.step))}”"
            if note.round is not None:
                at += f" (round {note.round})"
        lines += [f"## {when} · {_md(clean(note.author))} · {at}", ""]
        lines += [f"> {line}".rstrip() for line in clean(note.text).splitlines() or [""]] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Inline text with Markdown's emphasis and link characters escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text).replace("\n", " ")
