"""`serve` and `access`: the SSH server for facilitators, and who may connect."""

from __future__ import annotations

import argparse

from trustdialog.commands import CommandError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="SSH server: one app per connection")
    p.set_defaults(func=_todo)
    p = sub.add_parser("access", parents=[common], help="who may connect to the SSH server")
    p.set_defaults(func=_todo)


def _todo(args: argparse.Namespace) -> int:
    raise CommandError(f"'{args.command}' is not built yet")
