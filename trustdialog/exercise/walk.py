"""`check --walk`: every path of each flow, run through the engine, must reach the end.

The walk explores the engine's state graph (step, round, who answered, loop
counts), so it is complete even when there are too many paths to list; the
paths themselves are then counted up to a cap, each one a distinct sequence of
choices from the start to the finish.

It is bounded: at most STATE_CAP states and WALK_SECONDS per exercise. When it
stops early it says so (TD061) with what it covered, and it reports TD060 only
for a state from which it has seen every way on, and none reaches the end.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trustdialog import engine
from trustdialog.exercise.diagnostics import Diagnostic
from trustdialog.exercise.locator import Locator
from trustdialog.exercise.model import END, Exercise
from trustdialog.exercise.reader import MAX_BYTES
from trustdialog.files import read_regular_file

if TYPE_CHECKING:
    from trustdialog.exercise.library import Library

PATH_CAP = 10_000  # paths counted per exercise
STATE_CAP = 50_000  # engine states explored per exercise (a few KB each while waiting to be explored)
WALK_SECONDS = 3.0  # per exercise: most of it exploring, the rest counting paths
# Answers never change where a flow goes, only what its texts quote; keeping
# the last two (a `both` step pairs its two answers) keeps each state small.
ANSWER_WINDOW = 2
NAMES = {"a": "A", "b": "B"}

# What tells two engine states apart for the walk: phase, round, step id, who
# answered, and the loop counts of the confirms that can still come up.
StateKey = tuple[str, int, "str | None", frozenset[str], tuple[tuple[str, int], ...]]
# (step id, or None before the first step; round; message)
Problem = tuple["str | None", int, str]


@dataclass
class WalkReport:
    paths: int = 0
    exercises: int = 0
    cap: int = PATH_CAP
    capped: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class WalkResult:
    """What walking one exercise found and how far it got."""

    paths: int = 0  # distinct paths to the end counted
    counted_all: bool = True  # False: counting stopped at the path cap or the clock
    states: int = 0  # states explored
    stopped: str = ""  # why exploring stopped early: "" (it did not), "states" or "seconds"
    last_round: int = 1  # the highest round it reached
    problem: Problem | None = None

    @property
    def capped(self) -> bool:
        return bool(self.stopped) or not self.counted_all


def _reachable_confirms(ex: Exercise) -> dict[str, frozenset[str]]:
    """Step id -> the confirm steps that can still come up in this round from it (itself included).

    A confirm's loop count matters only while the flow can come back to it;
    leaving the others out of a state's key merges states whose futures are
    the same, so 30 confirms in a row cost 30 times, not 30 to the power.
    """
    ids = {s.id for s in ex.steps}
    edges: dict[str, set[str]] = {}
    for s in ex.steps:
        targets = [s.next] + [o.next or s.next for o in s.options] + ([s.on_no] if s.kind == "confirm" else [])
        edges[s.id] = {t for t in (ex.successor(s, t) for t in targets) if t != END and t in ids}
    confirms = {s.id for s in ex.steps if s.kind == "confirm"}
    out: dict[str, frozenset[str]] = {}
    for s in ex.steps:
        seen = {s.id}
        todo = [s.id]
        while todo:
            for n in edges[todo.pop()]:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        out[s.id] = frozenset(seen & confirms)
    return out


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


def walk(ex: Exercise, path_cap: int = PATH_CAP, state_cap: int = STATE_CAP) -> tuple[int, bool, Problem | None]:
    """(paths counted, capped?, problem or None) for one exercise; see `walk_exercise`."""
    result = walk_exercise(ex, path_cap, state_cap)
    return result.paths, result.capped, result.problem


def walk_exercise(
    ex: Exercise, path_cap: int = PATH_CAP, state_cap: int = STATE_CAP, seconds: float = WALK_SECONDS,
) -> WalkResult:
    """Walk one exercise within the caps.

    A problem is (step id, round, message) for a state from which the finish
    cannot be reached, or where the engine refused one of its own valid actions.
    """
    began = time.monotonic()
    deadline = began + seconds * 0.8
    relevant = _reachable_confirms(ex)

    def key(state: engine.SessionState) -> StateKey:
        keep = relevant.get(state.step_id, frozenset()) if state.step_id else frozenset()
        loops = tuple(sorted((c, n) for c, n in state.loops.items() if c in keep))
        return (state.phase, state.round, state.step_id, state.answered, loops)

    result = WalkResult()
    state = engine.start(ex, NAMES)
    for p in engine.PARTNERS:
        state = engine.apply(state, engine.Event(engine.READY, p))
    start = key(state)
    # Explored states -> the states their moves lead to. Only the states still
    # to explore are kept whole; an explored one is known by its key.
    graph: dict[StateKey, list[StateKey]] = {}
    seen = {start}
    todo = [(start, state)]
    while todo:
        if time.monotonic() > deadline:
            result.stopped = "seconds"
            break
        k, s = todo.pop()
        graph[k] = []
        result.last_round = max(result.last_round, s.round)
        if s.finished:
            continue
        moves = _moves(s)
        if not moves:
            result.problem = (s.step_id, s.round, "no action is possible here")
            return result
        for event in moves:
            try:
                nxt = engine.apply(s, event)
            except engine.FlowError as error:
                result.problem = (s.step_id, s.round, f"the engine refused {event.kind}: {error}")
                return result
            nk = key(nxt)
            graph[k].append(nk)
            if nk in seen:
                continue
            if len(seen) >= state_cap:
                result.stopped = result.stopped or "states"
                continue
            seen.add(nk)
            if len(nxt.answers) > ANSWER_WINDOW:
                nxt = dataclasses.replace(nxt, answers=nxt.answers[-ANSWER_WINDOW:])
            todo.append((nk, nxt))
    result.states = len(graph)
    stuck = _stuck(graph)
    if stuck is not None:
        _, rnd, step_id, _, loops = stuck
        result.problem = (step_id, rnd, "from here no choice leads to the end "
                          f"(round {rnd}, loops {dict(loops) or 'none'})")
        return result
    result.paths, result.counted_all = _count(graph, start, path_cap, began + seconds)
    return result


def _finished(k: StateKey) -> bool:
    return k[0] == "finished"


def _stuck(graph: dict[StateKey, list[StateKey]]) -> StateKey | None:
    """The first explored state that truly cannot reach the end, or None.

    A state that can reach one not explored (left at a cap) may still get to
    the end that way, so it is never called stuck: only a state all of whose
    ways on were explored, none of them finishing, is.
    """
    back: dict[StateKey, list[StateKey]] = {}
    for k, outs in graph.items():
        for n in outs:
            back.setdefault(n, []).append(k)
    hopeful = {n for outs in graph.values() for n in outs if _finished(n) or n not in graph}
    hopeful |= {k for k in graph if _finished(k)}
    todo = list(hopeful)
    while todo:
        for p in back.get(todo.pop(), ()):
            if p not in hopeful:
                hopeful.add(p)
                todo.append(p)
    return next((k for k in graph if k not in hopeful), None)


def _count(graph: dict[StateKey, list[StateKey]], start: StateKey, cap: int, deadline: float) -> tuple[int, bool]:
    """Distinct paths from start to finish, not going round a loop twice; and whether all were counted."""
    paths = 0
    budget = cap * 50  # node visits: stops a maze of dead-end loops from taking long
    on_path = {start}
    stack = [(start, iter(graph.get(start, ())))]
    while stack and paths < cap and budget > 0:
        budget -= 1
        if budget % 1024 == 0 and time.monotonic() > deadline:
            break
        node, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            stack.pop()
            on_path.discard(node)
            continue
        if nxt in on_path or nxt not in graph:
            continue
        if _finished(nxt):
            paths += 1
            continue
        on_path.add(nxt)
        stack.append((nxt, iter(graph[nxt])))
    return paths, not stack


def walk_library(lib: Library) -> WalkReport:
    """Walk every exercise of a loaded library."""
    report = WalkReport()
    for ex in lib.exercises.values():
        report.exercises += 1
        result = walk_exercise(ex)
        report.paths += result.paths
        if result.problem:
            step_id, rnd, message = result.problem
            report.diagnostics.append(_diag(ex, step_id, "TD060", f"walking '{ex.id}': at step '{step_id}': {message}"))
        elif result.stopped:
            why = f"its cap of {STATE_CAP:,} states" if result.stopped == "states" else \
                f"its limit of {WALK_SECONDS:g} seconds"
            report.diagnostics.append(_diag(ex, None, "TD061", (
                f"walking '{ex.id}' stopped early, at {why}: it explored {result.states:,} states, up to round "
                f"{result.last_round} of {ex.rounds}, found none that cannot reach the end, and counted "
                f"{result.paths:,} paths; the reachability check (TD047) covers the rest")))
        elif not result.counted_all:
            report.capped.append(ex.id)
            report.diagnostics.append(_diag(ex, None, "TD061", (
                f"walking '{ex.id}': all {result.states:,} states were explored and each can reach the end; "
                f"counting the paths stopped at {result.paths:,}")))
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
