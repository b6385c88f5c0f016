"""Opening the app: `trustdialog` with no command (and `trustdialog resume ID`)."""

from __future__ import annotations

import argparse
import gc
from typing import TYPE_CHECKING

from trustdialog.commands import CommandError

if TYPE_CHECKING:  # each loads only when the app opens, after the first frame
    from trustdialog.exercise.library import Library
    from trustdialog.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """The app is the default command; it adds no sub-command of its own."""


def run_app(args: argparse.Namespace, resume_id: str | None = None) -> int:
    """Open the two-pane app (Textual is imported only here).

    A plain start opens the store and loads the library after the first frame
    (the app then exits with `app.failure` if the store cannot be read); a
    resume opens both first, to fail with one line before the screen opens.
    """
    # Until the first screen is up, nearly every object made (Textual's modules,
    # widgets, styles) lives for the whole run, so collecting them is wasted work:
    # about 30 ms before the first frame here. freeze_heap() turns collection back
    # on once the welcome screen and the library are loaded.
    gc.disable()
    no_save = bool(args.no_save)
    folder = args.data_dir  # resolved by the store when it opens
    extra = tuple(args.exercises or ())
    store = library = None
    app = None
    try:
        if resume_id is not None:
            from trustdialog.store import open_store

            store = open_store(folder, no_save)
            library = _check_resumable(store, resume_id, extra)
        from trustdialog.ui.app import make_app

        app = make_app(library=library, store=store, resume_id=resume_id, data_dir=folder,
                       no_save=no_save, extra_dirs=extra)
        app.run()
    except Exception as error:
        # The promise: a store or identity fault ends the app with one line, never a
        # traceback; anything else is re-raised. Broad only because trustdialog.store
        # (and the engine under it) is imported here, after the fact: a plain start
        # shows its first frame without it.
        from trustdialog.identity import IdentityError
        from trustdialog.store import StoreError

        if isinstance(error, (StoreError, IdentityError)):
            raise CommandError(_one_line(error), 1) from None
        raise
    finally:
        gc.enable()
        opened = app._store if app is not None else store
        if opened is not None:
            opened.close()
    if app.failure:
        raise CommandError(app.failure, 1)
    return int(app.return_code or 0)


def _check_resumable(store: Store, session_id: str, extra: tuple[str, ...]) -> Library:
    """The library, after checking the session and its exercise exist (else one line)."""
    from trustdialog.exercise import load_library

    info = store.info(session_id)  # StoreError: no such session
    library = load_library(extra_dirs=extra)
    if info.exercise_id not in library.exercises:
        raise CommandError(f"session {session_id} uses exercise {info.exercise_id!r}, which is "
                           "not in the library (add its folder with --exercises DIR)", 1)
    return library


def _one_line(error: object) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__
