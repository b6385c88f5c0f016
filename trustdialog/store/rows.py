"""Reading what an SQL store hands back: session summary rows and event rows, damage named.

SQLite and PostgreSQL keep the same columns; a value that is not what its column
should hold (SQLite does not enforce types) becomes SessionDamaged, saying which part.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from trustdialog.engine import Event
from trustdialog.store.records import SessionDamaged, SessionInfo

SESSION_COLS = ("id, exercise_id, title, name_a, name_b, owner, created_at, updated_at, "
                "finished, events, private_steps, hidden_steps")


def as_text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _steps(sid: str, owner: str | None, value: object, what: str) -> tuple[str, ...]:
    not_json = SessionDamaged(sid, f"its {what} steps are damaged (not JSON)", owner)
    if not isinstance(value, (str, bytes)):
        raise not_json
    try:
        steps = json.loads(value)
    except ValueError:
        raise not_json from None
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        raise SessionDamaged(sid, f"its {what} steps are damaged (not a list of step ids)", owner)
    return tuple(steps)


def session_info(row: tuple[Any, ...]) -> SessionInfo:
    """One session's summary (a row of SESSION_COLS); SessionDamaged says which part cannot be read."""
    (sid, exercise_id, title, name_a, name_b, owner, created, updated, finished, events,
     private, hidden) = row
    sid = as_text(sid)
    owner = owner if isinstance(owner, str) or owner is None else None
    if not (isinstance(name_a, str) and isinstance(name_b, str)):
        raise SessionDamaged(sid, "its partner names are damaged (not text)", owner)
    if not (isinstance(exercise_id, str) and isinstance(title, str)):
        raise SessionDamaged(sid, "its exercise name is damaged (not text)", owner)
    if not all(isinstance(v, (int, float)) for v in (created, updated, finished, events)):
        raise SessionDamaged(sid, "its dates or counts are damaged (not numbers)", owner)
    return SessionInfo(sid, exercise_id, title, {"a": name_a, "b": name_b}, owner, created,
                       updated, bool(finished), events, _steps(sid, owner, private, "private"),
                       _steps(sid, owner, hidden, "hidden"))


def readable(rows: Iterable[tuple[Any, ...]]) -> list[SessionInfo]:
    """The summaries that can be read; `damaged_summaries` names the others."""
    out = []
    for row in rows:
        try:
            out.append(session_info(row))
        except SessionDamaged:
            pass
    return out


def damaged_summaries(rows: Iterable[tuple[Any, ...]]) -> dict[str, SessionDamaged]:
    """Session id -> what is wrong, for each summary row that cannot be read."""
    found: dict[str, SessionDamaged] = {}
    for row in rows:
        try:
            session_info(row)
        except SessionDamaged as error:
            found[error.session_id] = error
    return found


def decode_events(session_id: str, rows: Iterable[tuple[Any, Any]], after: int) -> list[Event]:
    """Event rows (seq, body) after seq `after`, in order; SessionDamaged names the first
    that cannot be read (a number that is not one, a gap, a body that is not an event)."""
    out = []
    for expected, (seq, body) in enumerate(rows, after + 1):
        if type(seq) is not int:
            raise SessionDamaged(session_id, f"event {expected} is damaged "
                                 f"(its number reads {str(seq)[:20]!r})")
        if seq != expected:
            raise SessionDamaged(session_id, f"event {expected} is missing")
        try:
            data = json.loads(body)
        except (ValueError, TypeError):
            raise SessionDamaged(session_id, f"event {seq} is damaged (not JSON)") from None
        try:
            out.append(Event.from_dict(data))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise SessionDamaged(session_id, f"event {seq} is damaged (not an event)") from None
    return out
