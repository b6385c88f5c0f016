"""Command-line entry: parses arguments and hands each command to its module.

Heavy imports (Textual, asyncssh, sqlite) happen inside the command that needs
them, so `list`, `check` and `schema` start fast and never load the UI.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys

from trustdialog import __version__
from trustdialog.commands import CommandError, app, invite, library, serve, sessions, store

ENV_STORE = "TRUSTDIALOG_STORE"  # as trustdialog.store.ENV_STORE, which this must not import

# Each module adds its sub-commands; `app` also handles no sub-command at all.
COMMAND_MODULES = (library, sessions, serve, invite, store, app)


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after the command name."""
    default = argparse.SUPPRESS if suppress else None
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir", metavar="DIR", default=default,
        help="where sessions are kept (default: $TRUSTDIALOG_DATA_DIR or the platform data folder)",
    )
    parent.add_argument(
        "--store", metavar="URL", default=default,
        help="where sessions are kept: sqlite:///PATH or postgresql://USER@HOST/DB "
        "(default: $TRUSTDIALOG_STORE, else the SQLite file in the data folder)",
    )
    parent.add_argument(
        "--exercises", metavar="DIR", action="append", default=default,
        help="an extra folder of exercise files (may be repeated)",
    )
    parent.add_argument(
        "--no-save", action="store_true", default=argparse.SUPPRESS if suppress else False,
        help="keep everything in memory; write nothing to disk",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustdialog",
        description="Guided conversations that help two partners build trust. "
        "With no command, opens the app.",
        parents=[common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"trustdialog {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub, common_options(suppress=True))
    parser.set_defaults(func=app.run_app)
    return parser


def plain_start() -> argparse.Namespace:
    """What `trustdialog` with no arguments parses to, without building the parser.

    People open the app far more often than anything else; the full parser (every
    command's options) costs a few milliseconds before the first frame.
    """
    return argparse.Namespace(data_dir=None, store=None, exercises=[], no_save=False,
                              command=None, func=app.run_app)


def main(argv: list[str] | None = None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        args = plain_start()
    else:
        args = build_parser().parse_args(argv)
    if args.exercises is None:
        args.exercises = []
    if getattr(args, "store", None):
        # Through the environment, so the app (which opens the store after its
        # first frame) and every process started from here use the same store.
        os.environ[ENV_STORE] = args.store
    try:
        code = int(args.func(args) or 0)
        if args.command is not None and sys.stdout is not None:
            sys.stdout.flush()  # a full disk or closed pipe is met here, not at exit
        return code
    except CommandError as error:
        print(f"trustdialog: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): nothing to tell it.
        _drop_stdout()
        return 1
    except OSError as error:
        if args.command is None or error.errno not in (errno.ENOSPC, errno.EIO, errno.EFBIG):
            raise
        _drop_stdout()
        print(f"trustdialog: cannot write to standard output ({error.strerror})", file=sys.stderr)
        return 1
    finally:
        if args.command is not None and sys.stdout is not None:
            try:
                sys.stdout.flush()
            except (OSError, ValueError):
                # Already reported; the interpreter's last flush must not fail again.
                _drop_stdout()


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
