"""The first screen: what this is (and is not), privacy, both names, unfinished sessions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from trustdialog.ui.widgets.answer_input import AnswerInput
from trustdialog.ui.heap import freeze_heap
from trustdialog.ui.messages import ForgetSession, NamesChosen, SessionChosen
from trustdialog.ui.widgets.key_footer import KeyFooter
from trustdialog.ui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from trustdialog.store.protocol import Watch
    from trustdialog.presence import Someone
    from trustdialog.store import SessionInfo
    from trustdialog.ui.app import TrustDialogApp

WHAT = (
    "Guided conversations for two partners at one keyboard. You take turns, one pane each, "
    "through short exercises that help you listen and be heard."
)
WHAT_OVER_SSH = (
    "Guided conversations for two partners. You take turns, one pane each, through short "
    "exercises that help you listen and be heard. {who}"
)
NOT_THERAPY = (
    "This is a communication exercise, not therapy. It is not for relationships with "
    "violence, threats or fear. If that is you, press ctrl+r for places to get help."
)
QUICK_EXIT = "Quick exit: ctrl+x clears the screen and quits at once, from anywhere."


class WelcomeScreen(Screen):
    """Welcome, safety, privacy, names; then on to the picker (or back to a saved session)."""

    BINDINGS = [
        Binding("f4", "progress", "Progress", id="progress"),
        Binding("f3", "continue_session", "Continue a session", id="continue_session"),
        # F8 from anywhere on the welcome; Delete on the list itself (in a name it deletes a letter).
        Binding("f8,delete", "forget_session", "Delete session", id="forget_session", show=False),
        Binding("ctrl+n", "start", "Choose exercise", id="start", show=False),
        Binding("f5", "join", "Join", id="join"),  # offered only while the other partner is on a session
    ]

    # People start by typing their names: the first one takes the focus, selected
    # (select_on_focus). Named here, not focused in on_mount: Textual would first
    # focus the scrolling container, restyling the whole screen twice before the
    # first frame.
    AUTO_FOCUS = "#name-a"

    _can_continue = False  # set once the store is open and has unfinished sessions
    _seen_version: int | None = None  # the store's version when the list was last filled
    _listed: tuple[tuple[str, str | None], ...] | None = None  # the sessions the list shows, and their calls
    _offered: str | None = None  # the session the other partner began and is on, offered to join
    _watch: Watch | None = None  # told when anything is written to the store

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome"):
            yield Static(Text("trustdialog", style="bold"), id="welcome-title")
            with Horizontal(id="join-offer"):  # shown while the other partner is on a session
                yield Static("", id="join-text")
                yield Button("Join (F5)", variant="primary", id="join", compact=True)
            yield Static(Text(self._what()), classes="para")
            yield Static(Text(NOT_THERAPY), classes="para safety")
            yield Static(Text(QUICK_EXIT), classes="para")
            yield Static(self._privacy(), classes="para", id="privacy")
            with Horizontal(id="names"):
                with Vertical(classes="name"):
                    yield Label("Partner A, left pane:")
                    yield self._name_input("a")
                with Vertical(classes="name"):
                    yield Label("Partner B, right pane:")
                    yield self._name_input("b")
            with Horizontal(id="welcome-actions"):
                yield Button("Choose an exercise", variant="primary", id="start")
                yield Button("Progress (F4)", id="progress")
            # The library note and the unfinished sessions are mounted after the
            # first frame, and only if there is something to show: fewer widgets
            # (and no OptionList styles) before people see the screen.
        yield KeyFooter()

    def _name_input(self, partner: str) -> AnswerInput:
        # The default name is selected whenever the field takes the focus, so
        # typing a name replaces it instead of adding to "Partner A".
        return AnswerInput(value=self.trust.names[partner], placeholder=f"Partner {partner.upper()}",
                           id=f"name-{partner}", max_length=40, compact=True,
                           select_on_focus=True)

    def _what(self) -> str:
        identity = self.trust.conversation.identity
        if identity is None:
            return WHAT
        if identity.role == "facilitator":
            who = f"You are logged in as {identity.person}, facilitator: you see every couple's sessions."
        elif identity.partner is not None:
            who = (f"You are logged in as {identity.person}, partner {identity.partner.upper()} "
                   f"of {identity.couple}: your partner joins from their own screen.")
        else:
            who = f"You are logged in as {identity.person}; both panes are yours to type in."
        return WHAT_OVER_SSH.format(who=who)

    def _privacy(self) -> Text:
        if self.trust.conversation.identity is not None:
            # Over SSH the data lives on the server: say what is true there.
            kept = ("Sessions are kept on this server for you; to come back to one, connect again "
                    "and choose it below. F8 deletes the highlighted one for good."
                    if self.trust.saving else "Saving is off: nothing is kept once you leave.")
            return Text("Privacy: your facilitator may see everything you send. " + kept)
        if self.trust.saving:
            saving = ("Saving is on (readable by your user only; starting with --no-save keeps "
                      "nothing; F8 deletes a listed session for good).")
        else:
            saving = "Saving is off: nothing is written to disk."
        return Text(
            "Privacy: both of you see both panes, and a facilitator may see everything. " + saving
        )

    @property
    def trust(self) -> TrustDialogApp:
        return cast("TrustDialogApp", self.app)

    def on_mount(self) -> None:
        self.query_one("#join-offer").display = False
        # The store and the library are opened after the first frame: the welcome
        # can be read (and typed into) without them.
        self.trust.after_first_frame(self._after_first_frame)

    def _after_first_frame(self) -> None:
        if not self.trust.open_store_or_fail():
            return
        self.query_one("#privacy", Static).update(self._privacy())  # a fallback may have changed it
        self._fill_resume_list()
        self._library_note()
        store = self.trust.store
        if store.persistent:
            from trustdialog.ui.screens.exercise import OTHERS_FALLBACK_POLL, OTHERS_POLL

            # A session begun on another connection (the partner's) shows up here: looked for
            # when the store is written, or ten times a second where it cannot tell.
            self._seen_version = store.version()
            self._watch = store.watch(None, self._follow_store)
            self.set_interval(OTHERS_POLL if self._watch is None else OTHERS_FALLBACK_POLL,
                              self._follow_store)
            if self.trust.conversation.bound_partner is not None:
                from trustdialog.ui.screens.exercise import PRESENCE_POLL

                # The other partner may come onto (or leave) a session without a turn saved.
                self._show_join_offer()
                self.set_interval(PRESENCE_POLL, self._show_join_offer)
        freeze_heap()  # the first screen and the library are the bulk of the heap; see freeze_heap

    def on_unmount(self) -> None:
        if self._watch is not None:
            self._watch.close()

    def on_screen_resume(self) -> None:
        if self.trust.store_is_open:
            self._listed = None  # back from a session: its line may read differently now
            self._fill_resume_list()
            self._offered = None
            self._show_join_offer()

    def _library_note(self) -> None:
        try:
            library = self.trust.library
        except Exception as error:  # never crash over a library; say it calmly
            self._show_note(safe(f"The exercise library could not be read: {error}"))
            return
        problems = len(library.diagnostics)
        if problems:
            note = (f"{problems} problem{'s' if problems != 1 else ''} in the exercise files; "
                    "those exercises are left out (trustdialog check shows where).")
            self._show_note(Text(note))

    def _show_note(self, note: Text) -> None:
        self.query_one("#welcome", VerticalScroll).mount(
            Static(note, id="library-note", classes="note"), after="#welcome-actions")

    @property
    def in_front(self) -> bool:
        # Not Textual's is_current, which is also true for the screen just behind the front one:
        # this screen stays behind a whole exercise, and redrawing its list there on every write
        # to the store repainted the exercise in front, at every other session's pause.
        return self.app.screen is self

    def _follow_store(self) -> None:
        if not self.in_front:
            return
        version = self.trust.store.version()
        if version != self._seen_version:
            self._seen_version = version
            self._fill_resume_list()
            self._show_join_offer()

    def _show_join_offer(self) -> None:
        """"Sam started <exercise> — join?" while the other partner is on a session of the couple."""
        if not self.in_front:
            return
        partner = self.trust.conversation.bound_partner
        found = None
        if partner is not None and self.trust.store_is_open:
            found = begun_by_other(self.trust.unfinished_sessions(), self.trust.conversation.present_on,
                                   partner)
        offered = found.id if found is not None else None
        if offered == self._offered:
            return
        self._offered = offered
        self.query_one("#join-offer").display = found is not None
        if found is not None and partner is not None:
            other = "b" if partner == "a" else "a"
            # "started" while this partner has not taken part yet; back to one they were on: "is on".
            verb = "is on" if self._took_part(found.id, partner) else "started"
            line = Text(f"{clean(found.names.get(other, 'Your partner'))} {verb} ")
            line.append(clean(found.title), style="italic")
            line.append(" — join?")
            self.query_one("#join-text", Static).update(line)
            focused = self.focused
            if focused is None or (focused.id == "name-a" and not self._names_typed()):
                self.query_one("#join", Button).focus()  # Enter joins, as F5 does
        self.refresh_bindings()

    def _took_part(self, session_id: str, partner: str) -> bool:
        from trustdialog.store import StoreError

        try:
            return any(e.partner == partner for e in self.trust.store.events(session_id))
        except StoreError:
            return False

    def _names_typed(self) -> bool:
        return any(self.query_one(f"#name-{p}", AnswerInput).value != self.trust.names[p] for p in "ab")

    def action_join(self) -> None:
        if self._offered is not None:
            self.post_message(SessionChosen(self._offered))

    def _fill_resume_list(self) -> None:
        sessions = self.trust.unfinished_sessions()[:20]
        calls = self._calls(sessions)
        listed = tuple((s.id, calls.get(s.id)) for s in sessions)
        if listed == self._listed:
            return  # unchanged: keep the highlight where the person left it
        self._listed = listed
        options = [Option(safe(describe(s, calls.get(s.id))), id=s.id) for s in sessions]
        shown = self._can_continue = bool(sessions)
        found = self.query("#resume-list")
        if found:
            resume_list = found.first(OptionList)
            resume_list.clear_options()
            resume_list.add_options(options)
        elif shown:
            resume_list = OptionList(*options, id="resume-list")
            self.query_one("#welcome-actions").mount(
                Button("Continue a session", id="continue"), before="#progress")
            self.query_one("#welcome", VerticalScroll).mount_all(
                [Label("Unfinished sessions (Enter to continue):", id="resume-label"), resume_list])
        else:
            return
        if shown:
            resume_list.highlighted = 0
        for part in ("#continue", "#resume-label", "#resume-list"):
            self.query_one(part).display = shown
        self.refresh_bindings()

    def _calls(self, sessions: list[SessionInfo]) -> dict[str, str]:
        """For a facilitator, "Sam asked for you" by session, so a call is seen from the list too."""
        if not self.trust.sees_everyone or not sessions:
            return {}
        from trustdialog.calls import calls_by_session

        return calls_by_session(self.trust.store, sessions)

    def _names(self) -> dict[str, str]:
        names = {}
        for partner in ("a", "b"):
            typed = clean(self.query_one(f"#name-{partner}", AnswerInput).value).strip()
            names[partner] = " ".join(typed.split()) or f"Partner {partner.upper()}"
        if names["a"] == names["b"]:
            names["b"] += " (2)"
        return names

    def on_input_submitted(self, event: AnswerInput.Submitted) -> None:
        if event.input.id == "name-a":
            self.query_one("#name-b", AnswerInput).focus()
        else:
            self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "progress":
            self.action_progress()
        elif event.button.id == "continue":
            self.action_continue_session()
        elif event.button.id == "join":
            self.action_join()

    def action_continue_session(self) -> None:
        """Straight to the unfinished sessions, from wherever the focus is."""
        self.query_one("#resume-list", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The keys are offered only while there is a session to continue (or delete).
        if action in ("continue_session", "forget_session"):
            return self._can_continue
        if action == "join":
            return self._offered is not None
        return True

    def action_forget_session(self) -> None:
        """Delete the highlighted saved session, once the person has said yes."""
        found = self.query("#resume-list")
        if not found or not self._can_continue:
            return
        options = found.first(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is None:
            return
        from trustdialog.ui.overlays.confirm_forget import ConfirmForgetScreen

        session_id = option.id
        self.trust.push_screen(ConfirmForgetScreen(str(option.prompt)),
                               lambda yes: self.post_message(ForgetSession(session_id)) if yes else None)

    def render_state(self) -> None:
        """Fill the list again (a session was deleted, or began elsewhere)."""
        if self.trust.store_is_open:
            self._listed = None
            self._fill_resume_list()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(SessionChosen(event.option.id))

    def action_start(self) -> None:
        self.post_message(NamesChosen(self._names()))

    def action_progress(self) -> None:
        from trustdialog.ui.progress_screen import ProgressScreen

        app = self.trust
        app.push_screen(ProgressScreen(app.store, None if app.sees_everyone else app.owner,
                                       exercises=app.library.exercises))


def describe(info: SessionInfo, call: str | None = None) -> str:
    """One line for a saved session: title, names, when it was last touched (and an open call)."""
    when = time.strftime("%d %b %H:%M", time.localtime(info.updated_at))
    names = " and ".join(info.names.get(p, p) for p in ("a", "b"))
    return f"{info.title} · {names} · {when}" + (f" · {call}" if call else "")


def begun_by_other(sessions: list[SessionInfo], present: Callable[[str], list[Someone]],
                   partner: str) -> SessionInfo | None:
    """The newest of the couple's unfinished sessions that the other partner is on now."""
    other = "b" if partner == "a" else "a"
    for info in sessions:  # newest first
        if any(someone.partner == other for someone in present(info.id)):
            return info
    return None
