"""`sessions`, `resume`, `export`, `forget`: saved sessions on the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from trustdialog.commands import CommandError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sessions", parents=[common], help="saved sessions")
    p.add_argument("--move-aside", action="store_true",
                   help="rename a damaged or foreign data file out of the way (it is not deleted)")
    p.set_defaults(func=list_sessions)
    p = sub.add_parser("resume", parents=[common], help="continue a saved session")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=resume)
    p = sub.add_parser("export", parents=[common], help="a session's transcript as Markdown")
    p.add_argument("id", metavar="ID")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=export)
    p = sub.add_parser("forget", parents=[common], help="delete a session for good")
    p.add_argument("id", metavar="ID")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask first")
    p.set_defaults(func=forget)


def _owner() -> str | None:
    # Under the SSH server each person's process carries their name; the
    # commands then see that person's sessions only.
    return os.environ.get("TRUSTDIALOG_USER") or None


def _open(args: argparse.Namespace, create: bool = False):
    from trustdialog.store import StoreError, open_store

    try:
        return open_store(args.data_dir, args.no_save, create=create)
    except StoreError as error:
        raise CommandError(str(error), 1) from None


def _find(store, session_id: str):
    from trustdialog.store import StoreError

    try:
        info = store.info(session_id)
    except StoreError:
        info = None
    if info is None or (_owner() is not None and info.owner != _owner()):
        raise CommandError(f"no saved session {session_id!r} (see `trustdialog sessions`)", 1)
    return info


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def list_sessions(args: argparse.Namespace) -> int:
    if args.move_aside:
        from trustdialog.store import move_aside

        moved = move_aside(args.data_dir)
        print(f"Moved the data file aside to {moved}; a new one starts next time."
              if moved else "There is no data file to move aside.")
        return 0
    from trustdialog.text import clean

    store = _open(args)
    try:
        infos = store.sessions(_owner())
    finally:
        store.close()
    if not infos:
        print("No saved sessions.")
        return 0
    rows = [("ID", "DATE", "EXERCISE", "PARTNERS", "FINISHED")]
    for i in infos:
        partners = " & ".join(clean(i.names[p]).replace("\n", " ") for p in ("a", "b"))
        rows.append((i.id, _when(i.created_at), i.exercise_id, partners, "yes" if i.finished else "no"))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[4])
    return 0


def resume(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        info = _find(store, args.id)
    finally:
        store.close()
    if info.finished:
        raise CommandError(f"session {args.id} has finished; see it with `trustdialog export {args.id}`", 1)
    from trustdialog.commands.app import run_app

    return run_app(args, resume_id=args.id)


def export(args: argparse.Namespace) -> int:
    from trustdialog import engine
    from trustdialog.export import events_to_markdown, to_markdown

    store = _open(args)
    try:
        info = _find(store, args.id)
        events = store.events(args.id)
    finally:
        store.close()
    exercise = _exercise(args, info.exercise_id)
    text = None
    if exercise is not None:
        try:
            state = engine.replay(exercise, info.names, events)
            text = to_markdown(info, state, events)
        except (engine.FlowError, KeyError, IndexError):
            # The exercise file changed since: its steps no longer fit the log.
            text = None
    if text is None:
        text = events_to_markdown(info, events)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    try:
        # A transcript is as private as the data file: readable by its owner only.
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror}", 1) from None
    print(f"Wrote {args.output}", file=sys.stderr)
    return 0


def _exercise(args: argparse.Namespace, exercise_id: str):
    try:
        from trustdialog.exercise import load_library
    except ImportError:
        return None
    try:
        return load_library(extra_dirs=args.exercises or ()).exercises.get(exercise_id)
    except Exception:  # a broken library must not stop an export; the log suffices
        return None


def forget(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        info = _find(store, args.id)
        # Ask on a terminal; a script (stdin not a tty) has said what it wants.
        if not args.yes and sys.stdin.isatty():
            names = " & ".join(info.names[p] for p in ("a", "b"))
            answer = input(f"Delete session {info.id} ({info.exercise_id}, {names}, "
                           f"{_when(info.created_at)}) for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Kept.")
                return 1
        wiped = store.forget(args.id)
    finally:
        store.close()
    print(f"Forgot session {args.id} for good.")
    if not wiped:
        print("Another trustdialog is using the data file; its freed space is wiped when "
              "the next session is forgotten.", file=sys.stderr)
    return 0
