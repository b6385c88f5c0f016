"""The authoring guide agrees with itself: the file it tells you to make is named for its id and finds its schema."""

from __future__ import annotations

import re
import tomllib

from shipped_library import LIBRARY
from trustdialog.exercise import check_paths
from trustdialog.exercise.schema import schema_text

GUIDE = (LIBRARY / "README.md").read_text(encoding="utf-8")


def _example() -> str:
    return next(b for b in re.findall(r"```toml\n(.*?)```", GUIDE, re.S) if "[exercise]" in b)


def test_the_example_is_saved_under_its_own_id():
    where = re.search(r"Copy the\s+example below into `([^`]+)`", GUIDE)
    assert where, "the guide no longer says where to save the example"
    exercise_id = tomllib.loads(_example())["exercise"]["id"]
    assert where.group(1).rsplit("/", 1)[-1] == f"{exercise_id}.toml"
    # Every command the guide shows on a single file names that same file.
    for named in re.findall(r"trustdialog check [^\n]*?(\S+\.toml)", GUIDE):
        assert named == where.group(1), named


def test_the_example_schema_line_is_right_for_a_folder_of_your_own(tmp_path):
    """Set up the folder as the guide says: the schema saved next to the file, the example copied in."""
    where = re.search(r"Copy the\s+example below into `([^`]+)`", GUIDE)
    assert where
    path = tmp_path / where.group(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = re.search(r"`trustdialog schema > ([^`]+)`", GUIDE)
    assert saved, "the guide no longer says how to save the schema"
    (tmp_path / saved.group(1)).write_text(schema_text(), encoding="utf-8")
    path.write_text(_example(), encoding="utf-8")
    first = _example().splitlines()[0]
    assert first.startswith("#:schema ")
    # Editors resolve the path from the file's own folder.
    assert (path.parent / first.removeprefix("#:schema ").strip()).is_file(), first
    assert [str(d) for d in check_paths([path.parent]).diagnostics] == []


def test_the_schema_lines_in_the_table_resolve_where_the_guide_puts_them(tmp_path):
    rows = dict(re.findall(r"^\| (.+?) \| `(#:schema [^`]+)` \|$", GUIDE, re.M))
    own = tmp_path / "my-exercises"
    (own / "vocab").mkdir(parents=True)
    (own / "schema.json").write_text(schema_text(), encoding="utf-8")
    folders = {"a folder of your own": own, "`vocab/` of that folder": own / "vocab",
               "`exercises/` of this": LIBRARY, "`exercises/vocab/` of this": LIBRARY / "vocab"}
    checked = 0
    for place, line in rows.items():
        folder = next(f for start, f in folders.items() if place.startswith(start))
        assert (folder / line.removeprefix("#:schema ")).is_file(), (place, line)
        checked += 1
    assert checked == 4
