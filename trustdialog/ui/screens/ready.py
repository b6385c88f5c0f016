"""The ready check: is now a good time for both of you? Each partner answers for themself."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from trustdialog.engine import PARTNERS
from trustdialog.exercise.model import Exercise
from trustdialog.ui.messages import BackToStart, NotNow, PartnerReady, TurnsArrived
from trustdialog.ui.widgets.key_footer import KeyFooter
from trustdialog.ui.widgets.safe_text import safe

if TYPE_CHECKING:
    from textual.timer import Timer

    from trustdialog.engine import SessionState
    from trustdialog.store.protocol import Watch
    from trustdialog.ui.app import TrustDialogApp

QUESTION = "Is now a good time for both of you?"
WHY = (
    "Talking like this works best when you are both fairly calm, have time, and will not be "
    "interrupted. Each of you answers for yourself. \"Not now\" is a good answer too."
)
NOT_NOW = (
    "That is fine. Saying \"not now\" is part of this, not a failure. Agree on a time that "
    "works for both of you and come back to it then."
)


class ReadyScreen(Screen):
    """Both partners say yes before the first step; "not now" ends calmly."""

    # The focus goes to this end's own yes (see _refresh); auto-focus could take the other
    # partner's, which is not displayed on a connection tied to one partner.
    AUTO_FOCUS = ""
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise

    def compose(self) -> ComposeResult:
        names = self.trust.names
        with VerticalScroll(id="ready"):
            yield Static(safe(f"{self.exercise.title} · about {self.exercise.minutes} minutes",
                              style="bold"), id="ready-title")
            yield Static(Text(QUESTION, style="bold"), id="ready-question")
            yield Static(Text(WHY), classes="para")
            with Horizontal(id="ready-partners"):
                for partner in PARTNERS:
                    with Vertical(classes="ready-partner", id=f"ready-{partner}"):
                        yield Static(safe(names[partner], style="bold"), classes="ready-name")
                        yield Button("Yes, now is good", variant="primary",
                                     id=f"yes-{partner}", classes="yes")
                        yield Button("Not now", id=f"no-{partner}", classes="no")
                        yield Static("", id=f"status-{partner}", classes="ready-status")
            with Vertical(id="not-now"):
                yield Static(Text(NOT_NOW), classes="para")
                yield Static("", id="not-now-kept", classes="para")
                with Horizontal(classes="buttons"):
                    yield Button("Back to the start", id="back", variant="primary")
                    yield Button("Ask again", id="again")
        yield KeyFooter()

    _watch: Watch | None = None  # told when another process adds to the session
    _watching: str | None = None  # the session it is for (there is none before the first yes)
    _polling: Timer | None = None

    def on_mount(self) -> None:
        from trustdialog.ui.screens.exercise import OTHERS_POLL

        self.query_one("#not-now").display = False
        self._refresh()
        # The other partner may answer on their own connection: follow it live, ten times a
        # second until the store can say when the session is written (see _watch_session).
        self._polling = self.set_interval(OTHERS_POLL, self._follow)

    def on_unmount(self) -> None:
        if self._watch is not None:
            self._watch.close()

    def _watch_session(self) -> None:
        """Once there is a session, be told when it is written, and poll only seldom."""
        session = self.trust.session
        if session is None or session.id == self._watching:
            return
        from trustdialog.ui.screens.exercise import OTHERS_FALLBACK_POLL, OTHERS_POLL

        if self._watch is not None:
            self._watch.close()
        self._watching = session.id
        self._watch = session.watch(lambda: self.call_later(self._follow))
        if self._polling is not None:
            self._polling.stop()
        self._polling = self.set_interval(OTHERS_POLL if self._watch is None else OTHERS_FALLBACK_POLL,
                                          self._follow)

    def _follow(self) -> None:
        session = self.trust.session
        if session is None or not session.persistent or not self.is_current:
            return
        self._watch_session()
        from trustdialog.store import StoreError

        try:
            moved = session.catch_up()
        except StoreError:  # a busy read: the next look tries again
            return
        if moved:
            self.post_message(TurnsArrived())

    @property
    def trust(self) -> TrustDialogApp:
        return cast("TrustDialogApp", self.app)

    def _state(self) -> SessionState | None:
        session = self.trust.session
        return session.state if session is not None else None

    def _refresh(self) -> None:
        state = self._state()
        ready = state.ready if state is not None else frozenset()
        names = self.trust.names
        for partner in PARTNERS:
            done = partner in ready
            # Each partner answers for themself: on a connection tied to one partner,
            # the other's buttons are not here, only whether they have said yes.
            mine = self._mine(partner)
            self.query_one(f"#yes-{partner}", Button).display = mine and not done
            self.query_one(f"#no-{partner}", Button).display = mine and not done
            waiting = Text(f"waiting for {names[partner]}", style="italic")
            self.query_one(f"#status-{partner}", Static).update(
                Text("✓ ready", style="bold") if done else (Text("") if mine else waiting)
            )
        for partner in PARTNERS:
            if partner not in ready and self._mine(partner):
                self.query_one(f"#yes-{partner}", Button).focus()
                break

    def _mine(self, partner: str) -> bool:
        return self.trust.conversation.may_act(partner) is None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("yes-"):
            self._ready(button[-1])
        elif button.startswith("no-"):
            self._not_now(button[-1])
        elif button == "back":
            self.action_back()
        elif button == "again":
            self.query_one("#not-now").display = False
            self.query_one("#ready-partners").display = True
            self._refresh()

    def render_state(self) -> None:
        """Redraw after the app took a partner's answer."""
        self._refresh()

    def _ready(self, partner: str) -> None:
        self.post_message(PartnerReady(partner))

    def _not_now(self, partner: str) -> None:
        self.post_message(NotNow(partner))
        self.query_one("#ready-partners").display = False
        self.query_one("#not-now").display = True
        kept = self.query_one("#not-now-kept", Static)
        # "Not now" is recorded and closes this check: nothing is left half-started.
        kept.update("")
        self.query_one("#back", Button).focus()

    def action_back(self) -> None:
        self.post_message(BackToStart())
