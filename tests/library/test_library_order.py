"""The library's curated order (the flagship first) and its themes, as the picker and `trustdialog list` show them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from shipped_library import LIBRARY

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = "when-i-felt"


def run_list(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "trustdialog", "list", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_shipped_exercise_has_its_own_place_and_a_theme(library):
    orders = [ex.order for ex in library.exercises.values()]
    assert None not in orders and len(set(orders)) == len(orders)
    assert all(ex.tags for ex in library.exercises.values())
    # Themes, not one-offs: each first tag gathers more than one exercise, but for the one done alone.
    firsts = [ex.tags[0] for ex in library.exercises.values()]
    assert len(set(firsts)) <= 4, firsts


def test_list_shows_the_curated_order_with_the_flagship_first(library):
    ids = [line.split()[0] for line in run_list().splitlines()]
    assert ids == list(library.exercises)
    assert ids[0] == FLAGSHIP
    assert [library.exercises[i].order for i in ids] == sorted(ex.order for ex in library.exercises.values())


def test_list_by_tag_groups_under_each_first_tag_in_order(library):
    out = run_list("--by-tag")
    groups: dict[str, list[str]] = {}
    heading = ""
    for line in out.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            heading = line[:-1]
        elif line.strip():
            groups.setdefault(heading, []).append(line.split()[0])
    assert list(groups)[0] == library.exercises[FLAGSHIP].tags[0]
    assert groups[list(groups)[0]][0] == FLAGSHIP
    for tag, ids in groups.items():
        assert all(library.exercises[i].tags[0] == tag for i in ids)
        assert ids == [i for i in library.exercises if i in ids]  # curated order within a theme
    assert sorted(i for ids in groups.values() for i in ids) == sorted(library.exercises)


def test_the_guide_lists_the_library_in_the_pickers_order(library):
    guide = (LIBRARY / "README.md").read_text(encoding="utf-8")
    table = guide.split("## The shipped library", 1)[1].split("\n## ", 1)[0]
    ids = [i for i in re.findall(r"^\| ([a-z-]+) \|", table, re.M) if i != "id"]
    assert ids == list(library.exercises)
