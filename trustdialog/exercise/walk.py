"""`check --walk`: every path of each flow, run through the engine, must reach the end.

The walk explores the engine's state graph (step, round, who answered, loop
counts), so it is complete even when there are too many paths to list; the
paths themselves are then counted up to a cap, each one a distinct sequence of
choices from the start to the finish.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustdialog import engine
from trustdialog.exercise.diagnostics import Diagnostic
from trustdialog.exercise.locator import Locator
from trustdialog.exercise.model import Exercise
from trustdialog.exercise.reader import MAX_BYTES
from trustdialog.files import read_regular_file

PATH_CAP = 10_000  # paths counted per exercise
STATE_CAP = 100_000  # engine states explored per exercise
NAMES = {"a": "A", "b": "B"}


@dataclass
class WalkReport:
    paths: int = 0
    exercises: int = 0
    cap: int = PATH_CAP
    capped: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _key(state: engine.SessionState) -> tuple:
    return (state.phase, state.round, state.step_id, state.answered, tuple(sorted(state.loops.items())))


def _moves(state: engine.SessionState) -> list[engine.Event]:
    """One event per distinct choice (who on the floor goes first does not change the flow)."""
    seen = set()
    out = []
    for event in engine.valid_actions(state):
        mark = (event.kind, repr(engine._thaw(event.data)))
        if mark not in seen:
            seen.add(mark)
            out.append(event)
    return out


def walk(ex: Exercise, path_cap: int = PATH_CAP, state_cap: int = STATE_CAP):
    """(paths counted, capped?, problem or None) for one exercise.

    A problem is (step id, round, message) for the first state from which the
    finish cannot be reached, or where the engine refused one of its own valid actions.
    """
    state = engine.start(ex, NAMES)
    for p in engine.PARTNERS:
        state = engine.apply(state, engine.Event(engine.READY, p))
    start = _key(state)
    graph: dict[tuple, list[tuple]] = {}
    states = {start: state}
    todo = [start]
    capped = False
    while todo:
        k = todo.pop()
        s = states[k]
        graph[k] = []
        if s.finished:
            continue
        moves = _moves(s)
        if not moves:
            return 0, False, (s.step_id, s.round, "no action is possible here")
        for event in moves:
            try:
                nxt = engine.apply(s, event)
            except engine.FlowError as error:
                return 0, False, (s.step_id, s.round, f"the engine refused {event.kind}: {error}")
            nk = _key(nxt)
            graph[k].append(nk)
            if nk not in states:
                if len(states) >= state_cap:
                    capped = True
                    continue
                states[nk] = nxt
                todo.append(nk)
    # Which states can still reach the finish?
    back: dict[tuple, list[tuple]] = {k: [] for k in graph}
    for k, outs in graph.items():
        for n in outs:
            back.setdefault(n, []).append(k)
    good = {k for k in graph if states[k].finished}
    todo = list(good)
    while todo:
        for p in back.get(todo.pop(), ()):
            if p not in good:
                good.add(p)
                todo.append(p)
    for k in graph:
        if k not in good and not (capped and any(n not in graph for n in graph[k])):
            s = states[k]
            return 0, capped, (s.step_id, s.round, "from here no choice leads to the end "
                               f"(round {s.round}, loops {dict(s.loops) or 'none'})")
    paths, complete = _count(graph, states, start, path_cap)
    return paths, capped or not complete, None


def _count(graph: dict, states: dict, start: tuple, cap: int) -> tuple[int, bool]:
    """Distinct paths from start to finish, not going round a loop twice; and whether all were counted."""
    paths = 0
    budget = cap * 50  # node visits: stops a maze of dead-end loops from taking long
    on_path = {start}
    stack = [(start, iter(graph.get(start, ())))]
    while stack and paths < cap and budget > 0:
        budget -= 1
        node, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            stack.pop()
            on_path.discard(node)
            continue
        if nxt in on_path or nxt not in graph:
            continue
        if states[nxt].finished:
            paths += 1
            continue
        on_path.add(nxt)
        stack.append((nxt, iter(graph[nxt])))
    return paths, not stack


def walk_library(lib) -> WalkReport:
    """Walk every exercise of a loaded library."""
    report = WalkReport()
    for ex in lib.exercises.values():
        report.exercises += 1
        paths, capped, problem = walk(ex)
        report.paths += paths
        if capped:
            report.capped.append(ex.id)
            report.diagnostics.append(_diag(ex, None, "TD061", f"'{ex.id}': stopped counting at {paths:,} paths"))
        if problem:
            step_id, rnd, message = problem
            report.diagnostics.append(_diag(ex, step_id, "TD060", f"walking '{ex.id}': at step '{step_id}': {message}"))
    return report


def _diag(ex: Exercise, step_id: str | None, code: str, message: str) -> Diagnostic:
    line, col = 1, 1
    if ex.path and step_id:
        try:
            text = read_regular_file(ex.path, MAX_BYTES).decode("utf-8")
            line, col = Locator(text).key(("steps", ex.index(step_id)))
        except (OSError, UnicodeDecodeError, KeyError):
            pass
    return Diagnostic(ex.path or ex.id, line, col, code, message)
