"""Both stores are a `Store`: at run time (names) and for mypy (signatures and types)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api  # a test dependency: the type check is part of the suite

from trustdialog.store import MemoryStore, Store, db_path, open_store
from trustdialog.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]


def test_both_stores_have_every_name_of_the_protocol(data_dir):
    sqlite = open_store(data_dir)
    try:
        assert isinstance(sqlite, SQLiteStore) and isinstance(sqlite, Store)
        assert isinstance(MemoryStore(), Store)
    finally:
        sqlite.close()


def test_a_store_missing_one_method_is_not_a_store():
    # The check above could pass for anything if the Protocol were not runtime-checked.
    class NoDamaged(MemoryStore):
        damaged = None  # how a method is taken away from a runtime-checked Protocol

    assert not isinstance(NoDamaged(), Store)


def test_the_optional_abilities_are_plain_attributes(data_dir):
    sqlite = open_store(data_dir)
    try:
        assert (sqlite.persistent, sqlite.warning, sqlite.read_only) == (True, None, None)
        assert sqlite.path == db_path(data_dir)
    finally:
        sqlite.close()
    memory = MemoryStore(warning="cannot save")
    assert (memory.persistent, memory.warning, memory.read_only, memory.path) == (
        False, "cannot save", None, None)
    # A data folder that cannot be written: memory, saying why.
    blocked = data_dir.parent / "blocked"
    blocked.write_text("a file where the folder should be")
    fallback = open_store(blocked)
    assert isinstance(fallback, MemoryStore) and not fallback.persistent
    assert fallback.warning and "memory only" in fallback.warning


CONFORMS = """
    from trustdialog.store import MemoryStore, Store
    from trustdialog.store.postgres import PostgresStore
    from trustdialog.store.sqlite import SQLiteStore

    def postgres_is_a_store(s: PostgresStore) -> Store:
        return s

    def sqlite_is_a_store(s: SQLiteStore) -> Store:
        return s

    def memory_is_a_store(s: MemoryStore) -> Store:
        return s
"""

# The control: a store whose `append` takes the wrong type must be refused, or
# the check above proves nothing.
WRONG = """
    from trustdialog.store import MemoryStore, Store

    class Wrong(MemoryStore):
        def append(self, session_id: int, event, *, after=None, clear_drafts=(),
                   finished=False) -> int:
            return 0

    def wrong_is_a_store(s: Wrong) -> Store:
        return s
"""


def _mypy(snippet: str, cache: Path) -> tuple[str, int]:
    # Errors in the imported modules are other tests' business; only the snippet counts.
    module = cache.parent / "snippet.py"
    module.write_text(textwrap.dedent(snippet))
    out, err, code = api.run(["--follow-imports=silent", "--cache-dir", str(cache),
                              "--config-file", str(REPO / "pyproject.toml"), str(module)])
    return out + err, code


@pytest.mark.parametrize(("snippet", "ok"), [(CONFORMS, True), (WRONG, False)],
                         ids=["every-store", "control"])
def test_mypy_sees_every_store_as_a_store(snippet, ok, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # mypy finds trustdialog from the repository, as in CI
    out, code = _mypy(snippet, tmp_path / "cache")
    if ok:
        assert code == 0, out
    else:
        assert code == 1 and "incompatible return value type" in out.lower(), out
