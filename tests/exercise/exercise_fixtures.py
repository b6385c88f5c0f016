"""The fixture folders of the exercise checker's tests (a module with its own name: `conftest` is taken)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
STRUCTURE = FIXTURES / "bad" / "structure"  # the schema rejects these too
CROSSREF = FIXTURES / "bad" / "crossref"  # only the checker sees these (names, values, graph)


def expected_code(path: Path) -> str:
    """Bad fixtures are named for the code they must raise: td012-....toml -> TD012."""
    return path.name.split("-")[0].upper()
