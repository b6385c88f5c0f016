"""`list`, `check`, `schema` and `new`: the exercise library on the command line."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from trustdialog.commands import CommandError

if TYPE_CHECKING:  # the library loads only in the command that needs it
    from trustdialog.exercise import Diagnostic
    from trustdialog.exercise.model import Exercise


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("list", parents=[common], help="exercises: id, title, minutes",
                       description="The exercises in the picker's order; --by-tag groups them by their first tag.")
    p.add_argument("--by-tag", action="store_true", help="group by each exercise's first tag, as the picker can")
    p.set_defaults(func=run_list)
    p = sub.add_parser(
        "check", parents=[common], help="validate exercise files; exit 1 on any error",
        description="Check exercise and vocabulary files (default: the shipped library and --exercises "
        "folders). Prints every problem as path:line:col: error|warning CODE: message; exits 1 on any error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="exercise files or library folders")
    p.add_argument("--walk", action="store_true", help="also walk every path of each flow to its end")
    p.set_defaults(func=run_check)
    p = sub.add_parser("schema", parents=[common], help="JSON Schema of the exercise format")
    p.set_defaults(func=run_schema)
    p = sub.add_parser(
        "new", parents=[common], help="write a starter exercise file to edit",
        description="Write DIR/ID.toml, a short exercise that passes `trustdialog check`, with a #:schema "
        "line for DIR/schema.json, which is saved (or brought up to date) beside it for your editor.",
    )
    p.add_argument("id", metavar="ID", help="the exercise id, lowercase-kebab (thank-you)")
    p.add_argument("--dir", default=".", metavar="DIR", help="the folder to write into (default: here)")
    p.set_defaults(func=run_new)


def _shown(path: str) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


def run_list(args: argparse.Namespace) -> int:
    from trustdialog.exercise import load_library

    lib = load_library(args.exercises)
    skipped: dict[str, list[Diagnostic]] = {}
    for d in lib.diagnostics:
        if d.is_error:
            skipped.setdefault(d.path, []).append(d)
    for path, problems in skipped.items():
        more = f" (and {len(problems) - 1} more; see trustdialog check)" if len(problems) > 1 else ""
        first = problems[0]
        print(f"trustdialog: warning: skipped {_shown(path)}: line {first.line}: {first.code} {first.message}{more}",
              file=sys.stderr)
    if not lib.exercises:
        raise CommandError("no exercises found", 1)
    width = max(len(i) for i in lib.exercises)
    exercises = list(lib.exercises.values())  # the library's curated order
    groups = _by_first_tag(exercises) if args.by_tag else [("", exercises)]
    out: list[str] = []
    for tag, members in groups:
        if args.by_tag:
            out += ([""] if out else []) + [f"{_one_line(tag) or '(no tag)'}:"]
        for ex in members:
            out.append(f"{'  ' if args.by_tag else ''}{ex.id:<{width}}  {ex.minutes:>3} min  {_one_line(ex.title)}")
    print("\n".join(out))
    return 0


def _by_first_tag(exercises: list[Exercise]) -> list[tuple[str, list[Exercise]]]:
    """Groups in the order of their first exercise, as the picker shows them; untagged ones last."""
    groups: dict[str, list[Exercise]] = {}
    for ex in exercises:
        groups.setdefault(ex.tags[0] if ex.tags else "", []).append(ex)
    untagged = groups.pop("", [])
    return list(groups.items()) + ([("", untagged)] if untagged else [])


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def run_check(args: argparse.Namespace) -> int:
    from trustdialog.exercise import check_paths, load_library

    if args.paths:
        lib = check_paths(args.paths, args.exercises)
    else:
        lib = load_library(args.exercises)
    lines = [_format(d) for d in lib.diagnostics]
    walked = ""
    if args.walk:
        from trustdialog.exercise.walk import walk_library

        report = walk_library(lib)
        lines += [_format(d) for d in report.diagnostics]
        lib.diagnostics += report.diagnostics
        n = report.exercises
        walked = f"; walked {report.paths:,} paths through {n} exercise{'s' if n != 1 else ''}" + (
            f" (counting capped at {report.cap:,} paths for {', '.join(report.capped)})" if report.capped else "")
    if lines:
        print("\n".join(lines))
    errors = sum(d.is_error for d in lib.diagnostics)
    warnings = len(lib.diagnostics) - errors
    files = f"{lib.files} file{'s' if lib.files != 1 else ''}"
    print(f"checked {files}: {errors} error{'s' if errors != 1 else ''}, "
          f"{warnings} warning{'s' if warnings != 1 else ''}{walked}")
    return 1 if errors else 0


def _format(d: Diagnostic) -> str:
    return f"{_shown(d.path)}:{d.line}:{d.col}: {d.severity} {d.code}: {d.message}"


def run_schema(args: argparse.Namespace) -> int:
    from trustdialog.exercise.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def run_new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustdialog.exercise.schema import schema_text
    from trustdialog.exercise.starter import SCHEMA_NAME, starter_text, valid_id

    if not valid_id(args.id):
        raise CommandError(f"{args.id!r} cannot be an exercise id: use lowercase letters, digits and single "
                           "hyphens, like thank-you")
    folder = Path(args.dir)
    path = folder / f"{args.id}.toml"
    if path.exists():
        raise CommandError(f"{_shown(str(path))} already exists; it is left as it is")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as out:  # "x": never over a file made meanwhile
            out.write(starter_text(args.id, args.dir))
        schema = folder / SCHEMA_NAME
        kept = schema.is_file() and schema.read_text(encoding="utf-8") == schema_text()
        if not kept:
            schema.write_text(schema_text(), encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {_shown(str(path))}: {error.strerror or error}", 1) from None
    print(f"wrote {_shown(str(path))}" + ("" if kept else f" and {_shown(str(schema))} (for your editor)"))
    print(f"next: edit it, then: trustdialog check --walk {_shown(str(path))}")
    return 0
