"""`serve` and `access`: the SSH server for facilitators, and who may connect to it."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from trustdialog.commands import CommandError

if TYPE_CHECKING:  # asyncssh loads only when the server starts
    from trustdialog.ssh.access import AccessList, Person, PublicKey
    from trustdialog.ssh.server import ServerConfig


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve", parents=[common], help="SSH server: one app per connection",
        description="Run an SSH server that gives each connection its own trustdialog app "
        "(never a shell). Only people in the access file can log in, with their keys.",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=2222, help="port to listen on (default 2222)")
    p.add_argument("--access", metavar="FILE", help="access file (default: DATA_DIR/access.toml)")
    p.add_argument("--host-key", metavar="FILE",
                   help="host key, made on first run (default: DATA_DIR/ssh_host_ed25519_key)")
    p.add_argument("--idle-timeout", type=float, default=60, metavar="MINUTES",
                   help="close a connection after this many minutes without a key press "
                   "(default 60; 0 = never); a notice shows 2 minutes before")
    p.add_argument("--max-sessions", type=int, default=20, metavar="N",
                   help="most apps running at once (default 20)")
    p.add_argument("--no-template", action="store_true",
                   help="start each app with a fresh interpreter instead of forking it from a "
                   "pre-imported template (slower, more memory; also TRUSTDIALOG_NO_TEMPLATE=1)")
    p.set_defaults(func=run_serve)

    p = sub.add_parser(
        "access", parents=[common], help="who may connect to the SSH server",
        description="Manage the access file of `trustdialog serve`: people, their role and keys, "
        "and couples (two people, partner a and partner b, each with their own keys). "
        "To let someone in without their key file, see `trustdialog invite`.",
    )
    p.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS,
                   help="access file (default: DATA_DIR/access.toml)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "add", parents=[common], help="let someone connect (or add a key)",
        description="Add someone, or more keys for someone already there. For one of a couple, "
        "give the couple and which partner they are, e.g. "
        "`access add sam --couple sam-and-kim --partner a --key sam.pub`.")
    a.add_argument("name", metavar="NAME", help="how the app will know them: letters, digits, ._@+-")
    a.add_argument("--role", choices=("facilitator", "client"), default=None,
                   help="facilitator: sees and can resume every session; client (default for someone "
                   "new): their own")
    a.add_argument("--couple", metavar="COUPLE", default=None,
                   help="the couple they belong to (made if new); give --partner too")
    a.add_argument("--partner", choices=("a", "b"), type=str.lower, default=None,
                   help="which partner of the couple they are: a (left pane) or b (right pane)")
    a.add_argument("--key", metavar="FILE.pub", action="append", required=True, type=Path,
                   help="their public key file (may be repeated)")
    a.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    a.set_defaults(func=run_access_add)
    a = actions.add_parser("list", parents=[common], help="who may connect")
    a.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    a.set_defaults(func=run_access_list)
    a = actions.add_parser("remove", parents=[common], help="stop someone connecting")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    a.set_defaults(func=run_access_remove)


def data_dir(args: argparse.Namespace) -> Path:
    from trustdialog.locations import data_dir as default_data_dir

    return default_data_dir(args.data_dir)


def access_path(args: argparse.Namespace) -> Path:
    from trustdialog.ssh.access import ACCESS_FILE_NAME

    # The `access` sub-commands leave it unset (SUPPRESS) when not given; `serve` has None.
    given = getattr(args, "access", None)
    return Path(given).expanduser() if given else data_dir(args) / ACCESS_FILE_NAME


@contextmanager
def file_lock(access_file: Path) -> Iterator[None]:
    """The lock the server holds while it enrols a key: a change made here and an
    enrolment never undo each other."""
    from trustdialog.ssh.access import AccessError
    from trustdialog.ssh.invites import InviteError, invites_path, locked

    try:
        with locked(invites_path(access_file)):
            yield
    except InviteError as error:  # the database keeping the list cannot be reached
        raise AccessError(str(error)) from None


def server_config(args: argparse.Namespace) -> ServerConfig:
    """The server's settings from the command line (paths resolved, data dir made 0700)."""
    from trustdialog.locations import ensure_private_dir
    from trustdialog.ssh.access import AccessError, AccessList
    from trustdialog.ssh.hostkey import HOST_KEY_NAME
    from trustdialog.ssh.server import ServerConfig

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be 0-65535 (got {args.port})")
    if args.idle_timeout < 0 or args.max_sessions < 1:
        raise CommandError("--idle-timeout must be 0 or more and --max-sessions 1 or more")
    data = ensure_private_dir(data_dir(args)).resolve()
    # Every app the server starts reads the same library and saves (or not) the same way.
    app_args = [arg for folder in args.exercises for arg in ("--exercises", str(Path(folder).resolve()))]
    if args.no_save:
        app_args.append("--no-save")
    elif url := _store_url(args):
        # The server does not pass its environment on to the apps it starts.
        app_args += ["--store", url]
    idle = args.idle_timeout * 60
    access_file = access_path(args).resolve()
    try:
        AccessList.load(access_file)  # a broken file stops the start; later edits only log
    except AccessError as error:
        raise CommandError(str(error), 1) from None
    return ServerConfig(
        data_dir=data, access_file=access_file,
        host_key_file=Path(args.host_key).expanduser().resolve() if args.host_key else data / HOST_KEY_NAME,
        host=args.host, port=args.port, app_args=app_args, idle_timeout=idle,
        idle_warning=min(120.0, idle / 2), max_sessions=args.max_sessions,
        template=not (args.no_template or os.environ.get("TRUSTDIALOG_NO_TEMPLATE", "") not in ("", "0")),
    )


