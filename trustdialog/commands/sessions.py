"""`sessions`, `resume`, `export`, `forget`: saved sessions on the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import sys
import tempfile
from typing import TYPE_CHECKING, Literal, overload

from trustdialog.commands import CommandError
from trustdialog.text import clean

if TYPE_CHECKING:  # the store and the library are imported by the command that needs them
    from trustdialog.exercise.model import Exercise
    from trustdialog.store import SessionDamaged, SessionInfo, Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
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
    p.add_argument("--notes", action="store_true",
                   help="the facilitator's private notes on the session instead of its transcript")
    p.set_defaults(func=export)
    p = sub.add_parser("forget", parents=[common], help="delete a session for good")
    p.add_argument("id", metavar="ID")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask first")
    p.set_defaults(func=forget)


def _owner() -> str | None:
    # Under the SSH server each person's process carries their name; the
    # commands then see that person's sessions only.
    from trustdialog.identity import Identity, IdentityError

    try:
        identity = Identity.from_env()
    except IdentityError as error:
        raise CommandError(str(error), 2) from None
    if identity is None:
        return None
    # Sessions belong to the couple (a client with no couple is a couple of one).
    return identity.couple if identity.role == "client" and identity.couple else identity.person


def _is_client() -> bool:
    """Whether this command runs for a client of the SSH server (never at a local terminal)."""
    from trustdialog.identity import Identity, IdentityError

    try:
        identity = Identity.from_env()
    except IdentityError as error:
        raise CommandError(str(error), 2) from None
    return identity is not None and identity.role == "client"


def _open(args: argparse.Namespace, create: bool = False) -> Store:
    from trustdialog.store import StoreError, open_store

    try:
        return open_store(args.data_dir, args.no_save, create=create)
    except StoreError as error:
        raise CommandError(str(error), 1) from None


@overload
def _find(store: Store, session_id: str, damaged_ok: Literal[False] = False) -> SessionInfo:
    ...


@overload
def _find(store: Store, session_id: str, damaged_ok: bool) -> SessionInfo | SessionDamaged:
    ...


def _find(store: Store, session_id: str, damaged_ok: bool = False) -> SessionInfo | SessionDamaged:
    """The session's summary; with `damaged_ok`, its SessionDamaged error when it is damaged."""
    from trustdialog.store import SessionDamaged, StoreError

    unknown = CommandError(f"no saved session {session_id!r} (see `trustdialog sessions`)", 1)
    try:
        # An id from undecodable bytes on the command line can name no session.
        session_id.encode("utf-8")
    except UnicodeEncodeError:
        raise unknown from None
    try:
        info = store.info(session_id)
    except SessionDamaged as error:
        if _owner() is not None and error.owner != _owner():
            raise unknown from None
        if damaged_ok:
            return error
        raise CommandError(f"{error}; `trustdialog forget {session_id}` removes it", 1) from None
    except StoreError:
        info = None
    if info is None or (_owner() is not None and info.owner != _owner()):
        raise unknown
    return info


def _writable(store: Store, what: str) -> None:
    if store.read_only:
        raise CommandError(f"cannot {what}: {store.read_only}", 1)


def _say(text: str) -> None:
    """Print a line of the listing; characters the terminal's encoding lacks become '?'."""
    out = sys.stdout
    if out is None:
        raise CommandError("standard output is closed", 1)
    encoding = out.encoding or "utf-8"
    out.write(text.encode(encoding, "replace").decode(encoding) + "\n")


def _when(at: float) -> str:
    return dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def list_sessions(args: argparse.Namespace) -> int:
    if args.move_aside:
        from trustdialog.store import move_aside

        from trustdialog.store import StoreError

        try:
            moved = move_aside(args.data_dir)
        except StoreError as error:
            raise CommandError(str(error), 1) from None
        except OSError as error:
            raise CommandError(f"cannot move the data file aside: {error.filename or ''} "
                               f"({error.strerror or error})", 1) from None
        print(f"Moved the data file aside to {moved}; a new one starts next time."
              if moved else "There is no data file to move aside.")
        return 0

    store = _open(args)
    try:
        infos = store.sessions(_owner())
        damaged = store.damaged(_owner())
        if not _is_client():  # a call is for the facilitator's eyes
            from trustdialog.calls import calls_by_session

            calls = calls_by_session(store, infos)
        else:
            calls = {}
    finally:
        store.close()
    if store.read_only:
        print(f"trustdialog: {store.read_only}; sessions can be listed and exported, "
              "not resumed or forgotten", file=sys.stderr)
    for broken in damaged:
        print(f"trustdialog: {broken}; `trustdialog forget {broken.session_id}` removes it",
              file=sys.stderr)
    if not infos:
        if damaged:
            return 1
        _say("No saved sessions.")
        return 0
    rows = [("ID", "DATE", "EXERCISE", "PARTNERS", "FINISHED")]
    for i in infos:
        partners = " & ".join(clean(i.names[p]).replace("\n", " ") for p in ("a", "b"))
        rows.append((i.id, _when(i.created_at), i.exercise_id, partners, "yes" if i.finished else "no"))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for r in rows:
        call = calls.get(r[0])
        # The call rides at the end of its row, so the columns stay where scripts read them.
        _say("  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[4]
             + (f"  ! {call}" if call else ""))
    return 0


