"""Opening the app: `trustdialog` with no command."""

from __future__ import annotations

import argparse

from trustdialog.commands import CommandError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """The app is the default command; it adds no sub-command of its own."""


def run_app(args: argparse.Namespace) -> int:
    raise CommandError("the app is not built yet")
