"""What only a database server has: writers on many connections, roles, a server that is down."""

from __future__ import annotations

import collections
import random
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from pg_server import free_port
from store_helpers import REPO, run_cli
from trustdialog.engine import Event
from trustdialog.store import MemoryStore, StoreConflict, StoreError, open_store
from trustdialog.store import pg_schema
from trustdialog.store.postgres import PostgresStore

NAMES = {"a": "Ann", "b": "Bob"}


def _schema(url: str) -> str:
    return url.rsplit("%3D", 1)[1]


@pytest.mark.parametrize("mode", ["plain", "after"])
def test_two_writers_interleaving_1000_appends_lose_and_double_nothing(pg_url, mode):
    per_writer = 500
    first = open_store(None, url=pg_url)
    sid = first.create_session("x", "T", NAMES)
    go = threading.Event()
    failures: list[BaseException] = []

    def write(partner: str) -> None:
        store = open_store(None, url=pg_url)  # a connection of its own
        rng = random.Random(partner)
        try:
            go.wait()
            for i in range(per_writer):
                if rng.random() < 0.3:
                    time.sleep(rng.uniform(0, 0.001))
                event = Event("paused", partner, data={"tag": partner, "i": i})
                while True:
                    try:
                        after = store.info(sid).events if mode == "after" else None
                        store.append(sid, event, after=after)
                        break
                    except StoreConflict:
                        continue  # the other writer got there first: look again
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(p,)) for p in "ab"]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    events = first.events(sid)
    seen = collections.Counter((e.data["tag"], e.data["i"]) for e in events)
    assert len(events) == 2 * per_writer
    assert set(seen.values()) == {1}  # none doubled...
    assert set(seen) == {(t, i) for t in "ab" for i in range(per_writer)}  # ...none lost
    for t in "ab":
        assert [e.data["i"] for e in events if e.data["tag"] == t] == list(range(per_writer))
    with psycopg.connect(pg_url) as conn:
        seqs = [s for (s,) in conn.execute(
            "SELECT seq FROM events WHERE session_id = %s ORDER BY seq", (sid,))]
    assert seqs == list(range(1, 2 * per_writer + 1))
    assert first.info(sid).events == 2 * per_writer
    # The writers really did race (otherwise this proves nothing).
    switches = sum(1 for x, y in zip(events, events[1:]) if x.partner != y.partner)
    print(f"\n{mode}: {switches} interleavings")
    assert switches >= 50
    first.close()


def test_a_new_database_is_set_up_once_even_by_two_at_a_time(pg_url):
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(PostgresStore(pg_url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(opened) == 4
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(pg_schema.CURRENT,)]
    for store in opened:
        store.close()


def test_a_database_of_a_newer_version_is_one_clear_line(pg_url):
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError) as refused:
        open_store(None, url=pg_url)
    message = str(refused.value)
    assert "newer trustdialog (schema 99" in message and "\n" not in message


def test_a_sessions_table_of_another_program_is_refused_untouched(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE sessions (whatever TEXT)")
    with pytest.raises(StoreError, match="not trustdialog's"):
        open_store(None, url=pg_url)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('schema_version')").fetchone() == (None,)


def _role(pg_server, pg_url: str, name: str, grants: list[str]) -> str:
    """A login role with just `grants` on the test's schema; its URL (no password: trust)."""
    schema = _schema(pg_url)
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {name}")
        conn.execute(f"CREATE ROLE {name} LOGIN")
        for grant in grants:
            conn.execute(grant.format(schema=schema, role=name))
    return pg_url.replace("postgresql://postgres@", f"postgresql://{name}@")


def test_a_role_that_may_only_read(pg_server, pg_url):
    store = open_store(None, url=pg_url)
    sid = store.create_session("x", "T", NAMES)
    store.close()
    url = _role(pg_server, pg_url, "reader", [
        "GRANT USAGE ON SCHEMA {schema} TO {role}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"])
    # The commands list and export: read-only, saying why.
    listing = open_store(None, create=False, url=url)
    assert [i.id for i in listing.sessions()] == [sid]
    assert listing.read_only and "may read but not write" in listing.read_only
    listing.close()
    # The app carries on in memory, saying why, as with a read-only data folder.
    app = open_store(None, url=url)
    assert isinstance(app, MemoryStore) and "may read but not write" in (app.warning or "")


def test_a_role_that_may_not_create_the_tables_is_one_clear_line(pg_server, pg_url):
    url = _role(pg_server, pg_url, "nobody_much", ["GRANT USAGE ON SCHEMA {schema} TO {role}"])
    with pytest.raises(StoreError) as refused:
        open_store(None, url=url)
    message = str(refused.value)
    assert message.startswith("the database postgresql://nobody_much@")
    assert message.endswith("has no trustdialog tables yet and this role may not create them; run "
                            "`trustdialog store migrate` once as the database's owner, then try again")
    assert "\n" not in message


def test_a_server_that_is_down_is_one_line_without_the_password():
    url = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/practice"
    with pytest.raises(StoreError) as refused:
        open_store(None, url=url)
    message = str(refused.value)
    assert message == (f"cannot reach the database postgresql://ann:***@127.0.0.1:"
                       f"{url.split(':')[3].split('/')[0]}/practice: no server is running there")
    done = run_cli("--store", url, "sessions")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "no server is running there" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("url", "says"), [
    ("mysql://ann@db/practice", "is not a store URL; use sqlite:///PATH"),
    ("postgresql://ann:s3cret@[broken/practice", "is not a valid PostgreSQL URL"),
    ("sqlite://somehost/x.db", "an sqlite URL names a path"),
])
def test_a_wrong_url_is_one_line(url, says, tmp_path):
    done = run_cli("sessions", "--store", url)
    assert done.returncode == 1, done
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_the_commands_use_the_store_the_url_or_the_environment_names(pg_url, tmp_path):
    store = open_store(None, url=pg_url)
    sid = store.create_session("when-i-felt", "On the server", NAMES)
    store.close()
    by_option = run_cli("--store", pg_url, "sessions")
    assert by_option.returncode == 0 and sid in by_option.stdout, by_option
    import os

    env = {**os.environ, "TRUSTDIALOG_STORE": pg_url}
    by_env = run_cli("sessions", env=env)
    assert by_env.returncode == 0 and sid in by_env.stdout, by_env
    forgot = run_cli("forget", sid, "--yes", env=env)
    assert forgot.returncode == 0, forgot
    assert run_cli("sessions", "--store", pg_url).stdout.count(sid) == 0
    # An sqlite URL names a folder (the usual file inside) or a file.
    folder = tmp_path / "elsewhere"
    local = open_store(None, url=f"sqlite://{folder}")
    assert local.path == folder / "sessions.db"
    local.close()
    file_store = open_store(None, url=f"sqlite://{tmp_path / 'practice.db'}")
    assert file_store.path == tmp_path / "practice.db"
    file_store.close()