def _store_url(args: argparse.Namespace) -> str | None:
    """The store every app of this server uses (--store or $TRUSTDIALOG_STORE), checked now.

    A database server that is down or refuses us stops the start with one
    line, rather than every connection failing later.
    """
    from trustdialog.store import StoreError, open_store, store_url

    url = store_url(getattr(args, "store", None))
    if url:
        try:
            open_store(None, create=True, url=url).close()
        except StoreError as error:
            raise CommandError(str(error), 1) from None
    return url


def run_serve(args: argparse.Namespace) -> int:
    from trustdialog.ssh.hostkey import HostKeyError
    from trustdialog.ssh.server import run

    config = server_config(args)
    try:
        run(config)
    except HostKeyError as error:
        raise CommandError(str(error), 1) from None
    except OSError as error:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}", 1) from None
    return 0


def run_access_add(args: argparse.Namespace) -> int:
    from trustdialog.ssh.access import AccessError, read_key_file, shown

    path = access_path(args)
    try:
        keys = [key for file in args.key for key in read_key_file(file.expanduser())]
        with file_lock(path):
            person, added, existed = _add(path, args, keys)
    except AccessError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", 1) from None
    what = "updated" if existed else "added"
    print(f"{what} {person.name} ({person.place}): {added} new key{'s' if added != 1 else ''}, "
          f"{len(person.keys)} in all; {shown(path)}")
    return 0


def _add(path: Path, args: argparse.Namespace, keys: list[PublicKey]) -> tuple[Person, int, bool]:
    """Add or update `args.name` in the access file; returns (person, keys added, was there)."""
    from trustdialog.ssh.access import AccessError, AccessList

    access = AccessList.load(path)
    known = access.find(args.name)
    role = args.role or (known.role if known else "client")
    if args.couple is not None and args.role == "facilitator":
        raise AccessError("a facilitator is not part of a couple; leave out --couple and --partner")
    if args.couple is not None and args.role is None and known and known.role == "facilitator":
        raise AccessError(f"{known.name} is a facilitator, and a facilitator is not part of a couple; "
                          "add --role client to make them a client")
    if args.couple is not None:
        role = "client"
    person, added = access.add(args.name, role, keys, args.couple, args.partner)
    access.save(path)
    return person, added, known is not None


def run_access_list(args: argparse.Namespace) -> int:
    from trustdialog.ssh.access import AccessError, AccessList, shown

    path = access_path(args)
    try:
        access = AccessList.load(path)
    except AccessError as error:
        raise CommandError(str(error), 1) from None
    if not access.people:
        print(f"nobody yet in {shown(path)}; add someone with `trustdialog access add NAME --key FILE.pub`")
        return 0
    for line in access_lines(access):
        print(line)
    return 0


def access_lines(access: AccessList) -> list[str]:
    """Facilitators and clients on their own, then each couple with its two people: one
    line per key, the name and place on the first."""
    rows: list[tuple[str, str, str]] = []

    def person_rows(label: str, place: str, keys: list[PublicKey]) -> None:
        for number, key in enumerate(keys or [None]):
            comment = "".join(ch for ch in key.comment if ch.isprintable()) if key else ""
            tail = f"{key.fingerprint}  {comment}".rstrip() if key else "(no keys)"
            rows.append((label, place, tail) if number == 0 else ("", "", tail))

    for person in access.people:
        if person.couple is None:
            person_rows(person.name, person.role, person.keys)
    for couple in access.couples():
        members = access.members(couple)
        missing = [f"partner {x.upper()}" for x in ("a", "b") if all(p.partner != x for p in members)]
        rows.append((couple, "couple", f"({' and '.join(missing)} not added yet)" if missing else ""))
        for person in members:
            person_rows(f"  {person.name}", f"partner {person.partner_letter}", person.keys)
    width = max(len(row[0]) for row in rows)
    place_width = max(len(row[1]) for row in rows)
    return [f"{label:<{width}}  {place:<{place_width}}  {tail}".rstrip() for label, place, tail in rows]


def run_access_remove(args: argparse.Namespace) -> int:
    from trustdialog.ssh.access import AccessError, AccessList

    path = access_path(args)
    try:
        with file_lock(path):
            access = AccessList.load(path)
            person = access.remove(args.name)
            access.save(path)
    except AccessError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", 1) from None
    print(f"removed {person.name}; connections already open stay open until they end")
    return 0
