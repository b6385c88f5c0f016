"""The Textual app: holds the library, the store and the one Conversation; routes screens.

Screens post the messages of trustdialog.ui.messages; the handlers here are
the only code that starts, replaces or ends the running session (through
`self.conversation`), and they decide which screen comes next.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from trustdialog.ui import lean, messages, room_messages
from trustdialog.ui.key_order import KeysInOrder

if TYPE_CHECKING:
    from trustdialog.conversation import Conversation, Refusal
    from trustdialog.identity import Identity
    from trustdialog.exercise.library import Library
    from trustdialog.language import Hints
    from trustdialog.session import Session
    from trustdialog.store.protocol import Store

DEFAULT_THEME = "textual-dark"
# Rules for every screen but the welcome: read after the first frame (see load_screens_css).
SCREENS_CSS = Path(__file__).with_name("screens.tcss")
DEFAULT_NAMES = {"a": "Partner A", "b": "Partner B"}
READY_RACE_LOST = ("The exercise had already begun on the other screen. If now is not a good "
                   "time after all, a time-out (ctrl+t) pauses it.")


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

    def __init__(self, *, library: Library | None = None, store: Store | None = None,
                 clock: Callable[[], float] = time.time, names: Mapping[str, str] | None = None,
                 owner: str | None = None, role: str | None = None, resume_id: str | None = None,
                 data_dir: Path | None = None, no_save: bool = False,
                 extra_dirs: tuple[str, ...] = (), identity: Identity | None = None) -> None:
        super().__init__()
        from trustdialog.conversation import Conversation

        self._library = library
        self._hints: Hints | None = None
        self.extra_dirs = tuple(extra_dirs)
        self._store = store  # None: opened on first use (after the first frame)
        self.failure: str | None = None  # why the app gave up (run_app prints it as one line)
        self.clock = clock
        self.owner = owner
        self.role = role
        self.resume_id = resume_id
        self.data_dir = data_dir
        self.no_save = no_save
        # The one owner of the running session (see trustdialog.conversation).
        self.conversation: Conversation = Conversation(
            lambda: self.store, lambda: self.library.exercises, clock=clock,
            names=names or DEFAULT_NAMES, owner=owner, identity=identity)
        self.theme = _pick_theme(os.environ.get("TEXTUAL_THEME"), self.available_themes)
        self._keys = KeysInOrder(self, super().on_event)

    async def on_event(self, event: events.Event) -> None:
        # Keys and pastes from the terminal go through KeysInOrder, so that each is
        # handled after the one typed before it (see trustdialog.ui.key_order).
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            await self._keys.arrive(event)
        else:
            await super().on_event(event)

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        # Textual looks a key up in the binding chain, which it builds afresh each time:
        # every binding map of the focused widget's ancestors copied, filtered against
        # each other and put through the keymap (twice for a Backspace, about 6% of its
        # CPU). A letter is bound nowhere; with no keymap, a key no node binds (with this
        # priority) finds nothing in the chain either, so the chain is not built for it.
        if not self._keymap and not self._keys.may_be_bound(key, priority):
            return False
        return await super()._check_bindings(key, priority)

    def get_driver_class(self) -> Any:
        # A real terminal is read by our driver: pastes stay text (see terminal_input).
        from textual.drivers.linux_driver import LinuxDriver

        driver_class = super().get_driver_class()
        if driver_class is LinuxDriver:
            from trustdialog.ui.terminal_input import TerminalDriver

            return TerminalDriver
        return driver_class

    # -- data -------------------------------------------------------------------

    @property
    def library(self) -> Library:
        """The exercise library, loaded on first use (after the first frame is shown)."""
        if self._library is None:
            from trustdialog.exercise import load_library

            self._library = load_library(extra_dirs=self.extra_dirs)
        return self._library

    @property
    def hints(self) -> Hints:
        """Wording hints: the shipped ones and those of every --exercises folder."""
        if self._hints is None:
            from trustdialog.language import load_hints

            self._hints = load_hints(self.extra_dirs)
        return self._hints

    @property
    def store(self) -> Store:
        """The session store, opened on first use; StoreError if the file is damaged."""
        if self._store is None:
            from trustdialog.store import open_store

            self._store = open_store(self.data_dir, self.no_save)
        return self._store

    @property
    def store_is_open(self) -> bool:
        return self._store is not None

    @property
    def saving(self) -> bool:
        """Whether sessions are written to disk (before the store is open: unless --no-save)."""
        if self._store is None:
            return not self.no_save
        return self._store.persistent

    @property
    def session(self) -> Session | None:
        """The running session, if any (owned by the conversation; screens only read it)."""
        return self.conversation.session

    @property
    def names(self) -> Mapping[str, str]:
        return self.conversation.names

    @property
    def sees_everyone(self) -> bool:
        """A facilitator sees every couple's sessions; a client only their own."""
        return self.role == "facilitator"

    def open_store_or_fail(self) -> bool:
        """Open the store now; if it cannot be read, exit with one line (False)."""
        from trustdialog.store import StoreError

        try:
            store = self.store
        except StoreError as error:
            self.fail(_one_line(error))
            return False
        if store.warning:
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
        from trustdialog.store import StoreError

        try:
            return self.conversation.unfinished(everyone=self.sees_everyone)
        except StoreError as error:  # a damaged store must not keep the app from opening
            self.notify(_one_line(error), title="Saved sessions", severity="warning")
            return []

    # -- what the screens ask for ---------------------------------------------------

    @on(messages.NamesChosen)
    def _on_names_chosen(self, event: messages.NamesChosen) -> None:
        self.conversation.set_names(event.names)
        self.show_picker()

    @on(messages.ExerciseChosen)
    def _on_exercise_chosen(self, event: messages.ExerciseChosen) -> None:
        from trustdialog.ui.screens.ready import ReadyScreen

        self.conversation.choose(event.exercise_id)
        exercise = self.conversation.exercise
        assert exercise is not None
        self.switch_to(ReadyScreen(exercise))

    @on(messages.SessionChosen)
    def _on_session_chosen(self, event: messages.SessionChosen) -> None:
        self.resume_session(event.session_id)

    @on(messages.PartnerReady)
    def _on_partner_ready(self, event: messages.PartnerReady) -> None:
        refusal = self.conversation.ready(event.partner)
        session = self.session
        if session is not None and session.state.phase != "ready":
            # Begun (or closed) by now: a yes that lost a race to the same yes on another
            # screen got what it asked for, and the screen shows where the session is.
            self.show_session()
        else:
            self._notify_refusal(refusal, "Ready")
            self._redraw()

    @on(messages.NotNow)
    def _on_not_now(self, event: messages.NotNow) -> None:
        # The ready screen has already turned to its calm "not now" note; a redraw
        # would put the yes buttons (and the focus) back under it.
        refusal = self.conversation.not_now(event.partner)
        session = self.session
        if refusal is not None and session is not None and session.state.phase != "ready":
            # Lost a race: the other partner's yes came first, and the exercise has begun.
            self.notify(READY_RACE_LOST, title="Not now")
            self.show_session()
            return
        self._notify_refusal(refusal, "Not now")

    @on(messages.Send)
    async def _on_send(self, event: messages.Send) -> None:
        refusal = self.conversation.send(event.kind, event.partner, **event.data)
        screen = self.screen
        if isinstance(screen, messages.Answers):  # it shows the outcome where it was asked for
            await screen.answered(event, refusal.message if refusal else None)

    @on(messages.TurnsArrived)
    def _on_turns_arrived(self) -> None:
        session = self.session
        if session is None:
            return
        state = session.state
        on_ready = type(self.screen).__name__ == "ReadyScreen"
        paused_on_top = _on_top(self, "timeout", "PausedScreen")
        if state.finished or (on_ready and state.phase != "ready"):
            self.show_session()  # the other side began (or ended) it: on to where it is
        elif state.paused and not paused_on_top:
            self.show_paused()  # a time-out taken on another screen is everyone's
        elif not state.paused and paused_on_top:
            self.screen.dismiss(False)  # resumed on another screen
        else:
            self._redraw()

    @on(messages.ForgetSession)
    def _on_forget_session(self, event: messages.ForgetSession) -> None:
        refusal = self.conversation.forget(event.session_id, everyone=self.sees_everyone)
        if refusal is not None:
            self.notify(refusal.message, title="Delete", severity="warning")
        else:
            self.notify("That session is deleted for good.", title="Delete")
        self._redraw()

    @on(messages.BackToStart)
    def _on_back_to_start(self) -> None:
        self.show_welcome()

    @on(messages.ChooseAnother)
    def _on_choose_another(self) -> None:
        self.show_picker()

    # -- the facilitator in the room (trustdialog.ui.room_messages) ------------------

    @on(room_messages.WriteNote)
    def _on_write_note(self, event: room_messages.WriteNote) -> None:
        refusal = self.conversation.add_note(event.text)
        self.notify(refusal.message if refusal else "Note kept. Only facilitators see it.",
                    title="Note", severity="warning" if refusal else "information")

    @on(room_messages.SendNudge)
    def _on_send_nudge(self, event: room_messages.SendNudge) -> None:
        refusal = self.conversation.nudge(event.text)
        self.notify(refusal.message if refusal else "Sent to both partners' screens.",
                    title="Nudge", severity="warning" if refusal else "information")
        self._redraw()

    @on(room_messages.CallFacilitator)
    def _on_call_facilitator(self, event: room_messages.CallFacilitator) -> None:
        refusal = self.conversation.call_facilitator(event.partner)
        self.notify(refusal.message if refusal else "The facilitator has been asked to come.",
                    title="Call")
        self._redraw()

    @on(room_messages.AnswerCalls)
    def _on_answer_calls(self, event: room_messages.AnswerCalls) -> None:
        for partner in event.partners:
            self._notify_refusal(self.conversation.answer_call(partner), "Call")
        self._redraw()

    def _notify_refusal(self, refusal: Refusal | None, title: str) -> None:
        if refusal is not None:
            self.notify(refusal.message, title=title)

    def _redraw(self) -> None:
        screen = self.screen
        if isinstance(screen, messages.Redraws):
            self.call_later(screen.render_state)

    # -- screens ----------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        # The welcome is the bottom screen itself: no blank default screen is
        # built and then covered before the first frame.
        from trustdialog.ui.screens.welcome import WelcomeScreen

        return lean.lighten(WelcomeScreen())  # see trustdialog.ui.lean

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
        if isinstance(screen, Screen):
            lean.install()
            lean.lighten(screen)  # a key redraws only the rows it changed (see trustdialog.ui.lean)
        return super().push_screen(screen, *args, **kwargs)

    def update_styles(self, node: Any, animate: bool = True) -> None:
        # Every class and pseudo-class change comes through here: text areas then
        # read their colours again, and only then (see trustdialog.ui.lean).
        lean.styles_changed()
        super().update_styles(node, animate)

    def refresh_css(self, animate: bool = True) -> None:
        lean.styles_changed()  # a new theme or stylesheet
        super().refresh_css(animate)

    def on_mount(self) -> None:
        self.after_first_frame(self.load_screens_css)
        self.after_first_frame(lean.install)
        if self.resume_id:
            self.call_after_refresh(self.resume_session, self.resume_id)

    def resume_session(self, session_id: str) -> bool:
        """Continue a saved session; a calm notice (and False) if it cannot be."""
        refusal = self.conversation.resume(session_id)
        if refusal is not None:
            self.notify(refusal.message, title="Resume", severity="warning")
            return False
        self.show_session()
        session = self.session
        if session is not None and session.state.paused:
            self.show_paused()
        return True

    def run_session(self, session: Session) -> None:
        """Show a session made elsewhere (tests, and a session handed over whole)."""
        self.conversation.adopt(session)
        self.show_session()

    def show_session(self) -> None:
        """Show the screen that fits the running session's phase."""
        self.switch_to(self._screen_for_session())
        if self.conversation.check_in_due():
            from trustdialog.ui.checkin_screen import CheckinScreen

            session = self.session
            assert session is not None
            self.push_screen(CheckinScreen(self.store, self.owner, exercises=self.library.exercises,
                                           checkin_session=session.id, clock=self.clock))

    def _screen_for_session(self) -> Screen:
        """The screen for the session's phase: ready check, exercise, or summary."""
        session = self.session
        assert session is not None
        state = session.state
        if state.finished:
            from trustdialog.ui.screens.summary import SummaryScreen

            return SummaryScreen()
        phase = state.paused_from if state.paused else state.phase
        if phase == "ready":
            from trustdialog.ui.screens.ready import ReadyScreen

            return ReadyScreen(session.exercise)
        from trustdialog.ui.screens.exercise import ExerciseScreen

        return ExerciseScreen()

    def switch_to(self, screen: Screen) -> None:
        """Replace the flow screen on top of the welcome screen (the welcome stays below)."""
        self._pop_to_welcome()
        self.push_screen(screen)

    def _pop_to_welcome(self) -> None:
        from trustdialog.ui.screens.welcome import WelcomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, WelcomeScreen):
            self.pop_screen()

    def show_picker(self) -> None:
        from trustdialog.ui.screens.picker import PickerScreen

        self.conversation.leave()
        self.switch_to(PickerScreen())

    def show_welcome(self) -> None:
        self.conversation.leave()
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
        if self.session is None:
            keys += [("F3", "on the start screen: the unfinished sessions"),
                     ("F4", "on the start screen: progress and your promises")]
        if self.session is not None:
            keys += [("Tab", "next blank"), ("Enter", "next blank, or send on the last"),
                     ("ctrl+s", "send your answer")]
            keys += room_messages.room_keys(self.conversation.facilitating, self.conversation.may_call)
        return keys

    def focused_partner(self) -> str | None:
        """The partner whose pane holds the focus, on a screen that has panes."""
        screen = self.screen
        return screen.focused_partner() if isinstance(screen, messages.HasPanes) else None

    def current_role(self) -> str | None:
        """The role of the partner who is acting now (or whose pane has focus)."""
        session = self.session
        if session is None:
            return None
        partner = self.conversation.acting_partner(self.focused_partner())
        return session.state.roles[partner] if partner else None

    def action_help(self) -> None:
        from trustdialog.ui.overlays.help import HelpScreen

        if isinstance(self.screen, HelpScreen):  # F1 on the open rules closes them (their binding)
            return
        exercise = self.session.exercise if self.session else None
        self.push_screen(HelpScreen(exercise, self.current_role(), self.key_help_list()))

    def action_resources(self) -> None:
        from trustdialog.resources import load_resources
        from trustdialog.ui.overlays.resources import ResourcesScreen

        if isinstance(self.screen, ResourcesScreen):  # already open
            return
        self.push_screen(ResourcesScreen(load_resources(extra_dirs=self.extra_dirs)))

    def action_time_out(self) -> None:
        # ctrl+t, ctrl+r and ctrl+q are priority bindings, so they reach the app even
        # while a modal overlay is open: each returns early if its own overlay is
        # already on top, instead of stacking a second copy on the first.
        if _on_top(self, "timeout", "TimeOutScreen"):
            return
        partner = self.conversation.acting_partner(self.focused_partner())
        refusal = self.conversation.may_pause(partner)
        if refusal is not None:
            self.notify(refusal.message, title="Time-out")
            return
        from trustdialog.ui.overlays.timeout import TimeOutScreen

        self.push_screen(TimeOutScreen(self.clock()),
                         lambda resume_at: self._on_time_out(partner, resume_at))

    def _on_time_out(self, partner: str | None, resume_at: float | None) -> None:
        if resume_at is None or partner is None:
            return
        refusal = self.conversation.pause(partner, resume_at)
        if refusal is not None:
            self.notify(refusal.message, title="Time-out")
            return
        self.show_paused()

    def show_paused(self) -> None:
        """The soothing pause note; its key resumes the exercise."""
        from trustdialog.ui.overlays.timeout import PausedScreen

        session = self.session
        assert session is not None
        # Whoever is at the keys when the pause ends resumes it: the pane that
        # had the focus, or the partner who asked for the time-out.
        partner = self.conversation.acting_partner(self.focused_partner()) or self.conversation.paused_by()
        self.push_screen(PausedScreen(session.state.resume_at, self.clock(),
                                      session_id=self._saved_id(),
                                      over_ssh=self.conversation.identity is not None),
                         lambda resume: self._on_paused_closed(partner, resume))

    def _on_paused_closed(self, partner: str | None, resume: bool | None) -> None:
        if not resume or self.session is None or partner is None:
            return
        self._notify_refusal(self.conversation.resume_from_pause(partner), "Resume")
        self._redraw()

    def action_quick_exit(self) -> None:
        from trustdialog.ui.overlays.quick_exit import quick_exit

        quick_exit(self)

    def action_request_quit(self) -> None:
        if _on_top(self, "confirm_quit", "ConfirmQuitScreen"):
            return
        running = self.session is not None and not self.session.state.finished
        if not running:
            self.exit()
            return
        from trustdialog.ui.overlays.confirm_quit import ConfirmQuitScreen

        # The session's own store decides, not the app's: saving may have stopped mid-way.
        self.push_screen(ConfirmQuitScreen(session_id=self._saved_id(), session=self.session,
                                           over_ssh=self.conversation.identity is not None),
                         lambda quit: self.exit() if quit else None)

    def _saved_id(self) -> str | None:
        """The running session's id, if all of it is saved to disk (so `resume ID` finds it whole)."""
        if self.session is None or not self.session.persistent:
            return None
        return self.session.id


