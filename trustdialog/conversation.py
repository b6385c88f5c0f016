"""The one owner of the running conversation: which exercise, whose names, the session, every change.

The app holds one Conversation; screens never create, replace or end a
session themselves. They post messages (trustdialog.ui.messages), the app
hands each to the method here of the same meaning, and the screens then
render what this object holds. Nothing here imports Textual: the flow
decisions that are not the engine's are tested without a screen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    from trustdialog.exercise.model import Exercise
    from trustdialog.identity import Identity
    from trustdialog.presence import Here, Someone
    from trustdialog.session import Session
    from trustdialog.store import SessionInfo
    from trustdialog.store.protocol import Store

# The engine, the session and the store are imported by the methods that use
# them: the app makes its Conversation before its first frame, and a plain
# start shows that frame before any of them is loaded.

log = logging.getLogger("trustdialog")

# A server store that cannot be reached keeps the turn in its box: a wait, not a loss.
NOT_SENT = ("Not sent yet: the database cannot be reached just now. "
            "What you wrote is still here; send it again in a moment.")

DEFAULT_NAMES: Mapping[str, str] = {"a": "Partner A", "b": "Partner B"}


@dataclass(frozen=True)
class Refusal:
    """Why an action did not happen, in calm words for the screen that asked."""

    message: str


def calm(message: str) -> str:
    """Engine messages read as a gentle note, not an error."""
    message = " ".join(message.split())
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def one_line(error: object) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


class Conversation:
    """The running session and what leads to it, owned in one place."""

    def __init__(self, store: Callable[[], Store], exercises: Callable[[], Mapping[str, Exercise]],
                 *, clock: Callable[[], float] = time.time,
                 names: Mapping[str, str] | None = None, owner: str | None = None,
                 identity: Identity | None = None) -> None:
        self._store = store
        self._exercises = exercises
        self.clock = clock
        self.owner = owner
        # Who is at this end (None at a local terminal: both partners, one keyboard).
        self.identity = identity
        # A facilitator who opened a session someone else is playing only watches.
        self.observing = False
        self.names: dict[str, str] = dict(names or DEFAULT_NAMES)
        self.exercise: Exercise | None = None  # chosen, before the session exists
        self._session: Session | None = None
        self._here: Here | None = None  # this end's presence on the running session
        # How many events the running session had when this end came onto it: what came
        # after (a nudge while the partners said whether they are ready) is news here.
        self.joined_at = 0
        self._checked_in: set[str] = set()  # sessions whose check-in was offered this run

    @property
    def session(self) -> Session | None:
        """The running session, if any."""
        return self._session

    @session.setter
    def session(self, session: Session | None) -> None:
        if session is self._session:
            return
        if self._here is not None:
            self._here.leave()
            self._here = None
        self._session = session
        if session is not None:
            self.joined_at = len(session.events)
            self._here = self._join(session)

    def _join(self, session: Session) -> Here | None:
        """Be seen on a saved session by the other connections on it (see trustdialog.presence)."""
        roll = session.store.presence() if session.persistent else None
        if roll is None:
            return None
        identity = self.identity
        who = identity.person if identity is not None else "local"
        role = identity.role if identity is not None else "local"
        return roll.join(session.id, who, role, self.bound_partner)

    def writing(self) -> None:
        """Someone at this end is typing (the others see "writing…", never the words)."""
        if self._here is not None:
            self._here.writing()

    def present(self) -> list[Someone]:
        """Everyone on the running session now, this end included; empty when it is not saved."""
        session = self._session
        roll = session.store.presence() if session is not None else None
        if session is None or roll is None or self._here is None:
            return []
        return roll.present(session.id, self._here)

    def present_on(self, session_id: str) -> list[Someone]:
        """Everyone on another of the store's sessions now (the welcome's join offer)."""
        roll = self._store().presence()
        return roll.present(session_id) if roll is not None else []

    # -- before a session ---------------------------------------------------------

    def set_names(self, names: Mapping[str, str]) -> None:
        self.names = dict(names)

    def choose(self, exercise_id: str) -> None:
        """An exercise was picked: its ready check comes next, with no session yet."""
        self.exercise = self._exercises()[exercise_id]
        self.session = None
        self.observing = False

    def leave(self) -> None:
        """Back to the start or the picker: nothing is running any more (all of it is kept)."""
        self.session = None
        self.exercise = None

    def ready(self, partner: str) -> Refusal | None:
        """One partner says now is a good time; the session begins with the first yes."""
        from trustdialog import engine
        from trustdialog.session import Session
        from trustdialog.store import StoreError

        refusal = self.may_act(partner)
        if refusal is not None:
            return refusal
        if self.session is None:
            if self.exercise is None:
                return Refusal("Choose an exercise first.")
            begun = self._begun_by_partner(partner)
            if begun is not None and self.resume(begun) is None:
                # The other partner chose the same exercise on their own screen first:
                # this yes joins their session rather than opening a second, half-open one.
                return self.send(engine.EventKind.READY, partner)
            try:
                self.session = Session.new(self._store(), self.exercise, self.names,
                                           owner=self.owner, clock=self.clock)
            except StoreError as error:
                return Refusal(f"Could not save: {one_line(error)}")
        return self.send(engine.EventKind.READY, partner)

    def _begun_by_partner(self, partner: str) -> str | None:
        """The couple's newest session of the chosen exercise that the other partner has said
        yes to and that waits for this one (only on a connection tied to one partner)."""
        from trustdialog import engine
        from trustdialog.store import StoreError

        if self.bound_partner != partner or self.exercise is None:
            return None
        try:
            for info in self.unfinished():  # newest first
                if info.exercise_id != self.exercise.id:
                    continue
                kinds = [(e.kind, e.partner) for e in self._store().events(info.id)]
                if kinds and all(kind == engine.READY and who != partner for kind, who in kinds):
                    return info.id
        except StoreError:
            return None  # a new session is begun as before; the listing says what is wrong
        return None

    def not_now(self, partner: str) -> Refusal | None:
        """One partner says not now: recorded when a session has begun, so it is not left half-open."""
        from trustdialog import engine

        if self.session is None:
            return None  # nothing began: nothing to keep
        refusal = self.send(engine.EventKind.NOT_NOW, partner)
        if refusal is None:
            # That session is closed; "ask again" begins a new one with the next yes.
            self.session = None
        return refusal

    # -- a session ------------------------------------------------------------------

    def send(self, kind: str, partner: str, **data: object) -> Refusal | None:
        """Apply one partner's action; a calm refusal if it does not fit or cannot be saved.

        `kind` is an `engine.EventKind` (or its bare value, which is equal).
        """
        from trustdialog.engine import FlowError
        from trustdialog.store import StoreError, StoreUnreachable

        if self.session is None:
            return Refusal("No exercise is running.")
        refusal = self.may_act(partner)
        if refusal is not None:
            return refusal
        try:
            self.session.submit(kind, partner, by=self.sender, **data)
        except FlowError as error:
            return Refusal(calm(str(error)))
        except StoreUnreachable as error:
            log.warning("turn not sent: %s", one_line(error))
            return Refusal(NOT_SENT)
        except StoreError as error:
            return Refusal(f"Could not save: {one_line(error)}")
        return None

    def may_act(self, partner: str) -> Refusal | None:
        """Whether this end may act for `partner`: input is bound to the person.

        On a connection the server tied to partner A, only A's turns are sent from
        here; a facilitator watching a couple's session sends none. At one terminal
        (no identity, or a client who is a couple of one) both panes take input.
        """
        names = self.session.state.names if self.session is not None else self.names
        if self.observing:
            return Refusal("You are watching this session; the partners answer on their own screens.")
        bound = self.bound_partner
        if bound is not None and partner != bound:
            other = names.get(partner, f"partner {partner.upper()}")
            return Refusal(f"{other} answers on their own screen.")
        return None

    @property
    def sender(self) -> str:
        """Who this end is, as each event it sends records it."""
        identity = self.identity
        if identity is None:
            return "local"
        couple = f", {identity.couple} partner {identity.partner.upper()}" if identity.partner else ""
        return f"{identity.person}, {identity.role}{couple}"

    @property
    def bound_partner(self) -> str | None:
        """The partner this end plays, when the server tied the connection to one."""
        identity = self.identity
        if identity is None or identity.role != "client":
            return None
        return identity.partner

    def adopt(self, session: Session) -> None:
        """Run a session made elsewhere (a test's, or one handed over whole)."""
        self.session = session
        self.exercise = session.exercise
        self.names = dict(session.state.names)

    def acting_partner(self, focused: str | None) -> str | None:
        """Who an app-wide key (time-out, rules) speaks for.

        Over SSH a connection is one partner; at one terminal it is the partner
        whose pane has the focus, else the one who holds the floor. When both
        hold it and neither pane has the focus, it is the first of them: the
        pause is for both of them anyway, and the log says whose key it was.
        """
        from trustdialog import engine

        session = self.session
        if session is None:
            return None
        if self.bound_partner is not None:
            return self.bound_partner  # a connection tied to one partner speaks for them
        if focused is not None:
            return focused
        turn = engine.on_turn(session.state)
        return turn[0] if turn else None

    def may_pause(self, partner: str | None) -> Refusal | None:
        """Whether a time-out can begin now (the engine's rule), before the time is asked."""
        from trustdialog import engine

        session = self.session
        if session is None or partner is None or engine.EventKind.PAUSED not in engine.allowed(session.state, partner):
            return Refusal("A time-out pauses a running exercise; none is running now.")
        return None

    def pause(self, partner: str, resume_at: float) -> Refusal | None:
        from trustdialog import engine

        return self.send(engine.EventKind.PAUSED, partner, resume_at=resume_at, note="")

    def resume_from_pause(self, partner: str) -> Refusal | None:
        from trustdialog import engine

        return self.send(engine.EventKind.RESUMED, partner)

    def paused_by(self) -> str | None:
        """The partner who asked for the pause that is on now."""
        from trustdialog import engine

        session = self.session
        if session is None or not session.state.paused:
            return None
        for event in reversed(session.events):
            if event.kind == engine.EventKind.PAUSED:
                return event.partner
        return None

    # -- the facilitator in the room: notes, nudges, calls (trustdialog.engine.room) ------

    @property
    def facilitating(self) -> bool:
        """Whether this end is a facilitator: notes and nudges are theirs alone."""
        return self.identity is not None and self.identity.role == "facilitator"

    @property
    def may_call(self) -> bool:
        """Whether a partner here can call a facilitator: over SSH only, where one can answer."""
        return self.identity is not None and self.identity.role == "client"

    def nudge(self, text: str) -> Refusal | None:
        """A short message from the facilitator to both partners' screens, kept in the log."""
        from trustdialog.engine import NUDGED
        from trustdialog.engine.room import NUDGE_TO

        if not self.facilitating or self.identity is None:
            return Refusal("Only a facilitator can send a nudge.")
        if not text.strip():
            return Refusal("Write a few words, or pick one of the ready-made nudges.")
        return self._say_in_room(NUDGED, NUDGE_TO, text=text, **{"from": self.identity.person})

    def call_facilitator(self, partner: str | None) -> Refusal | None:
        """One partner asks for the facilitator: it stands on their screen until answered."""
        from trustdialog.engine import CALLED

        if not self.may_call or partner is None:
            return Refusal("There is no facilitator to call from this terminal.")
        refusal = self.may_act(partner)
        if refusal is not None:
            return refusal
        if partner in self.open_calls():
            return Refusal("The facilitator has been asked already; they will be with you soon.")
        return self._say_in_room(CALLED, partner)

    def answer_call(self, partner: str) -> Refusal | None:
        """The facilitator has seen a partner's call (answered, or set it aside)."""
        from trustdialog.engine import CALL_ANSWERED

        if not self.facilitating:
            return Refusal("Only a facilitator answers a call.")
        return self._say_in_room(CALL_ANSWERED, partner)

    def open_calls(self) -> tuple[str, ...]:
        """The partners of the running session whose call is not answered yet."""
        from trustdialog.engine.room import open_calls

        return open_calls(self.session.events) if self.session is not None else ()

    def add_note(self, text: str) -> Refusal | None:
        """A facilitator's private note on the running session, at the step it is on."""
        from trustdialog.notes import MAX_NOTE, where
        from trustdialog.store import StoreError

        session = self.session
        if not self.facilitating or self.identity is None:
            return Refusal("Notes are the facilitator's.")
        if session is None:
            return Refusal("No exercise is running.")
        if not text.strip():
            return Refusal("The note is empty; nothing was kept.")
        if len(text) > MAX_NOTE:
            return Refusal(f"A note is at most {MAX_NOTE} characters; this one has {len(text)}.")
        at = where(session.state)
        try:
            session.store.add_note(session.id, text, author=self.identity.person, at=self.clock(),
                                   step=at.step, round=at.round, label=at.label)
        except StoreError as error:
            return Refusal(f"Could not save the note: {one_line(error)}")
        return None

    def _say_in_room(self, kind: str, partner: str, **data: object) -> Refusal | None:
        """Record a room event: not a move, so a watching facilitator may say it too."""
        from trustdialog.engine import FlowError
        from trustdialog.store import StoreError

        if self.session is None:
            return Refusal("No exercise is running.")
        try:
            self.session.submit(kind, partner, by=self.sender, **data)
        except FlowError as error:
            return Refusal(calm(str(error)))
        except StoreError as error:
            return Refusal(f"Could not save: {one_line(error)}")
        return None

    def resume(self, session_id: str) -> Refusal | None:
        """Pick a saved session back up, with the names it was started with."""
        from trustdialog.engine import FlowError
        from trustdialog.session import Session
        from trustdialog.store import StoreError

        try:
            info = self._store().info(session_id)
        except StoreError as error:
            return Refusal(one_line(error))
        exercise = self._exercises().get(info.exercise_id)
        if exercise is None:
            return Refusal(f"The exercise {info.exercise_id!r} of this session is not in the library.")
        try:
            session = Session.resume(self._store(), exercise, session_id, clock=self.clock)
        except (FlowError, StoreError, ValueError) as error:  # the exercise changed since
            return Refusal(f"This session cannot be replayed: {one_line(error)}")
        self.session = session
        self.exercise = exercise
        self.names = dict(info.names)
        # A facilitator opening someone's session watches it; one they started, they run.
        identity = self.identity
        self.observing = (identity is not None and identity.role == "facilitator"
                          and info.owner is not None and info.owner != self.owner)
        return None

    def forget(self, session_id: str, everyone: bool = False) -> Refusal | None:
        """Delete a saved session for good, as `trustdialog forget` does: only this owner's
        (a facilitator's, `everyone`, may delete any)."""
        from trustdialog.store import StoreError

        store = self._store()
        try:
            info = store.info(session_id)
        except StoreError as error:
            return Refusal(one_line(error))
        if not everyone and info.owner != self.owner:
            return Refusal("That session is not yours to delete.")
        if self._session is not None and self._session.id == session_id:
            self.leave()
        try:
            store.forget(session_id)
        except StoreError as error:
            return Refusal(f"Could not delete it: {one_line(error)}")
        return None

    def unfinished(self, everyone: bool = False) -> list[SessionInfo]:
        """Sessions offered for resume: the owner's, or everyone's (a facilitator)."""
        return [s for s in self._store().sessions(None if everyone else self.owner)
                if not s.finished]

    def check_in_due(self) -> bool:
        """Whether the running session opens with a check-in of earlier promises (once per run)."""
        session = self.session
        if session is None or not session.exercise.promises:
            return False
        state = session.state
        if state.phase != "step" or state.answers or session.id in self._checked_in:
            return False
        self._checked_in.add(session.id)
        from trustdialog import progress

        return bool(progress.open_promises(self._store(), self.owner, self._exercises(),
                                           before=session.id))
