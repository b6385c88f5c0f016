"""Cross-references inside one exercise: jumps, vocabularies, template slots, reachability, loops."""

from __future__ import annotations

from collections import deque
from typing import Iterable, Protocol

from trustdialog.exercise.diagnostics import did_you_mean
from trustdialog.exercise.locator import Key
from trustdialog.exercise.model import END, JOIN, Exercise, Step, slot_names, slots
from trustdialog.exercise.reader import Source
from trustdialog.exercise.validate import Parsed


class _At(Protocol):
    """The key path of step `i` (by its row in the file), with `rest` below it."""

    def __call__(self, i: int, *rest: Key) -> tuple[Key, ...]: ...


def edges(ex: Exercise, step: Step, ids: set[str]) -> list[str]:
    """Where `step` can lead (step ids or END); jumps to unknown steps are left out."""
    targets: list[str | None] = []
    if step.kind == "choose" and step.options:
        targets += [o.next or step.next for o in step.options]
    else:
        targets.append(step.next)
    if step.kind == "confirm" and step.on_no is not None and step.max_loops > 0:
        targets.append(step.on_no)
    out = []
    for t in targets:
        # A jump to an unknown step is reported on its own; counting it as the
        # end keeps it from also showing up as an unreachable step or a trap.
        nxt = ex.successor(step, t) if t is None or t in ids else END
        if nxt not in out:
            out.append(nxt)
    return out


def check(parsed: Parsed, vocab_ids: Iterable[str]) -> None:
    """Report every cross-reference problem of `parsed.exercise` on its source."""
    ex = parsed.exercise
    src = parsed.source
    if ex is None or not ex.steps:
        return
    rows = parsed.step_rows

    def at(i: int, *rest: Key) -> tuple[Key, ...]:
        return ("steps", rows[i]) + rest

    # Duplicate ids: the model keeps the last, so every reference below is still checkable.
    first: dict[str, int] = {}
    for i, s in enumerate(ex.steps):
        if s.id in first:
            src.report("TD040", f"step id '{s.id}' is used twice (first by step {first[s.id] + 1})", at(i, "id"),
                       value=True)
        else:
            first[s.id] = i
        if s.id == END:
            src.report("TD033", "'end' is reserved: next = \"end\" ends the round", at(i, "id"), value=True)
        if s.id in ex.roles:
            src.report("TD033", f"step id '{s.id}' is also a role; {{{s.id}}} would mean the role", at(i, "id"),
                       value=True)
    ids = set(first)

    # Jumps.
    for i, s in enumerate(ex.steps):
        jumps = [(s.next, at(i, "next"))]
        jumps += [(s.on_no, at(i, "on_no"))] if s.kind == "confirm" else []
        jumps += [(o.next, at(i, "options", j, "next")) for j, o in enumerate(s.options)]
        for target, where in jumps:
            if target is not None and target != END and target not in ids:
                src.report("TD042", f"no step '{target}' to go to{did_you_mean(target, ids | {END})}", where,
                           value=True)

    # Vocabularies.
    known = set(vocab_ids)
    for i, s in enumerate(ex.steps):
        for f in s.fields:
            if f.vocab is not None and f.vocab not in known:
                src.report("TD043", f"no vocabulary '{f.vocab}'{did_you_mean(f.vocab, known)}"
                           f" (known: {', '.join(sorted(known)) or 'none'})", at(i, "fields", f.name, "vocab"),
                           value=True)

    # Reachability and ways out.
    index = {s.id: i for i, s in enumerate(ex.steps)}
    succ = {i: [index[t] for t in edges(ex, s, ids) if t != END] for i, s in enumerate(ex.steps)}
    ends = {i for i, s in enumerate(ex.steps) if END in edges(ex, s, ids)}
    reached = _reach([0], succ)
    for i, s in enumerate(ex.steps):
        if i not in reached and first.get(s.id) == i:
            src.report("TD046", f"step '{s.id}' is never reached from the first step", at(i), )
    pred: dict[int, list[int]] = {i: [] for i in succ}
    for i, outs in succ.items():
        for j in outs:
            pred[j].append(i)
    can_end = _reach(list(ends), pred)
    stuck = sorted(i for i in succ if i not in can_end)
    for i in stuck:
        loop = [ex.steps[j].id for j in sorted(_reach([i], succ))]
        src.report("TD047", f"from step '{ex.steps[i].id}' the end cannot be reached: it only leads to "
                   f"{', '.join(repr(x) for x in loop)}; add a 'next' that leads out", at(i))
        break  # one loop is one mistake; its other steps would repeat the same line

    _check_slots(parsed, index, succ, reached, at)


def _reach(start: list[int], succ: dict[int, list[int]]) -> set[int]:
    seen = set(start)
    todo = deque(start)
    while todo:
        for j in succ.get(todo.popleft(), ()):
            if j not in seen:
                seen.add(j)
                todo.append(j)
    return seen