def _on_top(app: App, module: str, name: str) -> bool:
    """Whether the top screen is the overlay `name` (its module is not imported for this)."""
    return type(app.screen).__name__ == name and type(app.screen).__module__ == (
        f"trustdialog.ui.overlays.{module}")


def _pick_theme(wanted: str | None, available: Mapping[str, Any]) -> str:
    """TEXTUAL_THEME if it names a theme, else the pinned default (never a crash)."""
    return wanted if wanted and wanted in available else DEFAULT_THEME


def _one_line(error: object) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


def make_app(*, library: Library | None = None, store: Store | None = None, clock: Callable[[], float] = time.time,
             names: Mapping[str, str] | None = None, owner: str | None = None,
             role: str | None = None, resume_id: str | None = None,
             data_dir: Path | None = None, no_save: bool = False,
             extra_dirs: tuple[str, ...] = (), identity: Identity | None = None) -> TrustDialogApp:
    """The app with its parts injected (tests pass a fixture library, a MemoryStore, a clock).

    Without a store, the app opens one (in `data_dir`, or in memory with `no_save`)
    after its first frame is shown.
    """
    from trustdialog.identity import Identity

    if identity is None:
        identity = Identity.from_env()  # set by the SSH server; None at a local terminal
    if owner is None and identity is not None:
        # Sessions belong to the couple: both partners see and resume them.
        owner = identity.couple if identity.role == "client" and identity.couple else identity.person
    role = role if role is not None else (identity.role if identity else None)
    return TrustDialogApp(library=library, store=store, clock=clock, names=names, owner=owner,
                          role=role, resume_id=resume_id, data_dir=data_dir, no_save=no_save,
                          extra_dirs=extra_dirs, identity=identity)
