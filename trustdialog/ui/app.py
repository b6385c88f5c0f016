"""The Textual app: holds the library, the store and the running session; routes screens."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from textual.app import App
from textual.binding import Binding

DEFAULT_THEME = "textual-dark"
# Rules for every screen but the welcome: read after the first frame (see load_screens_css).
SCREENS_CSS = Path(__file__).with_name("screens.tcss")
DEFAULT_NAMES = {"a": "Partner A", "b": "Partner B"}


class TrustDialogApp(App):
    """Two partners, one terminal, one exercise at a time."""

    CSS_PATH = "trustdialog.tcss"  # the shared rules and the welcome's; see SCREENS_CSS
    ENABLE_COMMAND_PALETTE = False
    TITLE = "trustdialog"
    BINDINGS = [
        Binding("f1", "help", "Rules", id="help"),
        Binding("ctrl+t", "time_out", "Time-out", id="time_out", priority=True),
        Binding("ctrl+r,f2", "resources", "Help lines", id="resources", priority=True),
        Binding("ctrl+x", "quick_exit", "Quick exit", id="quick_exit", priority=True),
        Binding("ctrl+q", "request_quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, *, library: Any = None, store: Any = None,
                 clock: Callable[[], float] = time.time, names: Mapping[str, str] | None = None,
                 owner: str | None = None, role: str | None = None, resume_id: str | None = None,
                 data_dir: Path | None = None, no_save: bool = False,
                 extra_dirs: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._library = library
        self.extra_dirs = tuple(extra_dirs)
        self._store = store  # None: opened on first use (after the first frame)
        self.failure: str | None = None  # why the app gave up (run_app prints it as one line)
        self.clock = clock
        self.names = dict(names or DEFAULT_NAMES)
        self.owner = owner
        self.role = role
        self._checked_in: set[str] = set()  # sessions whose check-in was offered
        self.resume_id = resume_id
        self.data_dir = data_dir
        self.no_save = no_save
        self.session: Any = None  # trustdialog.session.Session while an exercise runs
        self.theme = _pick_theme(os.environ.get("TEXTUAL_THEME"), self.available_themes)

    # -- data -------------------------------------------------------------------

    @property
    def library(self) -> Any:
        """The exercise library, loaded on first use (after the first frame is shown)."""
        if self._library is None:
            from trustdialog.exercise import load_library

            self._library = load_library(extra_dirs=self.extra_dirs)
        return self._library

    @library.setter
    def library(self, value: Any) -> None:
        self._library = value

    @property
    def store(self) -> Any:
        """The session store, opened on first use; StoreError if the file is damaged."""
        if self._store is None:
            from trustdialog.store import open_store

            self._store = open_store(self.data_dir, self.no_save)
        return self._store

    @store.setter
    def store(self, value: Any) -> None:
        self._store = value

    @property
    def store_is_open(self) -> bool:
        return self._store is not None

    @property
    def saving(self) -> bool:
        """Whether sessions are written to disk (before the store is open: unless --no-save)."""
        if self._store is None:
            return not self.no_save
        return bool(getattr(self._store, "persistent", False))

    def open_store_or_fail(self) -> bool:
        """Open the store now; if it cannot be read, exit with one line (False)."""
        from trustdialog.store import StoreError

        try:
            store = self.store
        except StoreError as error:
            self.fail(_one_line(error))
            return False
        if getattr(store, "warning", None):
            self.notify(_one_line(store.warning), title="Saving", severity="warning")
        return True

    def fail(self, message: str) -> None:
        """Leave the app; `trustdialog` then prints `message` as one line and exits 1."""
        self.failure = message
        self.exit(return_code=1)

    def after_first_frame(self, callback: Callable[[], Any]) -> None:
        """Run `callback` once the first frame has been written to the terminal.

        One call_after_refresh is not enough at start-up: while the first screen
        is still being mounted, its callbacks run before anything is drawn. The
        nested one waits for the refresh that follows, which writes the frame.
        """
        self.call_after_refresh(self.call_after_refresh, callback)

    def unfinished_sessions(self) -> list[Any]:
        """Sessions offered for resume: this owner's (a facilitator sees all)."""
        owner = None if self.role == "facilitator" else self.owner
        try:
            return [s for s in self.store.sessions(owner) if not s.finished]
        except Exception as error:  # a damaged store must not keep the app from opening
            self.notify(_one_line(error), title="Saved sessions", severity="warning")
            return []

    def submit(self, kind: str, partner: str, **data: Any) -> str | None:
        """Send one action through the session; returns a calm message if it did not fit."""
        if self.session is None:
            return "No exercise is running."
        from trustdialog.engine import FlowError
        from trustdialog.store import StoreError

        try:
            self.session.submit(kind, partner, **data)
        except FlowError as error:
            return _calm(str(error))
        except Exception as error:  # the store failed: say so, keep the screen
            if isinstance(error, StoreError):
                return f"Could not save: {_one_line(error)}"
            raise
        return None

    # -- screens ----------------------------------------------------------------

    def get_default_screen(self) -> Any:
        # The welcome is the bottom screen itself: no blank default screen is
        # built and then covered before the first frame.
        from trustdialog.ui.screens.welcome import WelcomeScreen

        return WelcomeScreen()

    def load_screens_css(self) -> None:
        """Add the other screens' rules to the stylesheet (once).

        Parsing them is a good part of the time to the first frame, and the
        welcome does not need them: they are read once it is shown, or before
        any other screen is pushed, whichever comes first. Only the new file is
        parsed (Textual caches the rest); a theme change re-reads both.
        """
        if self.stylesheet.has_source(str(SCREENS_CSS), ""):
            return
        self.stylesheet.read(SCREENS_CSS)
        self.stylesheet.parse()
        self.stylesheet.update(self)

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        self.load_screens_css()
        return super().push_screen(screen, *args, **kwargs)

    def on_mount(self) -> None:
        self.after_first_frame(self.load_screens_css)
        if self.resume_id:
            self.call_after_refresh(self.resume_session, self.resume_id)

    def resume_session(self, session_id: str) -> None:
        from trustdialog.ui.screens.resume import open_session

        open_session(self, session_id)

    def show_session(self) -> None:
        """Show the screen that fits the running session's phase."""
        from trustdialog.ui.screens.resume import screen_for

        self.switch_to(screen_for(self))
        self._check_in_first()

    def _check_in_first(self) -> None:
        """Before new promises are made, the earlier ones come back to be marked.

        Only at the very start of a "Small promises" session, once per run, and
        only when earlier promises are still unmarked.
        """
        from trustdialog import progress

        session = self.session
        state = session.state
        if (session.exercise.id != progress.PROMISES_EXERCISE or state.phase != "step"
                or state.answers or session.id in self._checked_in):
            return
        self._checked_in.add(session.id)
        exercises = self.library.exercises
        if not progress.open_promises(self.store, self.owner, before=session.id, exercises=exercises):
            return
        from trustdialog.ui.checkin_screen import CheckinScreen

        self.push_screen(CheckinScreen(self.store, self.owner, exercises=exercises,
                                       checkin_session=session.id, clock=self.clock))

    def switch_to(self, screen: Any) -> None:
        """Replace the flow screen on top of the welcome screen (the welcome stays below)."""
        self._pop_to_welcome()
        self.push_screen(screen)

    def _pop_to_welcome(self) -> None:
        from trustdialog.ui.screens.welcome import WelcomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, WelcomeScreen):
            self.pop_screen()

    def show_picker(self) -> None:
        from trustdialog.ui.screens.picker import PickerScreen

        self.session = None
        self.switch_to(PickerScreen())

    def show_welcome(self) -> None:
        self.session = None
        self._pop_to_welcome()

    # -- app-wide keys ------------------------------------------------------------

    def key_help_list(self) -> list[tuple[str, str]]:
        keys = [
            ("F1", "the rules for your role"),
            ("ctrl+t", "time-out: pause and agree when to come back"),
            ("ctrl+r / F2", "help lines and resources"),
            ("ctrl+x", "quick exit: clears the screen and quits at once"),
            ("ctrl+q", "quit (asks first during an exercise)"),
        ]
        if self.session is not None:
            keys += [("Tab", "next blank"), ("Enter", "next blank, or send on the last"),
                     ("ctrl+s", "send your answer")]
        return keys

    def current_role(self) -> str | None:
        """The role of the partner who is acting now (or whose pane has focus)."""
        if self.session is None:
            return None
        state = self.session.state
        partner = getattr(self.screen, "focused_partner", lambda: None)()
        partner = partner or (state.floor[0] if state.floor else "a")
        return state.roles[partner]

    def action_help(self) -> None:
        try:
            from trustdialog.ui.overlays.help import HelpScreen
        except ImportError:
            self.notify("The rules screen is not installed yet.", title="Rules")
            return
        if isinstance(self.screen, HelpScreen):  # F1 on the open rules closes them (their binding)
            return
        exercise = self.session.exercise if self.session else None
        self.push_screen(HelpScreen(exercise, self.current_role(), self.key_help_list()))

    def action_resources(self) -> None:
        try:
            from trustdialog.resources import load_resources
            from trustdialog.ui.overlays.resources import ResourcesScreen
        except ImportError:
            self.notify("The help-lines screen is not installed yet.", title="Help lines")
            return
        if isinstance(self.screen, ResourcesScreen):  # already open
            return
        self.push_screen(ResourcesScreen(load_resources(extra_dirs=self.extra_dirs)))

    def action_time_out(self) -> None:
        # ctrl+t, ctrl+r and ctrl+q are priority bindings, so they reach the app even
        # while a modal overlay is open: each returns early if its own overlay is
        # already on top, instead of stacking a second copy on the first.
        if _on_top(self, "timeout", "TimeOutScreen"):
            return
        session = self.session
        if session is None or session.state.finished or session.state.paused:
            self.notify("A time-out pauses a running exercise; none is running now.", title="Time-out")
            return
        try:
            from trustdialog.ui.overlays.timeout import TimeOutScreen
        except ImportError:
            self.notify("The time-out screen is not installed yet.", title="Time-out")
            return
        self.push_screen(TimeOutScreen(self.clock()), self._on_time_out)

    def _on_time_out(self, resume_at: float | None) -> None:
        if resume_at is None:
            return
        partner = getattr(self.screen, "focused_partner", lambda: None)() or "a"
        message = self.submit("paused", partner, resume_at=resume_at, note="")
        if message:
            self.notify(message, title="Time-out")
            return
        self.show_paused()

    def show_paused(self) -> None:
        """The soothing pause note; its key resumes the exercise."""
        state = self.session.state
        try:
            from trustdialog.ui.overlays.timeout import PausedScreen
        except ImportError:
            self.notify("Paused. Resume with `trustdialog resume " + self.session.id + "`.")
            return
        self.push_screen(PausedScreen(state.resume_at, self.clock(), session_id=self._saved_id()),
                         self._on_paused_closed)

    def _on_paused_closed(self, resume: bool | None) -> None:
        if not resume or self.session is None:
            return
        message = self.submit("resumed", "a")
        if message:
            self.notify(message, title="Resume")
        refresh = getattr(self.screen, "render_state", None)
        if refresh:
            self.call_later(refresh)

    def action_quick_exit(self) -> None:
        try:
            from trustdialog.ui.overlays.quick_exit import quick_exit
        except ImportError:
            self.exit()
            return
        quick_exit(self)

    def action_request_quit(self) -> None:
        if _on_top(self, "confirm_quit", "ConfirmQuitScreen"):
            return
        running = self.session is not None and not self.session.state.finished
        if not running:
            self.exit()
            return
        try:
            from trustdialog.ui.overlays.confirm_quit import ConfirmQuitScreen
        except ImportError:
            self.exit()
            return
        self.push_screen(ConfirmQuitScreen(session_id=self._saved_id()),
                         lambda quit: self.exit() if quit else None)

    def _saved_id(self) -> str | None:
        """The running session's id, if it is saved to disk (so `resume ID` can find it)."""
        if self.session is None or not self.saving:
            return None
        return self.session.id


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's sight (gc.freeze).

    The widgets, styles and the exercise library are long-lived: without this,
    each full collection walks all of them while someone types, and a keystroke
    waits tens of milliseconds for its echo. Called once the first screen and
    the library are up, and again once an exercise screen is built (its panes
    and forms then live until the exercise ends). Objects made later are still
    collected as usual; a frozen object that becomes garbage is only freed when
    its reference count drops to zero, which is almost always.

    It also turns collection back on: `trustdialog` turns it off while it
    starts (see commands/app.py), when nearly everything made lives on.
    """
    gc.freeze()
    gc.enable()


def _on_top(app: App, module: str, name: str) -> bool:
    """Whether the top screen is the overlay `name` (its module is not imported for this)."""
    return type(app.screen).__name__ == name and type(app.screen).__module__ == (
        f"trustdialog.ui.overlays.{module}")


def _pick_theme(wanted: str | None, available: Mapping[str, Any]) -> str:
    """TEXTUAL_THEME if it names a theme, else the pinned default (never a crash)."""
    return wanted if wanted and wanted in available else DEFAULT_THEME


def _one_line(error: object) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


def _calm(message: str) -> str:
    """Engine messages read as a gentle note, not an error."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def make_app(*, library: Any = None, store: Any = None, clock: Callable[[], float] = time.time,
             names: Mapping[str, str] | None = None, owner: str | None = None,
             role: str | None = None, resume_id: str | None = None,
             data_dir: Path | None = None, no_save: bool = False,
             extra_dirs: tuple[str, ...] = ()) -> TrustDialogApp:
    """The app with its parts injected (tests pass a fixture library, a MemoryStore, a clock).

    Without a store, the app opens one (in `data_dir`, or in memory with `no_save`)
    after its first frame is shown.
    """
    owner = owner if owner is not None else os.environ.get("TRUSTDIALOG_USER") or None
    role = role if role is not None else os.environ.get("TRUSTDIALOG_ROLE") or None
    return TrustDialogApp(library=library, store=store, clock=clock, names=names, owner=owner,
                          role=role, resume_id=resume_id, data_dir=data_dir, no_save=no_save,
                          extra_dirs=extra_dirs)