def _check_slots(parsed: Parsed, index: dict[str, int], succ: dict[int, list[int]], reached: set[int], at: _At) -> None:
    """Every slot must be a role, or an answer that every path to its step has filled."""
    ex = parsed.exercise
    src = parsed.source
    assert ex is not None
    steps = ex.steps
    gen: list[frozenset[str]] = []
    providers: dict[str, list[Step]] = {}
    for s in steps:
        # A prompt answers under its id and its field names; a choice is recorded
        # under the step id (its option's label). Say and confirm record nothing.
        names = {s.id, *(f.name for f in s.fields)} if s.kind in ("prompt", "choose") else set()
        gen.append(frozenset(names))
        for n in names:
            providers.setdefault(n, []).append(s)
    # A slot of joined names (`{voice+more}`) is filled once any of its names is:
    # each is a name of its own in the dataflow, given by a step that gives any part.
    joined = {name for s in steps for text in (s.text, s.template or "") for name, _ in slots(text) if JOIN in name}
    gen = [g | {j for j in joined if g & set(slot_names(j))} for g in gen]
    everything = frozenset().union(*gen)
    # "Must be filled" dataflow: what is filled on entry to a step is what every
    # path from the first step has filled (intersection over predecessors).
    pred: dict[int, list[int]] = {i: [] for i in succ}
    for i, outs in succ.items():
        for j in outs:
            pred[j].append(i)
    filled_in = {i: everything for i in range(len(steps))}
    filled_in[0] = frozenset()
    changed = True
    while changed:
        changed = False
        for i in range(len(steps)):
            if i not in reached:
                continue
            ins = [filled_in[p] | gen[p] for p in pred[i] if p in reached]
            new = frozenset() if i == 0 else (frozenset.intersection(*ins) if ins else frozenset())
            if new != filled_in[i]:
                filled_in[i] = new
                changed = True
    known = {n for n in everything if JOIN not in n} | set(ex.roles) | {s.id for s in steps}
    for i, s in enumerate(steps):
        if i not in reached:
            continue
        own = {f.name for f in s.fields}
        texts: list[tuple[str, str, set[str]]] = [("text", s.text, set())]
        if s.template:
            texts.append(("template", s.template, own))
        for key, text, blanks in texts:
            for name, role in slots(text):
                where = at(i, key)
                slot = f"{{{name}@{role}}}" if role else f"{{{name}}}"
                src.within(where, slot)
                if role is not None and role not in ex.roles:
                    src.report("TD045", f"'{slot}': '{role}' is not a role{did_you_mean(role, ex.roles)}"
                               f" (roles: {', '.join(ex.roles)})", where, value=True)
                if name in blanks:
                    continue
                if role is None and name in ex.roles:
                    continue
                parts = slot_names(name)
                if not _parts_known(src, slot, parts, where, ex, index, everything, known):
                    continue
                givers = list(dict.fromkeys(p for part in parts for p in providers[part]))
                if all(p.private for p in givers):
                    src.report("TD050", f"'{slot}' quotes a private step; it shows only if its writer shares it",
                               where, value=True)
                if name not in filled_in[i]:
                    by = ", ".join(f"'{p.id}'" for p in givers)
                    none = ": on some path none of its answers is given yet" if len(parts) > 1 else ""
                    src.report("TD044", f"'{slot}' is not filled yet on every path to step '{s.id}'{none} "
                               f"(filled by {by})", where, value=True)
        for f in s.fields:
            for name, _ in slots(f.item or ""):
                if JOIN in name:
                    src.report("TD052", f"'{{{name}}}' in a list's item: each slot there is one blank of "
                               "one name; '+' joins earlier answers in a text or template",
                               at(i, "fields", f.name, "item"), value=True)
            if s.template and f.name not in {n for n, r in slots(s.template) if r is None}:
                src.report("TD031", f"field '{f.name}' is not a blank of the template; it is asked separately",
                           at(i, "fields", f.name))


def _parts_known(src: Source, slot: str, parts: tuple[str, ...], where: tuple[Key, ...], ex: Exercise,
                 index: dict[str, int], everything: frozenset[str], known: set[str]) -> bool:
    """Does each name of the slot name an answer? Reports the ones that do not (TD049, TD051, TD052)."""
    ok = True
    for part in parts:
        shown = f"'{slot}'" if len(parts) == 1 else f"'{slot}': '{part}'"
        if len(parts) > 1 and part in ex.roles:
            src.report("TD052", f"{shown} is a role; '+' joins answers, and a role is a name: write "
                       f"{{{part}}} on its own", where, value=True)
        elif part in everything:
            continue
        elif part in index:
            src.report("TD051", f"{shown} quotes a {ex.steps[index[part]].kind} step, which has no "
                       "answer of its own", where, value=True)
        else:
            src.report("TD049", f"{shown} names no role, field, prompt or choose step"
                       f"{did_you_mean(part, known)}", where, value=True)
        ok = False
    return ok
