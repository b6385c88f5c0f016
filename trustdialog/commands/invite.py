"""`invite`: one-time codes that let a new person (or a new laptop) in, and their list."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from trustdialog.commands import CommandError

if TYPE_CHECKING:
    from trustdialog.identity import Partner, Role
    from trustdialog.ssh.invites import Invite

DEFAULT_PORT = 2222  # serve's default


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "invite", parents=[common], help="a one-time code that lets a new key in",
        description="Print a one-time invite for someone to connect to `trustdialog serve`: a short "
        "code, how long it lasts, the ssh line to type and the server's fingerprint, as plain "
        "text to paste into an email. The first time they connect, the server asks for the "
        "code and remembers the key their ssh offered.",
    )
    who = p.add_argument_group("who the invite is for (one of)")
    who.add_argument("--couple", metavar="COUPLE", help="one partner of a couple (made if new); with --partner")
    who.add_argument("--partner", choices=("a", "b"), type=str.lower,
                     help="which partner of the couple: a (left pane) or b (right pane)")
    who.add_argument("--name", metavar="NAME",
                     help="with --couple: how the app will know them (default: the person already "
                     "there, or COUPLE-a / COUPLE-b)")
    who.add_argument("--facilitator", metavar="NAME", help="a colleague, as a facilitator")
    who.add_argument("--person", metavar="NAME", help="someone already in the access file, for a new key")
    p.add_argument("--valid", default="72h", metavar="TIME",
                   help="how long the code works, such as 24h, 3d or 90m (default 72h)")
    p.add_argument("--host", default=None,
                   help="the server's name or address as people type it (default: this computer's name)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"the port the server listens on (default {DEFAULT_PORT})")
    p.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS,
                   help="access file (default: DATA_DIR/access.toml); invites are kept beside it")
    p.add_argument("--host-key", metavar="FILE",
                   help="the server's host key (default: DATA_DIR/ssh_host_ed25519_key)")
    p.set_defaults(func=run_invite)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser("list", parents=[common], help="invites waiting, used and expired")
    a.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    a.set_defaults(func=run_invite_list)
    a = actions.add_parser("revoke", parents=[common], help="stop an invite's code working")
    a.add_argument("id", metavar="ID", help="the invite's id, from `trustdialog invite list`")
    a.add_argument("--access", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    a.set_defaults(func=run_invite_revoke)


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    from trustdialog.commands.serve import access_path
    from trustdialog.ssh.invites import invites_path

    access = access_path(args)
    return access, invites_path(access)


def _target(args: argparse.Namespace) -> tuple[str, Role, str | None, Partner | None]:
    """Who the invite is for, checked against the access file as it is now."""
    from trustdialog.ssh.access import AccessError, AccessList

    access_file, _ = _paths(args)
    chosen = [flag for flag, value in (("--couple", args.couple), ("--facilitator", args.facilitator),
                                       ("--person", args.person)) if value]
    if len(chosen) != 1:
        raise CommandError("say who the invite is for: --couple COUPLE --partner a|b, "
                           "--facilitator NAME, or --person NAME")
    if args.partner and not args.couple:
        raise CommandError("--partner goes with --couple")
    if args.name and not args.couple:
        raise CommandError("--name goes with --couple (with --facilitator or --person, the name is given)")
    try:
        access = AccessList.load(access_file)
    except AccessError as error:
        raise CommandError(str(error), 1) from None
    try:
        if args.couple:
            if not args.partner:
                raise CommandError("--couple needs --partner a or b: which partner the invite is for")
            there = next((p for p in access.members(args.couple) if p.partner == args.partner), None)
            name = args.name or (there.name if there else f"{args.couple}-{args.partner}")
            known = access.find(name)
            if known is not None and known.role == "facilitator":
                raise CommandError(f"{name} is a facilitator, and a facilitator is not part of a couple")
            if known is not None and (known.couple, known.partner) != (args.couple, args.partner):
                # An invite lets a key in; it does not move anyone (`access add` does, openly).
                where = known.place if known.couple else "a client on their own"
                raise CommandError(f"{name} is {where}; for a new key of theirs, use --person {name}")
            role, couple, partner = access.check_add(name, "client", args.couple, args.partner)
            return name, role, couple, partner
        if args.facilitator:
            known = access.find(args.facilitator)
            if known is not None and known.role != "facilitator":
                what = known.place if known.couple else f"a {known.role}"
                raise CommandError(f"{known.name} is {what}, not a facilitator; for a new key of "
                                   f"theirs, use --person {known.name}")
            role, couple, partner = access.check_add(args.facilitator, "facilitator")
            return args.facilitator, role, couple, partner
        known = access.find(args.person)
        if known is None:
            listed = ", ".join(p.name for p in access.people) or "nobody yet"
            raise CommandError(f"no one named '{args.person}' in the access file (listed: {listed}); "
                               "for someone new, use --couple or --facilitator")
        return known.name, known.role, known.couple, known.partner
    except AccessError as error:
        raise CommandError(str(error)) from None


def _fingerprint(args: argparse.Namespace) -> str:
    """The host key's fingerprint, from the file serve uses (made now if serve has not run yet,
    so the fingerprint in the invite is the one the server will show)."""
    from trustdialog.commands.serve import data_dir
    from trustdialog.locations import ensure_private_dir
    from trustdialog.ssh import hostkey

    if args.host_key:
        path = Path(args.host_key).expanduser()
    else:
        path = ensure_private_dir(data_dir(args)) / hostkey.HOST_KEY_NAME
    try:
        return hostkey.fingerprint(hostkey.load_or_create(path))
    except hostkey.HostKeyError as error:
        raise CommandError(str(error), 1) from None


def ssh_line(host: str, port: int) -> str:
    return f"ssh {host}" if port == 22 else f"ssh -p {port} {host}"


def invite_text(invite: Invite, code: str, host: str, port: int, fingerprint: str, hours: float) -> str:
    """The invite as plain text, to paste into an email as it is."""
    from trustdialog.ssh.invites import when

    if hours < 1:
        lasts = f"{round(hours * 60)} minutes"
    elif hours <= 72 or hours % 24:
        lasts = f"{hours:g} hours"
    else:
        lasts = f"{hours / 24:g} days"
    who = invite.name if invite.role == "client" and invite.couple is None else f"{invite.name}, {invite.place}"
    return "\n".join([
        f"Invite to trustdialog for {who}",
        "",
        f"  Invite code:  {code}",
        f"  Valid until:  {when(invite.expires)} ({lasts}); it works once.",
        "",
        "To connect, open a terminal (Terminal on macOS; PowerShell on Windows 10 or later;",
        "any terminal on Linux) and type this line:",
        "",
        f"  {ssh_line(host, port)}",
        "",
        "The first time, ssh shows the server's fingerprint and asks whether to go on.",
        "Type yes only if the fingerprint it shows is exactly this one:",
        "",
        f"  {fingerprint}",
        "",
        "Then type the invite code when you are asked for it (capitals or not, dashes or",
        "not). From then on the same line lets you in without a code, from this computer.",
        "If ssh says you have no key, first type: ssh-keygen -t ed25519",
    ])


def run_invite(args: argparse.Namespace) -> int:
    from trustdialog.ssh.invites import InviteError, create, parse_valid

    if not 1 <= args.port <= 65535:
        raise CommandError(f"--port must be 1-65535 (got {args.port})")
    try:
        valid = parse_valid(args.valid)
    except InviteError as error:
        raise CommandError(str(error)) from None
    name, role, couple, partner = _target(args)
    fingerprint = _fingerprint(args)
    _, path = _paths(args)
    try:
        invite, code = create(path, name, role, couple, partner, valid)
    except InviteError as error:
        raise CommandError(str(error), 1) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", 1) from None
    host = args.host or socket.getfqdn()
    print(invite_text(invite, code, host, args.port, fingerprint, valid.total_seconds() / 3600))
    return 0


def invite_lines(invites: list[Invite]) -> list[str]:
    from trustdialog.ssh.invites import now_utc, when

    now = now_utc()
    rows = []
    for invite in invites:
        state = invite.state(now)
        if state == "used" and invite.used is not None:
            status = f"used {when(invite.used)}, key {invite.used_key}, from {invite.used_from}"
        elif state == "expired":
            status = f"expired {when(invite.expires)}"
        else:
            status = f"waiting, until {when(invite.expires)}"
        rows.append((invite.id, invite.name, invite.place, status))
    widths = [max(len(row[n]) for row in rows) for n in range(3)]
    return [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}" for a, b, c, d in rows]


def run_invite_list(args: argparse.Namespace) -> int:
    from trustdialog.ssh.access import shown
    from trustdialog.ssh.invites import InviteError, load

    _, path = _paths(args)
    try:
        invites = load(path)
    except InviteError as error:
        raise CommandError(str(error), 1) from None
    if not invites:
        print(f"no invites in {shown(path)}; make one with `trustdialog invite --couple NAME --partner a`")
        return 0
    for line in invite_lines(invites):
        print(line)
    return 0


def run_invite_revoke(args: argparse.Namespace) -> int:
    from trustdialog.ssh.invites import InviteError, revoke

    _, path = _paths(args)
    try:
        invite = revoke(path, args.id)
    except InviteError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", 1) from None
    print(f"revoked invite {invite.id} for {invite.name} ({invite.place}); its code no longer works")
    return 0
