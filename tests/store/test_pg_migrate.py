"""PostgreSQL migrations on a real server: brought up to date on open, or by `store migrate` as the owner."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from store_helpers import run_cli
from trustdialog.engine import Event
from trustdialog.store import StoreError, open_store, pg_schema, schema
from trustdialog.store.postgres import PostgresStore

NAMES = {"a": "Ann", "b": "Bob"}


def _schema(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


def _at_version_1(url: str) -> None:
    """The layout of the first PostgreSQL release, with one session in it, laid down by hand."""
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in pg_schema.statements(pg_schema.MIGRATIONS[0]):
            conn.execute(statement)
        conn.execute("UPDATE schema_version SET version = 1")
        conn.execute("INSERT INTO sessions (id, exercise_id, title, name_a, name_b, created_at, updated_at, "
                     "events) VALUES ('old1', 'when-i-felt', 'Before the upgrade', 'Ann', 'Bob', 1, 2, 1)")
        conn.execute("INSERT INTO events VALUES ('old1', 1, 'ready', 1.5, "
                     "'{\"kind\":\"ready\",\"partner\":\"a\",\"at\":1.5}')")


def _app_role(pg_server, pg_url: str, name: str) -> str:
    """A role that may read and write every table of the schema, and may not change the schema
    (no CREATE on it, owns no table), as a careful administrator sets up the app's role."""
    schema_name = _schema(pg_url)
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema_name} TO {name}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_name} TO {name}")
        # Tables the owner makes later (a migration) are the app's to use too.
        conn.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_name} "
                     f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}")
    return pg_url.replace("postgresql://postgres@", f"postgresql://{name}@")


def test_a_database_of_the_first_layout_is_brought_up_to_date_on_open(pg_url):
    _at_version_1(pg_url)
    store = PostgresStore(pg_url)
    assert store.upgraded == (1, pg_schema.CURRENT)
    assert [e.kind for e in store.events("old1")] == ["ready"]
    assert store.info("old1").title == "Before the upgrade"
    store.close()
    again = PostgresStore(pg_url)
    assert again.upgraded is None  # already up to date: nothing done the second time
    again.close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(pg_schema.CURRENT,)]
        assert conn.execute("SELECT to_regclass('shared_files')").fetchone() != (None,)


def test_a_role_that_may_not_change_the_schema_is_told_to_run_store_migrate(pg_server, pg_url):
    _at_version_1(pg_url)
    app_url = _app_role(pg_server, pg_url, "app_only")
    with pytest.raises(StoreError) as refused:
        open_store(None, url=app_url)
    message = str(refused.value)
    assert message == (f"the database postgresql://app_only@127.0.0.1:{pg_server.port}/postgres?options="
                       f"-csearch_path%3D{_schema(pg_url)} is at schema 1 and this trustdialog needs "
                       f"{pg_schema.CURRENT}, but this role may not change the schema; run `trustdialog "
                       "store migrate` once as the database's owner, then try again")
    # Nothing was changed by the refused attempt.
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    for command in (["sessions"], ["store", "migrate"]):
        done = run_cli("--store", app_url, *command)
        assert done.returncode == 1, done
        assert done.stderr.count("\n") == 1 and "store migrate` once as the database's owner" in done.stderr
        assert "Traceback" not in done.stderr
    # The owner migrates; then the app's role opens it and finds the old session.
    done = run_cli("--store", pg_url, "store", "migrate")
    assert done.returncode == 0, done
    assert done.stdout.endswith(f"was at schema 1; brought up to date (schema {pg_schema.CURRENT})\n")
    done = run_cli("--store", pg_url, "store", "migrate")
    assert done.stdout.endswith(f"is up to date (schema {pg_schema.CURRENT}); nothing to do\n"), done
    store = open_store(None, url=app_url)
    assert [i.id for i in store.sessions()] == ["old1"]
    store.append("old1", Event("ready", "b"))
    assert len(store.events("old1")) == 2
    store.close()


def test_an_empty_database_and_a_role_that_may_not_create_tables(pg_server, pg_url):
    app_url = _app_role(pg_server, pg_url, "app_empty")
    done = run_cli("--store", app_url, "sessions")
    assert done.returncode == 1, done
    assert done.stderr.count("\n") == 1
    assert "has no trustdialog tables yet and this role may not create them; run `trustdialog store " \
           "migrate` once as the database's owner" in done.stderr


def test_store_migrate_on_a_database_of_a_newer_version_is_one_line(pg_url):
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    done = run_cli("--store", pg_url, "store", "migrate")
    assert done.returncode == 1, done
    assert done.stderr.count("\n") == 1 and "newer trustdialog (schema 99" in done.stderr


def test_store_migrate_brings_an_old_sqlite_file_up_to_date(tmp_path):
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema.V0)
    done = run_cli("--store", f"sqlite://{path}", "store", "migrate")
    assert done.returncode == 0, done
    assert done.stdout == f"{path} was at schema 0; brought up to date (schema {schema.CURRENT})\n"
    done = run_cli("--store", f"sqlite://{path}", "store", "migrate")
    assert done.stdout == f"{path} is up to date (schema {schema.CURRENT}); nothing to do\n"