def test_version_is_cheap_when_nothing_changed(pg_url):
    store = open_store(None, url=pg_url)
    store.version()
    start = time.perf_counter()
    for _ in range(10_000):
        store.version()
    per_call = (time.perf_counter() - start) / 10_000
    # A round trip to the server costs tens of microseconds even on localhost;
    # a poll of the listening socket, a few.
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} us per call"
    with psycopg.connect(pg_url) as conn:
        # No query of ours ran on the server meanwhile: the listener sits idle.
        [(state, query)] = conn.execute(
            "SELECT state, query FROM pg_stat_activity WHERE pid = %s",
            (store._listen.info.backend_pid,)).fetchall()
        assert (state, query) == ("idle", "LISTEN trustdialog")
    store.close()


@pytest.mark.parametrize("command", [["sessions"], ["export", "abc123"], ["forget", "abc123", "--yes"],
                                     ["resume", "abc123"]])
def test_every_command_says_a_server_is_down_in_one_line(command):
    url = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/practice"
    done = run_cli(*command, env={**__import__("os").environ, "TRUSTDIALOG_STORE": url})
    assert done.returncode == 1, done
    assert done.stderr.startswith("trustdialog: cannot reach the database postgresql://ann:***@")
    assert done.stderr.count("\n") == 1 and "s3cret" not in done.stderr, done.stderr


def test_a_server_that_goes_away_fails_as_the_store_fails_never_as_a_driver_error():
    from pg_server import PostgresServer
    from trustdialog.store import StoreUnreachable

    server = PostgresServer()
    store = open_store(None, url=server.start())
    try:
        sid = store.create_session("x", "T", NAMES)
        store.append(sid, Event("ready", "a"))
    finally:
        server.stop()
    # A store error the app knows: the turn stays in its box to be sent again
    # (see Conversation.send), never a psycopg exception.
    with pytest.raises(StoreUnreachable) as failed:
        store.append(sid, Event("ready", "b"))
    assert failed.value.__class__ is StoreUnreachable and "\n" not in str(failed.value)
    with pytest.raises(StoreError):
        store.events(sid)
    # "Changed" once, so a watcher reads and hears why (the driver may take one
    # more look at the socket to see it closed); then it holds while the store
    # listens again, so the watcher does not read ten times a second for nothing.
    before = store.version()
    seen = [store.version() for _ in range(3)]
    assert seen[-1] != before and seen[-1] == store.version()
    store.close()


def test_serve_hands_its_store_to_every_app_and_will_not_start_on_a_server_that_is_down(pg_url, tmp_path):
    from trustdialog.cli import build_parser
    from trustdialog.commands.serve import server_config
    from trustdialog.ssh.server import app_command

    args = build_parser().parse_args(["--data-dir", str(tmp_path / "d"), "--store", pg_url, "serve"])
    args.exercises = args.exercises or []
    assert app_command(server_config(args))[-2:] == ["--store", pg_url]
    down = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/practice"
    done = run_cli("--data-dir", str(tmp_path / "d"), "--store", down, "serve", "--port", "0")
    assert done.returncode == 1, done
    assert done.stderr.startswith("trustdialog: cannot reach the database postgresql://ann:***@")
    assert done.stderr.count("\n") == 1 and "s3cret" not in done.stderr


def test_an_older_database_is_brought_up_to_date_on_open(pg_url, monkeypatch):
    # The path every later migration takes: a database at the current version
    # meets a trustdialog that knows one more.
    PostgresStore(pg_url).close()
    extra = "ALTER TABLE meta ADD COLUMN note TEXT"
    monkeypatch.setattr(pg_schema, "MIGRATIONS", (*pg_schema.MIGRATIONS, extra))
    monkeypatch.setattr(pg_schema, "CURRENT", pg_schema.CURRENT + 1)
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(pg_schema.CURRENT,)]
        conn.execute("SELECT note FROM meta")  # the new column is there


def test_sqlite_and_the_plain_commands_never_load_the_database_driver(tmp_path):
    code = ("import sys\n"
            "from trustdialog.store import open_store\n"
            f"open_store(None, url='sqlite://{tmp_path}').close()\n"
            "print('psycopg' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          timeout=60)
    assert done.stdout.strip() == "False", done
