"""`check --walk` is bounded: it stops at its caps with TD061, and TD060 only when a path truly cannot end."""

from __future__ import annotations

import resource
import time

from trustdialog.exercise.model import Exercise, Option, Step
from trustdialog.exercise.walk import STATE_CAP, walk_exercise


def confirms(n: int, max_loops: int, back_to: str | None = None, rounds: int = 1, before=()) -> Exercise:
    """n pairs of prompt + confirm; "not quite" goes back to the prompt just before, or to `back_to`."""
    steps = list(before)
    for i in range(n):
        steps.append(Step(id=f"p{i}", kind="prompt", by="speaker", text="Say it."))
        steps.append(Step(id=f"c{i}", kind="confirm", by="listener", text="Heard?", on_no=back_to or f"p{i}",
                          max_loops=max_loops))
    return Exercise("many", "Many", 1, "", "", steps=tuple(steps), rounds=rounds)


def test_thirty_confirms_in_a_row_walk_completely_and_quickly():
    # Each loop count only matters until its confirm is passed, so the states add up instead of multiplying.
    result = walk_exercise(confirms(30, 20), seconds=60)
    assert result.problem is None
    assert result.stopped == ""
    assert result.states < 2_000
    assert result.paths == 10_000 and not result.counted_all  # 21^30 paths: counting stops at its cap


def test_a_flow_too_big_to_walk_stops_at_the_state_cap_without_a_false_td060():
    # Every "not quite" goes back to the start: 21^30 distinct states, all able to reach the end.
    result = walk_exercise(confirms(30, 20, back_to="p0"), state_cap=2_000, seconds=60)
    assert result.problem is None
    assert result.stopped == "states"
    assert result.states <= 2_000


def test_a_flow_too_big_to_walk_stops_at_the_clock_without_a_false_td060():
    began = time.monotonic()
    result = walk_exercise(confirms(30, 20, back_to="p0", rounds=20), seconds=0.5)
    assert time.monotonic() - began < 10  # generous: only a sanity bound on a busy machine
    assert result.problem is None
    assert result.stopped == "seconds"
    assert 0 < result.states < STATE_CAP


def test_a_stuck_loop_is_still_td060_when_the_rest_is_too_big_to_walk():
    trap = (
        Step(id="fork", kind="choose", by="speaker", text="?",
             options=(Option("on", next="p0"), Option("trap", next="b"))),
        Step(id="b", kind="say", by="speaker", text="t", next="c"),
        Step(id="c", kind="say", by="speaker", text="t", next="b"),
    )
    ex = confirms(30, 20, back_to="p0", before=trap)
    # The walk explores the last choice first, so the trap is seen before the cap; fork's "on" branch is not.
    result = walk_exercise(ex, state_cap=2_000, seconds=60)
    assert result.stopped == "states"
    assert result.problem is not None and result.problem[0] in ("b", "c")
    assert "no choice leads to the end" in result.problem[2]


def test_check_walk_on_a_huge_valid_file_warns_td061_and_stays_small(run_cli, tmp_path):
    steps = "".join(
        f'[[steps]]\nid = "p{i}"\nkind = "prompt"\nby = "speaker"\ntext = "Say it."\n\n'
        f'[[steps]]\nid = "c{i}"\nkind = "confirm"\nby = "listener"\ntext = "Heard?"\non_no = "p0"\n'
        'max_loops = 20\n\n' for i in range(30))
    path = tmp_path / "many.toml"
    path.write_text('format = 1\n[exercise]\nid = "many"\ntitle = "Many"\nminutes = 600\nsummary = "s"\n'
                    f'rounds = 20\n\n{steps}')
    began = time.monotonic()
    result = run_cli("check", "--walk", str(path))
    took = time.monotonic() - began
    assert result.returncode == 0, result.stdout
    assert "TD060" not in result.stdout
    assert "warning TD061: walking 'many' stopped early, at its " in result.stdout
    assert "found none that cannot reach the end" in result.stdout
    assert took < 30, took  # generous: the walk's own limit is a few seconds
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    assert peak_kb < 1_000_000, peak_kb
