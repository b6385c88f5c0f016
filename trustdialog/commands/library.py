"""`list`, `check` and `schema`: the exercise library on the command line."""

from __future__ import annotations

import argparse

from trustdialog.commands import CommandError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("list", parents=[common], help="exercises: id, title, minutes")
    p.set_defaults(func=_todo)
    p = sub.add_parser("check", parents=[common], help="validate exercise files; exit 1 on any error")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--walk", action="store_true", help="also walk every path of each flow to its end")
    p.set_defaults(func=_todo)
    p = sub.add_parser("schema", parents=[common], help="JSON Schema of the exercise format")
    p.set_defaults(func=_todo)


def _todo(args: argparse.Namespace) -> int:
    raise CommandError(f"'{args.command}' is not built yet")
