"""Rendering text: prompts and templates filled with role names and earlier answers, answers as one text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from trustdialog.exercise.model import JOIN, Field, Step, slot_names, split_template

if TYPE_CHECKING:
    from trustdialog.engine.state import SessionState

# What a missing (skipped, or private) answer reads as inside a prompt.
MISSING = "…"

# Resolves one slot, (name, role or None), to its text.
Resolver = Callable[[str, "str | None"], str]


def fill_template(template: str, resolve: Resolver) -> str:
    """`template` with each slot replaced by what `resolve` gives for it."""
    # A piece is a slot exactly when it is a (name, role) tuple; the isinstance
    # test says so to the type checker as well as the flag would.
    return "".join(resolve(*piece) if isinstance(piece, tuple) else piece for piece, _ in split_template(template))


def fill_plain(template: str, values: Mapping[str, str]) -> str:
    """A list item's template filled from its own values (slot roles play no part there)."""
    return fill_template(template, lambda name, role: values.get(name, MISSING))


def join_text(parts: list[str]) -> str:
    """Pieces of a sentence (template text and what people wrote) joined so that the
    punctuation reads right whatever was typed: a full stop someone typed is not doubled by
    the template's, and a comma or semicolon after it takes its place. Only the shown text
    changes; the values stay exactly as typed."""
    out = ""
    for part in parts:
        if not part:
            continue
        if part[0] in ".,;:":
            out = out.rstrip()  # "late " + ", I felt": no space before the comma
            if out and out[-1] in ".!?,;:":
                if part[0] == "." or out[-1] in "!?,;:":
                    part = part[1:]  # "the worst." + "." is one stop; "late?" + ", I felt" keeps "?"
                elif not out.endswith(".."):
                    out = out[:-1]  # "that night." + ", I felt": the comma takes the stop's place
        out += part
    return out


def render_value(f: Field, value: Any) -> str:
    """One field's value as text: "4 of 5", list items joined by "; ", text as it is."""
    if f.kind == "rating":
        return f"{value} of {f.max}"
    if f.kind == "list":
        rendered = [fill_plain(f.item, item) if f.item else item for item in value]
        pieces: list[str] = []
        for i, text in enumerate(rendered):
            pieces += ["; ", text] if i else [text]
        return join_text(pieces)
    return str(value)


def render_answer(step: Step, values: Mapping[str, Any], resolve: Resolver) -> str:
    """A prompt answer as one text: its template filled, or its fields one per line."""
    if step.template:
        own = {f.name: f for f in step.fields}
        out = []
        for piece, _ in split_template(step.template):
            if not isinstance(piece, tuple):
                out.append(piece)
            elif piece[1] is None and piece[0] in own:
                # An optional blank left empty reads as missing; it must not
                # borrow an earlier answer that has a field of the same name.
                value = values.get(piece[0])
                out.append(MISSING if value is None else render_value(own[piece[0]], value))
            else:
                out.append(resolve(*piece))
        return join_text(out)
    shown = [f for f in step.fields if f.name in values]
    if len(step.fields) == 1 and shown:
        return render_value(shown[0], values[shown[0].name])
    return "\n".join(f"{f.label or f.name}: {render_value(f, values[f.name])}" for f in shown)


def join_said(texts: list[str]) -> str:
    """Several answers quoted as one passage, in the order given: each one ends as a sentence
    (a full stop where the person typed none) so that the next does not run into it."""
    out: list[str] = []
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out and out[-1][-1].isalnum():
            out[-1] += "."
        out.append(text)
    return " ".join(out) if out else MISSING


def resolve(state: SessionState, name: str, role: str | None) -> str:
    """One slot of a prompt in `state`: a role's partner name, or the latest public answer it names.

    A slot of joined names (`{voice+more}`) quotes every public answer to any of
    them in the current round, oldest first: what was said, then each addition.
    """
    if role is None and name in state.exercise.roles:
        return state.names[state.partner_in(name)]
    who = state.partner_in(role) if role is not None and role in state.exercise.roles else None
    if JOIN in name:
        return join_said(_said(state, slot_names(name), who))
    for answer in reversed(state.answers):
        if not answer.public or (who and answer.partner != who):
            continue
        if answer.step == name:
            return answer.text
        if name in answer.values:
            step = state.exercise.step(answer.step)
            return render_value(step.field(name), answer.values[name])
    return MISSING


def _said(state: SessionState, names: tuple[str, ...], who: str | None) -> list[str]:
    """The texts of this round's public answers to any of `names` (by `who` if given), oldest first."""
    out = []
    for answer in state.answers:
        if answer.round != state.round or not answer.public or (who and answer.partner != who):
            continue
        if answer.step in names:
            out.append(answer.text)
            continue
        for name in names:
            if name in answer.values:
                out.append(render_value(state.exercise.step(answer.step).field(name), answer.values[name]))
                break
    return out


def template_parts(state: SessionState) -> tuple[str | Field, ...]:
    """The current step's template as literal text (slots filled) and its own blanks to fill."""
    step = state.step
    if not step or not step.template:
        return ()
    own = {f.name: f for f in step.fields}
    parts: list[str | Field] = []
    text = ""
    for piece, _ in split_template(step.template):
        if not isinstance(piece, tuple):
            text += piece
        elif piece[0] in own and piece[1] is None:
            if text:
                parts.append(text)
                text = ""
            parts.append(own[piece[0]])
        else:
            text += resolve(state, *piece)
    if text:
        parts.append(text)
    return tuple(parts)
