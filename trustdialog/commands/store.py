"""`store migrate` and `store copy`: bring a store's layout up to date, move a practice to another store."""

from __future__ import annotations

import argparse
from pathlib import Path

from trustdialog.commands import CommandError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("store", parents=[common], help="the store sessions are kept in",
                       description="Bring the store up to date, or copy a practice's sessions "
                       "from one store to another (SQLite to PostgreSQL and back).")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "migrate", parents=[common], help="bring the store's layout up to date",
        description="Bring the store (--store, $TRUSTDIALOG_STORE, or the SQLite file in the data "
        "folder) up to this version's layout. Every store is brought up to date when it is "
        "opened; run this as the database's owner when the role the app uses may not change "
        "the schema.")
    a.set_defaults(func=run_migrate)
    a = actions.add_parser(
        "copy", parents=[common], help="copy every session to another store, checked",
        description="Copy every session (its events, drafts, promise marks and notes) from FROM to TO, "
        "then compare each session in both. FROM is only read. Each is sqlite:///PATH, a path "
        "to an SQLite file or folder, or postgresql://USER@HOST/DATABASE. With --access, the "
        "access list and invites come along too.")
    a.add_argument("source", metavar="FROM")
    a.add_argument("target", metavar="TO")
    a.add_argument("--merge", action="store_true",
                   help="TO may already hold sessions: copy only those it does not hold")
    a.add_argument("--access", metavar="FILE", default=None,
                   help="the access file on disk to copy into a PostgreSQL TO, or to write from a "
                   "PostgreSQL FROM (default: DATA_DIR/access.toml; its invites beside it)")
    a.set_defaults(func=run_copy)


def as_url(text: str) -> str:
    """A store URL from what was typed: a URL as it is, a bare path as an SQLite file or folder."""
    if "://" in text or text.startswith("sqlite:"):
        return text
    return "sqlite://" + str(Path(text).expanduser().resolve())


def run_migrate(args: argparse.Namespace) -> int:
    from trustdialog.store import StoreError, db_path, sqlite_path, store_url
    from trustdialog.store.copy import where

    url = store_url(getattr(args, "store", None)) or "sqlite://" + str(db_path(args.data_dir))
    try:
        name = where(url)
        if url.split(":", 1)[0].lower() in ("postgresql", "postgres"):
            from trustdialog.store import pg_schema
            from trustdialog.store.postgres import PostgresStore

            store = PostgresStore(url)
            upgraded, current = store.upgraded, pg_schema.CURRENT
            store.close()
        else:
            path = sqlite_path(url)
            if not path.exists():
                print(f"no data file at {path} yet; it is made up to date when sessions are first saved")
                return 0
            upgraded, current = _migrate_sqlite(path)
    except StoreError as error:
        raise CommandError(str(error), 1) from None
    if upgraded is None:
        print(f"{name} is up to date (schema {current}); nothing to do")
    else:
        print(f"{name} was at schema {upgraded[0]}; brought up to date (schema {upgraded[1]})")
    return 0


def _migrate_sqlite(path: Path) -> tuple[tuple[int, int] | None, int]:
    """Open the file as the app does (which brings it up to date); what that changed."""
    import sqlite3

    from trustdialog.store import StoreError, schema
    from trustdialog.store.sqlite import SQLiteStore

    try:
        import urllib.parse
        from contextlib import closing

        with closing(sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=ro", uri=True)) as conn:
            before = schema.version(conn)
    except sqlite3.Error as error:
        raise StoreError(f"cannot read {path} ({error})") from None
    SQLiteStore(path, probe=False).close()
    if before is None or before == schema.CURRENT:
        return None, schema.CURRENT
    return (before, schema.CURRENT), schema.CURRENT


def run_copy(args: argparse.Namespace) -> int:
    from trustdialog.store import StoreError
    from trustdialog.store.copy import copy_store

    source, target = as_url(args.source), as_url(args.target)
    try:
        done = copy_store(source, target, merge=args.merge)
        brought = _copy_access(args, source, target)
    except StoreError as error:
        raise CommandError(str(error), 1) from None
    rows = done.rows
    also = f"; {done.already} already there, left as they were" if done.already else ""
    print(f"copied {done.sessions} session{'s' if done.sessions != 1 else ''} "
          f"({rows.get('events', 0)} events, {rows.get('drafts', 0)} drafts, {rows.get('marks', 0)} marks) "
          f"from {done.source} to {done.target}{also}; every copied session's events compared and equal")
    for line in brought:
        print(line)
    return 0


def _copy_access(args: argparse.Namespace, source: str, target: str) -> list[str]:
    """Bring the access list and invites along when one side keeps them in the database.

    From SQLite to PostgreSQL, the files on disk go into the database (the hosts
    serving it read them there); back, the database's go to the files. What is
    already there is never overwritten: it is said, and left.
    """
    from trustdialog.commands.serve import access_path
    from trustdialog.ssh.invites import invites_path
    from trustdialog.store import StoreError
    from trustdialog.store.shared_files import in_store

    into_db, from_db = in_store(target), in_store(source)
    if (into_db is None) == (from_db is None):
        return []  # both on disk (the files stay where they are) or both in databases
    access = access_path(args)
    said = []
    for path in (access, invites_path(access)):
        try:
            if into_db is not None:
                if not path.exists():
                    continue
                if into_db.read(path.name) is not None:
                    said.append(f"{into_db.shown(path.name)} is already there: left as it is, "
                                f"{path} not copied")
                    continue
                into_db.write(path.name, path.read_text(encoding="utf-8"))
                said.append(f"copied {path} to {into_db.shown(path.name)}")
            elif from_db is not None:
                text = from_db.read(path.name)
                if text is None:
                    continue
                if path.exists():
                    said.append(f"{path} is already there: left as it is, "
                                f"{from_db.shown(path.name)} not copied")
                    continue
                from trustdialog.ssh.access import write_private

                write_private(path, text)
                said.append(f"copied {from_db.shown(path.name)} to {path}")
        except OSError as error:
            raise StoreError(f"sessions copied, but not {path}: {error.strerror or error}") from None
    return said
