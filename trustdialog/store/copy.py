"""Copying a practice's sessions from one store to another (SQLite to PostgreSQL and back), checked.

The rows are copied table by table, in one transaction on the target, by the
column names both layouts share; then both stores are opened as the app opens
them and every copied session is compared through the store protocol: its
summary, every event, its drafts, its promise marks and its facilitator
notes. Nothing is ever written to the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from trustdialog.store import MemoryStore, Store, StoreError, open_store
from trustdialog.store import MEMORY_ONLY, _kind_of, sqlite_path

# Every table of a practice's data in the stores, in the order they can be
# filled (a row's session comes first), with the column naming its session.
# A new table of the SQLite and PostgreSQL stores is added here: it is then
# copied, counted and (through `compare`) checked.
TABLES: tuple[tuple[str, str], ...] = (
    ("sessions", "id"),
    ("events", "session_id"),
    ("drafts", "session_id"),
    ("marks", "session_id"),
    ("notes", "session_id"),
)


class CopyError(StoreError):
    """The copy was refused or failed; one line saying why and what was (not) written."""


@dataclass
class Copied:
    """What a copy did: rows per table, and the sessions the target already held (with merge)."""

    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    already: int = 0

    @property
    def sessions(self) -> int:
        return self.rows.get("sessions", 0)


def where(url: str) -> str:
    """The store as messages name it: the SQLite file, or the database URL without its password."""
    if _kind_of(url) == "sqlite":
        return str(sqlite_path(url))
    from trustdialog.store.postgres_url import shown

    return shown(url)


def copy_store(source_url: str, target_url: str, *, merge: bool = False) -> Copied:
    """Copy every session of `source_url` into `target_url`; CopyError says why not.

    The target must hold no sessions, unless `merge`: then only the sessions it
    does not hold are copied, and one it holds that differs from the source's
    stops the copy before anything is written.
    """
    if _same(source_url, target_url):
        raise CopyError(f"{where(source_url)} is both FROM and TO; name two different stores")
    source = _open(source_url, create=False)
    try:
        _check_whole(source, where(source_url))  # before TO is made, so a refusal leaves no new file
        target = _open(target_url, create=True)
        try:
            return _copy(source, target, source_url, target_url, merge)
        finally:
            target.close()
    finally:
        source.close()


def _same(a: str, b: str) -> bool:
    if _kind_of(a) != _kind_of(b):
        return False
    if _kind_of(a) == "sqlite":
        return sqlite_path(a).resolve() == sqlite_path(b).resolve()
    return a == b


def _open(url: str, create: bool) -> Store:
    """FROM as the commands open it (it must exist); TO as the app does, but never in memory."""
    name = where(url)
    try:
        # A database is opened as it is (with `read_only` saying why it may not be
        # written); the app's fallback to memory has no place in a copy.
        store = open_store(None, create=create and _kind_of(url) == "sqlite", url=url)
    except StoreError as error:
        raise CopyError(str(error)) from None
    if isinstance(store, MemoryStore):
        if create:
            why = (store.warning or "").removeprefix("cannot save: ").removesuffix(MEMORY_ONLY)
            raise CopyError(f"cannot copy into {name}: {why}")
        raise CopyError(f"{name}: there is no store there (no such file)")
    if create and store.read_only:
        store.close()
        raise CopyError(f"cannot copy into {name}: {store.read_only}")
    return store


def _check_whole(source: Store, name: str) -> None:
    damaged = source.damaged()
    if damaged:
        first = damaged[0]
        raise CopyError(f"session {first.session_id} in {name} is damaged ({first.what}); nothing was "
                        f"copied: forget it or mend it first ({len(damaged)} damaged in all)")


def _copy(source: Store, target: Store, source_url: str, target_url: str, merge: bool) -> Copied:
    src, dst = where(source_url), where(target_url)
    held = {i.id for i in target.sessions()} | {d.session_id for d in target.damaged()}
    if held and not merge:
        raise CopyError(f"{dst} already holds {len(held)} session{'s' if len(held) != 1 else ''}; copy "
                        "into an empty store, or add --merge to copy only the sessions it does not hold")
    wanted: list[str] = []
    for info in source.sessions():
        if info.id not in held:
            wanted.append(info.id)
        elif difference := compare(source, target, info.id):
            raise CopyError(f"session {info.id} is in both stores and differs ({difference}); "
                            "nothing was copied")
    done = Copied(src, dst, already=len(held & {i.id for i in source.sessions()}))
    done.rows = _copy_rows(source_url, target_url, set(wanted))
    # Read back as the app reads: a fresh store on the target, every copied session compared.
    check = _open(target_url, create=False)
    try:
        for sid in wanted:
            difference = compare(source, check, sid)
            if difference:
                raise CopyError(f"the copy of session {sid} in {dst} differs from the original "
                                f"({difference}); the original in {src} is untouched")
    finally:
        check.close()
    return done


def compare(a: Store, b: Store, session_id: str) -> str:
    """What differs between the FROM (`a`) and TO (`b`) copies of one session ("" when nothing does)."""
    try:
        left, right = a.events(session_id), b.events(session_id)
        one, other = a.info(session_id), b.info(session_id)
    except StoreError as error:
        return str(error)
    if len(left) != len(right):
        return f"{len(left)} events in FROM, {len(right)} in TO"
    for seq, (x, y) in enumerate(zip(left, right), 1):
        if x.to_dict() != y.to_dict():
            return f"event {seq}"
    if one != other:
        return "its summary"
    if a.drafts(session_id) != b.drafts(session_id):
        return "its drafts"
    if _marks(a, session_id) != _marks(b, session_id):
        return "its promise marks"
    if a.notes(session_id) != b.notes(session_id):
        return "its facilitator notes"
    return ""


def _marks(store: Store, session_id: str) -> list[tuple[Any, ...]]:
    return sorted((m.key, m.mark, m.at, m.checkin_session) for m in store.marks()
                  if m.session_id == session_id)


# -- the rows ------------------------------------------------------------------------------


class _Side:
    """A plain connection to one store's database, for copying rows."""

    def __init__(self, url: str, write: bool) -> None:
        self.kind = _kind_of(url)
        self.name = where(url)
        if self.kind == "sqlite":
            import sqlite3
            import urllib.parse

            path = urllib.parse.quote(str(sqlite_path(url)))  # a '?' or '#' in a folder's name
            mode = "rw" if write else "ro"
            self.conn: Any = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=10.0,
                                             isolation_level=None)
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)
            self.mark = "%s"

    def columns(self, table: str) -> list[str]:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE 1 = 0")
        return [d[0] for d in cursor.description]

    def rows(self, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())

    def insert(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        marks = ", ".join([self.mark] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        if self.kind == "sqlite":
            self.conn.executemany(sql, rows)
        else:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql, rows)

    def count(self, table: str, key: str, ids: set[str]) -> int:
        return sum(1 for (sid,) in self.conn.execute(f"SELECT {key} FROM {table}").fetchall() if sid in ids)

    def in_transaction(self, work: Callable[[], None]) -> None:
        if self.kind == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                work()
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                work()
                # Servers already running on this database read what was copied.
                self.conn.execute("SELECT pg_notify('trustdialog', '')")

    def close(self) -> None:
        self.conn.close()


def _copy_rows(source_url: str, target_url: str, ids: set[str]) -> dict[str, int]:
    """Copy the rows of sessions `ids`, every table in one transaction; rows per table."""
    copied: dict[str, int] = {}
    try:
        source, target = _Side(source_url, write=False), _Side(target_url, write=True)
    except Exception as error:  # sqlite3.Error or psycopg.Error: the stores opened a moment ago
        raise CopyError(f"cannot copy: {str(error).splitlines()[0][:160]}") from None
    try:
        def work() -> None:
            for table, key in TABLES:
                columns = target.columns(table)
                missing = set(columns) - set(source.columns(table))
                if missing:
                    raise CopyError(f"{source.name} has no {table}.{sorted(missing)[0]}; "
                                    "open it once with this trustdialog to bring it up to date")
                at = columns.index(key)
                rows = [row for row in source.rows(table, columns) if row[at] in ids]
                target.insert(table, columns, rows)
                copied[table] = len(rows)
                # Counted inside the transaction: a short copy is never committed.
                found = target.count(table, key, ids)
                if found != len(rows):
                    raise CopyError(f"{target.name} holds {found} {table} rows of the copied sessions "
                                    f"after copying {len(rows)}; nothing was copied")
        target.in_transaction(work)
    except CopyError:
        raise
    except Exception as error:  # the driver's error, in one line; the transaction was rolled back
        text = str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__
        raise CopyError(f"cannot copy into {target.name} ({text}); nothing was copied") from None
    finally:
        source.close()
        target.close()
    return copied