def resume(args: argparse.Namespace) -> int:
    from trustdialog.store import StoreError

    store = _open(args)
    try:
        info = _find(store, args.id)
        store.events(args.id)  # a damaged log is reported here, before the app starts
        _writable(store, f"resume session {args.id} (`trustdialog export {args.id}` shows it)")
    except StoreError as error:
        raise CommandError(f"{error}; `trustdialog forget {args.id}` removes it", 1) from None
    finally:
        store.close()
    if info.finished:
        raise CommandError(f"session {args.id} has finished; see it with `trustdialog export {args.id}`", 1)
    from trustdialog.commands.app import run_app

    return run_app(args, resume_id=args.id)


def export(args: argparse.Namespace) -> int:
    from trustdialog import engine
    from trustdialog.export import events_to_markdown, to_markdown
    from trustdialog.store import StoreError

    if args.output == "":
        raise CommandError("-o needs a file name (or - for standard output)", 2)
    if args.notes and _is_client():
        raise CommandError("the notes on a session are the facilitator's; "
                           "`trustdialog export ID` writes your transcript", 1)
    store = _open(args)
    try:
        info = _find(store, args.id)
        events = store.events(args.id)
        notes = store.notes(args.id) if args.notes else []
    except StoreError as error:
        raise CommandError(f"{error}; `trustdialog forget {args.id}` removes it", 1) from None
    finally:
        store.close()
    text = None
    if args.notes:
        from trustdialog.notes import notes_to_markdown

        text = notes_to_markdown(info, notes)
    exercise = None if args.notes else _exercise(args, info.exercise_id)
    if exercise is not None:
        try:
            state = engine.replay(exercise, info.names, events)
            text = to_markdown(info, state, events)
        except (engine.FlowError, KeyError, IndexError):
            # The exercise file changed since: its steps no longer fit the log.
            text = None
    if text is None:
        text = events_to_markdown(info, events)
    if args.output is None or args.output == "-":
        _to_stdout(text)
        return 0
    try:
        _write_private(args.output, text)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror or error}", 1) from None
    print(f"Wrote {args.output}", file=sys.stderr)
    return 0


def _to_stdout(text: str) -> None:
    """The transcript as UTF-8 bytes, whatever the locale: a document, not a display."""
    if sys.stdout is None:
        raise CommandError("standard output is closed; write to a file with -o FILE", 1)
    data = text.encode("utf-8")
    try:
        sys.stdout.flush()
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()  # a full disk is found here, not at exit
    except BrokenPipeError:
        raise
    except OSError as error:
        raise CommandError(f"cannot write the transcript to standard output "
                           f"({error.strerror or error})", 1) from None


def _write_private(target: str, text: str) -> None:
    """Write `target` readable by its owner only (0600), even when it existed as 0644.

    A file is written beside the target and renamed over it, so a failed write
    leaves the old file as it was. A target that is not a regular file (a
    pipe, /dev/stdout) is written in place, its mode untouched.
    """
    real = os.path.realpath(target)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(real, "w", encoding="utf-8") as f:
            f.write(text)
        return
    folder = os.path.dirname(real) or "."
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".trustdialog-export-")  # made 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, real)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _exercise(args: argparse.Namespace, exercise_id: str) -> Exercise | None:
    from trustdialog.exercise import load_library

    try:
        return load_library(extra_dirs=args.exercises or ()).exercises.get(exercise_id)
    except Exception:  # a broken library must not stop an export; the log suffices
        return None


def forget(args: argparse.Namespace) -> int:
    from trustdialog.store import SessionDamaged, StoreError

    store = _open(args)
    try:
        info = _find(store, args.id, damaged_ok=True)
        _writable(store, f"forget session {args.id}")
        # Ask on a terminal; a script (stdin not a tty) has said what it wants.
        if not args.yes and sys.stdin is not None and sys.stdin.isatty():
            if isinstance(info, SessionDamaged):
                about = f"damaged session {args.id} ({info.what})"
            else:
                names = " & ".join(clean(info.names[p]) for p in ("a", "b"))
                about = (f"session {info.id} ({info.exercise_id}, {names}, "
                         f"{_when(info.created_at)})")
            answer = input(f"Delete {about} for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Kept.")
                return 1
        try:
            wiped = store.forget(args.id)
        except StoreError as error:
            # A server's errors name the database themselves; a file's do not.
            where = f"{store.path}: " if store.path else ("" if store.persistent else "the data file: ")
            raise CommandError(f"cannot forget session {args.id}: {where}{error}", 1) from None
    finally:
        store.close()
    print(f"Forgot session {args.id} for good.")
    if not wiped:
        print("Another trustdialog is using the data file; its freed space is wiped when "
              "the next session is forgotten.", file=sys.stderr)
    return 0
