"""Across sessions: the promises partners made, how they went, and the history.

DOMAIN.md: following through about 80% of the time is enough to feel secure,
so the rate is shown against that mark. Pure: reads a store, returns data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from trustdialog.engine import ANSWERED, Event
from trustdialog.exercise.model import SLOT_RE, Exercise
from trustdialog.store import KEPT, NOT_KEPT, PARTLY, SessionInfo, Store

GOAL = 0.8  # the follow-through that feels secure (DOMAIN.md)
# A promise partly kept counts half: it was neither a let-down nor a full yes.
WEIGHTS = {KEPT: 1.0, PARTLY: 0.5, NOT_KEPT: 0.0}


@dataclass(frozen=True)
class Promise:
    session_id: str
    key: str  # "step:round:partner:field:index", stable within its session
    made_at: float
    partner: str  # "a" | "b"
    name: str  # who made it
    text: str
    mark: str | None = None
    marked_at: float | None = None


@dataclass(frozen=True)
class Point:
    """How the promises of one session went."""

    session_id: str
    made_at: float
    kept: int
    partly: int
    not_kept: int
    open: int

    @property
    def marked(self) -> int:
        return self.kept + self.partly + self.not_kept

    @property
    def rate(self) -> float | None:
        return rate(self.kept, self.partly, self.not_kept)


@dataclass(frozen=True)
class HistoryRow:
    session_id: str
    date: float
    exercise_id: str
    title: str
    names: Mapping[str, str]
    finished: bool


def rate(kept: int, partly: int, not_kept: int) -> float | None:
    """Follow-through from 0 to 1 (partly counts half); None when nothing is marked."""
    total = kept + partly + not_kept
    return None if total == 0 else (kept * WEIGHTS[KEPT] + partly * WEIGHTS[PARTLY]) / total


def promises(store: Store, owner: str | None, exercises: Mapping[str, Exercise]) -> list[Promise]:
    """Every promise of the owner's sessions, oldest first, with its mark.

    A session's list answers are promises when its exercise says so (`promises
    = true` in the file); sessions of exercises no longer in the library are
    left out, since nothing then says what their answers were.
    """
    marks = {(m.session_id, m.key): m for m in store.marks(owner)}
    found: list[Promise] = []
    for info in sorted(store.sessions(owner), key=lambda i: i.created_at):
        exercise = exercises.get(info.exercise_id)
        if exercise is None or not exercise.promises:
            continue
        for p in _session_promises(info, store.events(info.id), exercise):
            m = marks.get((p.session_id, p.key))
            found.append(p if m is None else _with_mark(p, m.mark, m.at))
    return found


def open_promises(store: Store, owner: str | None, exercises: Mapping[str, Exercise],
                  before: str | None = None) -> list[Promise]:
    """Promises not marked yet; with `before`, only those made in other sessions."""
    return [p for p in promises(store, owner, exercises) if p.mark is None and p.session_id != before]


def follow_through(found: Iterable[Promise]) -> list[Point]:
    """One point per session that made promises, oldest first."""
    by_session: dict[str, list[Promise]] = {}
    for p in found:
        by_session.setdefault(p.session_id, []).append(p)
    points = []
    for sid, ps in by_session.items():
        count = {KEPT: 0, PARTLY: 0, NOT_KEPT: 0, None: 0}
        for p in ps:
            count[p.mark] += 1
        points.append(Point(sid, min(p.made_at for p in ps), count[KEPT], count[PARTLY],
                            count[NOT_KEPT], count[None]))
    return sorted(points, key=lambda pt: pt.made_at)


def overall(points: Iterable[Point]) -> float | None:
    pts = list(points)
    return rate(sum(p.kept for p in pts), sum(p.partly for p in pts), sum(p.not_kept for p in pts))


def history(store: Store, owner: str | None = None) -> list[HistoryRow]:
    """Every session of the owner, newest first."""
    return [HistoryRow(i.id, i.created_at, i.exercise_id, i.title, i.names, i.finished)
            for i in sorted(store.sessions(owner), key=lambda i: i.created_at, reverse=True)]


def day(at: float) -> str:
    return dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d")


# -- finding promises -----------------------------------------------------------


def _session_promises(info: SessionInfo, events: list[Event], exercise: Exercise) -> list[Promise]:
    # The latest answer per (step, round, partner) wins: a promise changed after
    # "let me change them" replaces the earlier wording.
    latest: dict[tuple[str, int, str], Event] = {}
    for event in events:
        if event.kind != ANSWERED or not event.step:
            continue
        if event.step in info.private_steps and not event.data.get("shared"):
            continue  # only its writer saw it: not for a shared check-in
        latest[(event.step, event.round or 1, event.partner)] = event
    out: list[Promise] = []
    for (step_id, rnd, partner), event in latest.items():
        for field_name, value in (event.data.get("values") or {}).items():
            if not isinstance(value, list):
                continue
            template = _item_template(exercise, step_id, field_name)
            for i, item in enumerate(value):
                text = item_text(item, template)
                if text.strip():
                    out.append(Promise(info.id, f"{step_id}:{rnd}:{partner}:{field_name}:{i}",
                                       event.at or info.created_at, partner,
                                       info.names.get(partner, partner), text))
    return sorted(out, key=lambda p: (p.made_at, p.key))


def _item_template(exercise: Exercise, step_id: str, field_name: str) -> str | None:
    try:
        return exercise.step(step_id).field(field_name).item
    except KeyError:
        return None


def item_text(item: Any, template: str | None) -> str:
    """One list item (a promise) as it reads: its item template filled in."""
    if isinstance(item, str):
        return item
    if not isinstance(item, Mapping):
        return str(item)
    if template:
        # One pass, so a value that happens to contain "{when}" stays as typed.
        protected = template.replace("{{", "\0").replace("}}", "\1")
        text = SLOT_RE.sub(lambda m: str(item.get(m.group(1), "…")), protected)
        return text.replace("\0", "{").replace("\1", "}")
    return "; ".join(str(v) for v in item.values())


def _with_mark(p: Promise, mark: str, at: float) -> Promise:
    return Promise(p.session_id, p.key, p.made_at, p.partner, p.name, p.text, mark, at)
