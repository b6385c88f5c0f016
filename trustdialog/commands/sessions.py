"""`sessions`, `resume`, `export`, `forget`: saved sessions on the command line."""

from __future__ import annotations

import argparse

from trustdialog.commands import CommandError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sessions", parents=[common], help="saved sessions")
    p.set_defaults(func=_todo)
    p = sub.add_parser("resume", parents=[common], help="continue a saved session")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=_todo)
    p = sub.add_parser("export", parents=[common], help="a session's transcript as Markdown")
    p.add_argument("id", metavar="ID")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=_todo)
    p = sub.add_parser("forget", parents=[common], help="delete a session for good")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=_todo)


def _todo(args: argparse.Namespace) -> int:
    raise CommandError(f"'{args.command}' is not built yet")
