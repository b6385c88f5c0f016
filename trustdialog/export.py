"""A session's transcript as readable Markdown: who said what, in which role and step.

Private reflections (unless their writer shared them) and answers still sealed
are left out. Pure: takes the session's summary, state and events, returns text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable, Mapping

from trustdialog import engine
from trustdialog.engine import Answer, Event, SessionState
from trustdialog.exercise.model import SLOT_RE, Exercise, Step
from trustdialog.progress import item_text
from trustdialog.store import SessionInfo
from trustdialog.text import clean

def to_markdown(info: SessionInfo, state: SessionState, events: Iterable[Event] | None = None) -> str:
    """The transcript of a session whose exercise is known.

    With `events`, every turn is shown in order (choices and confirmations too)
    under the prompt as it read at that moment; without, only the answers.
    """
    lines = _header(info, state.exercise.title, _status(info, state))
    if events is None:
        turns = [(a, None) for a in state.transcript()]
        _answers_only(lines, state, turns)
    else:
        _with_events(lines, state, list(events))
    return "\n".join(lines).rstrip() + "\n"


def events_to_markdown(info: SessionInfo, events: Iterable[Event]) -> str:
    """The transcript when the exercise is no longer in the library: step ids, raw answers."""
    events = list(events)
    lines = _header(info, info.title, "yes" if info.finished else "not yet")
    lines += ["*The exercise file is no longer in the library: steps are shown by their ids.*", ""]
    both = _both_answered(events)
    rnd = None
    for event in events:
        if event.kind != engine.ANSWERED or not event.step:
            line = _meta_line(event, info.names)
            if line:
                lines += [line, ""]
            continue
        if event.step in info.private_steps and not event.data.get("shared"):
            continue
        if event.step in info.hidden_steps and (event.step, event.round) not in both:
            continue
        if event.round != rnd:
            rnd = event.round
            lines += [f"## Round {rnd}", ""]
        who = clean(info.names.get(event.partner, event.partner))
        lines += [f"**{_md(who)}**, step `{event.step}`:", ""]
        lines += _quote(_raw_values(event.data.get("values") or {}))
    return "\n".join(lines).rstrip() + "\n"


# -- pieces ---------------------------------------------------------------------


def _header(info: SessionInfo, title: str, status: str) -> list[str]:
    a, b = (clean(info.names.get(p, p)) for p in engine.PARTNERS)
    when = dt.datetime.fromtimestamp(info.created_at).strftime("%Y-%m-%d %H:%M")
    return [
        f"# {_md(clean(title))}", "",
        f"- **Partners:** {_md(a)} and {_md(b)}",
        f"- **Date:** {when}",
        f"- **Exercise:** `{info.exercise_id}`",
        f"- **Finished:** {status}",
        f"- **Session:** `{info.id}`", "",
    ]


def _status(info: SessionInfo, state: SessionState) -> str:
    if state.finished:
        return "ended early" if state.ended_early else "yes"
    return "not yet" + (" (paused)" if state.paused else "")


def _answers_only(lines: list[str], state: SessionState, turns: list[tuple[Answer, Any]]) -> None:
    ex = state.exercise
    rnd = step = None
    for answer, _ in turns:
        if answer.round != rnd:
            rnd, step = answer.round, None
            lines += [f"## Round {rnd}", ""]
        if answer.step != step:
            step = answer.step
            lines += _step_heading(ex, step, _names_only(ex, state.names, rnd, ex.step(step).text))
        lines += _turn(state.names, answer.partner, answer.role, _answer_text(ex.step(step), answer))


def _with_events(lines: list[str], final: SessionState, events: list[Event]) -> None:
    ex = final.exercise
    state = engine.start(ex, final.names)
    # The engine records one answer per answered or chose event, in order.
    answers = iter(final.answers)
    rnd = step = None
    for event in events:
        before = state
        state = engine.apply(state, event)
        if event.kind == engine.ANSWERED:
            answer = next(answers)
            if not answer.public:
                continue
        elif event.kind == engine.CHOSE:
            next(answers)  # its answer is the option, shown below by its label
        elif event.kind not in (engine.CONFIRMED, engine.SKIPPED):
            line = _meta_line(event, final.names)
            if line:
                lines += [line, ""]
            continue
        # engine.apply above refuses a step event without its step.
        assert event.step is not None
        if before.round != rnd:
            rnd, step = before.round, None
            lines += [f"## Round {rnd}", ""]
        if event.step != step:
            step = event.step
            lines += _step_heading(ex, step, before.prompt)
        s = ex.step(event.step)
        role = before.roles[event.partner]
        if event.kind == engine.ANSWERED:
            lines += _turn(final.names, event.partner, role, _answer_text(s, answer), by=event.by)
        elif event.kind == engine.CHOSE:
            label = s.options[event.data["option"]].label
            lines += _turn(final.names, event.partner, role, label, quote=False, by=event.by)
        elif event.kind == engine.CONFIRMED:
            label = s.yes if event.data["yes"] else s.no
            lines += _turn(final.names, event.partner, role, label, quote=False, by=event.by)
        else:
            lines += ["*(skipped)*", ""]


def _answer_text(step: Step, answer: Answer) -> str:
    """A list answer (promises) as one item per line; anything else as the engine wrote it."""
    if step.template or len(step.fields) != 1 or step.fields[0].kind != "list":
        return answer.text
    f = step.fields[0]
    return "\n".join(f"- {item_text(item, f.item)}" for item in answer.values.get(f.name, ()))


def _step_heading(ex: Exercise, step_id: str, prompt: str) -> list[str]:
    n = ex.index(step_id) + 1
    label = ex.step(step_id).display_label()  # people read labels; ids are for the file
    return [f"### Step {n}: {_md(clean(label))}", "", f"*{_md(clean(prompt))}*", ""]


def _turn(names: Mapping[str, str], partner: str, role: str, text: str, quote: bool = True,
          by: str | None = None) -> list[str]:
    who = f"**{_md(clean(names[partner]))}** ({role})"
    if by is not None and by != "local":  # sent over SSH: who was at the keys
        who += f" · sent by {_md(clean(by))}"
    if not quote:
        return [f"{who}: {_md(clean(text))}", ""]
    return [f"{who}:", ""] + _quote(text)


def _quote(text: str) -> list[str]:
    return [f"> {line}".rstrip() for line in clean(text).splitlines() or [""]] + [""]


def _meta_line(event: Event, names: Mapping[str, str]) -> str | None:
    who = _md(clean(names.get(event.partner, event.partner)))
    if event.kind == engine.PAUSED:
        return f"*Paused by {who}.*"
    if event.kind == engine.RESUMED:
        return "*Resumed.*"
    if event.kind == engine.ENDED:
        return f"*Ended early by {who}.*"
    # Said in the room: quiet lines between the turns, never a turn themselves.
    if event.kind == engine.NUDGED:
        sender = event.data.get("from")
        by = f" from {_md(clean(sender))}" if isinstance(sender, str) and sender else ""
        return f"*A nudge{by}: {_md(clean(str(event.data.get('text', ''))))}*"
    if event.kind == engine.CALLED:
        return f"*{who} asked for the facilitator.*"
    if event.kind == engine.CALL_ANSWERED:
        return f"*The facilitator answered {who}'s call.*"
    return None


def _names_only(ex: Exercise, names: Mapping[str, str], rnd: int, text: str) -> str:
    """A step's text with role names filled in for round `rnd` (answers elided)."""
    first, second = ex.roles
    if ex.swap_roles and rnd % 2 == 0:
        first, second = second, first
    by_role = {first: names["a"], second: names["b"]}

    def fill(m: re.Match[str]) -> str:
        name, role = m.group(1), m.group(2)
        return by_role[name] if role is None and name in by_role else engine.MISSING

    protected = text.replace("{{", "\0").replace("}}", "\1")
    return SLOT_RE.sub(fill, protected).replace("\0", "{").replace("\1", "}")


def _both_answered(events: list[Event]) -> set[tuple[str, int | None]]:
    seen: dict[tuple[str, int | None], set[str]] = {}
    for e in events:
        if e.kind == engine.ANSWERED and e.step:
            seen.setdefault((e.step, e.round), set()).add(e.partner)
    return {k for k, who in seen.items() if who >= set(engine.PARTNERS)}


def _raw_values(values: Mapping[str, Any]) -> str:
    out = []
    for name, value in values.items():
        if isinstance(value, list):
            items = ["; ".join(map(str, v.values())) if isinstance(v, Mapping) else str(v) for v in value]
            out.append(f"{name}: " + " | ".join(items))
        else:
            out.append(f"{name}: {value}")
    return "\n".join(out)


def _md(text: str) -> str:
    """Inline text with Markdown's emphasis and link characters escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text).replace("\n", " ")
