"""`check --walk`: every path through the engine reaches the end; traps are found; the count is printed."""

from __future__ import annotations

from exercise_fixtures import GOOD
from trustdialog.exercise import load_library
from trustdialog.exercise.model import Exercise, Option, Step
from trustdialog.exercise.walk import walk, walk_library


def say(id, **kw):
    return Step(id=id, kind="say", by="speaker", text="t", **kw)


def test_every_shipped_flow_reaches_its_end():
    report = walk_library(load_library())
    assert report.diagnostics == []
    assert report.paths >= report.exercises > 0


def test_paths_are_counted_per_choice_and_loop():
    # confirm with max_loops 2: yes at once, after one not-quite, after two (the third moves on) = 4
    ex = Exercise("x", "x", 1, "", "", steps=(
        Step(id="p", kind="prompt", by="speaker", text="t"),
        Step(id="c", kind="confirm", by="listener", text="ok?", on_no="p", max_loops=2),
        Step(id="ch", kind="choose", by="speaker", text="?", options=(Option("a"), Option("b", next="end"))),
    ))
    paths, capped, problem = walk(ex)
    assert problem is None and not capped
    assert paths == 4 * 2


def test_rounds_multiply_paths():
    ex = Exercise("x", "x", 1, "", "", rounds=2, steps=(
        Step(id="ch", kind="choose", by="speaker", text="?", options=(Option("a"), Option("b"))),
    ))
    assert walk(ex)[0] == 4


def test_a_trap_is_found_even_when_the_static_check_is_bypassed():
    # Built directly (the checker would refuse it with TD047): b and c jump to each other.
    ex = Exercise("trap", "x", 1, "", "", steps=(
        Step(id="a", kind="choose", by="speaker", text="?", options=(Option("out", next="end"), Option("in", next="b"))),
        say("b", next="c"),
        say("c", next="b"),
    ))
    paths, capped, problem = walk(ex)
    assert problem is not None and problem[0] in ("b", "c")


def test_path_explosion_is_capped_and_said(run_cli, tmp_path):
    steps = "".join(
        f'[[steps]]\nid = "c{i}"\nkind = "choose"\nby = "speaker"\ntext = "?"\n'
        'options = [{ label = "a" }, { label = "b" }, { label = "c" }]\n' for i in range(12)
    )
    (tmp_path / "wide.toml").write_text(
        'format = 1\n[exercise]\nid = "wide"\ntitle = "w"\nminutes = 1\nsummary = "s"\n' + steps)
    result = run_cli("check", "--walk", str(tmp_path / "wide.toml"))
    assert result.returncode == 0, result.stdout
    assert "warning TD061" in result.stdout
    assert "walked 10,000 paths through 1 exercise (counting capped at 10,000 paths for wide)" in result.stdout


def test_cli_walk_prints_the_count(run_cli):
    result = run_cli("check", "--walk", str(GOOD))
    assert result.returncode == 0
    assert result.stdout.strip().endswith("walked 17 paths through 2 exercises")
