"""The exercise itself: the prompt card on top, partner A's pane left and B's right."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.events import DescendantBlur
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Static, TextArea

from trustdialog import engine
from trustdialog.engine import PARTNERS
from trustdialog.engine.reveal import answers_later, revealed
from trustdialog.ui.messages import Send, TurnsArrived
from trustdialog.ui.status_line import TIME_UP, status_line
from trustdialog.ui.room_messages import AnswerCalls, CallFacilitator, SendNudge, WriteNote
from trustdialog.ui.widgets.answer_form import (
    AddItemButton, AnswerForm, PickInput, completions, hint_for, share_label,
)
from trustdialog.ui.widgets.key_footer import KeyFooter
from trustdialog.ui.widgets.pane import PartnerPane
from trustdialog.ui.widgets.rating import RatingScale
from trustdialog.ui.widgets.reveal import RevealView
from trustdialog.ui.widgets.room_bar import RoomBar
from trustdialog.ui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from trustdialog.store.protocol import Watch
    from trustdialog.presence import Someone
    from trustdialog.session import Session
    from trustdialog.ui.app import TrustDialogApp

DRAFT_DELAY = 0.8  # seconds after the last keystroke before a draft is saved
# ...but steady typing never holds unsaved text back longer than this: a crash
# mid-sentence loses at most this much (the promise is under 2 seconds).
DRAFT_MAX_WAIT = 1.5
# How often the screen asks whether another process saved to the same session
# (partners on their own connections, a facilitator following along). Asking is
# one cheap pragma; the session is read only when it changed.
OTHERS_POLL = 0.1
# Where the store says at once when the session is written (Session.watch: inotify for
# SQLite, the LISTEN socket for PostgreSQL), the screen looks when told, and polls only
# this seldom, in case a write went unreported.
OTHERS_FALLBACK_POLL = 1.0
PRESENCE_POLL = 1.0  # seconds between looks at who is on the session
MOVED_ON = "That step had already moved on from the other screen; this is where you are now."
# After a lost race, the keys already on their way were meant for the step that moved on: a
# second Enter, pressed with the first, must not answer the new step before it could be read.
RACE_GRACE = 0.6


class ExerciseScreen(Screen):
    """Renders the session's state and turns keys into events; never decides flow."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # The screen puts the focus on the floor itself (see _focus_floor). Textual's auto-focus
    # would race it on a busy host and could win with a widget that is not displayed (the
    # saving banner's button), where the first keys typed would go unseen.
    AUTO_FOCUS = ""
    BINDINGS = [
        # Not a priority binding: ctrl+s comes back up from the answer box like any
        # key it does not take, so it is handled after the letters typed before it
        # and before those after it (trustdialog/ui/key_order.py).
        Binding("ctrl+s", "send", "Send", id="send"),
        # Priority: it must work while someone is typing in an answer box.
        Binding("f6", "save_elsewhere", "Save a copy", id="save_elsewhere", priority=True),
        # The facilitator in the room: each shown only to whom it is for (check_action).
        Binding("f5", "call_facilitator", "Call", id="call_facilitator"),
        # Not F7: a TextArea (the long answer box) selects all with it.
        Binding("f9", "write_note", "Note", id="write_note"),
        Binding("f8", "nudge", "Nudge", id="nudge"),
        Binding("escape", "close_room", "Close", show=False, id="close_room"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._ticker: Timer | None = None
        self._draft_timer: Timer | None = None
        self._unsaved_since: float | None = None  # when the oldest unsaved keystroke came
        self._pending: dict[str, str] = {}
        self._saved: dict[str, str] = {}
        self._rendering = False
        self.copied_to: str | None = None  # where a copy was last saved, once saving stopped
        self._present: tuple[Someone, ...] = ()  # who is on the session (see trustdialog.presence)
        self._nudges_from = 0  # nudges before this index came before this end joined, or were closed
        self._watch: Watch | None = None  # told when another process adds to the session
        self._calm_until = 0.0  # after a lost race, the new step's buttons wait until then

    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        yield RoomBar(id="room")
        with Horizontal(id="saving-stopped"):
            yield Static("", id="saving-note")
            yield Button("Save a copy (F6)", id="save-elsewhere", compact=True)
        yield Static("", id="prompt")
        yield RevealView(id="reveal")
        with Horizontal(id="panes"):
            for partner in PARTNERS:
                yield PartnerPane(partner)
        yield KeyFooter()

    @property
    def trust(self) -> TrustDialogApp:
        return cast("TrustDialogApp", self.app)

    @property
    def session(self) -> Session | None:
        return self.trust.session

    async def on_mount(self) -> None:
        from trustdialog.ui.heap import freeze_heap

        self._saved = dict(self._drafts())
        if self.session is not None:
            self._nudges_from = self.trust.conversation.joined_at
        if self.session is not None and self.session.persistent:
            # Watched before the first drawing: a turn saved while the screen opens wakes it
            # (watched after, it waited for the fallback poll, a second later).
            self._watch = self.session.watch(lambda: self.call_later(self._show_others_turns))
            self.set_interval(OTHERS_POLL if self._watch is None else OTHERS_FALLBACK_POLL,
                              self._show_others_turns)
            self.set_interval(PRESENCE_POLL, self._show_presence)
        await self.render_state()
        if self._watch is not None:
            # One look, for a turn saved between the session being read and the watch beginning.
            self.call_later(self._show_others_turns)
        # Panes and forms are built now and live until the exercise ends: out of
        # the collector's way before anyone types (see freeze_heap).
        self.call_after_refresh(freeze_heap)

    # -- rendering -----------------------------------------------------------------

    async def render_state(self, keep_focus: bool = False) -> None:
        """Draw the session's current state (after every submit, resume or time-out).

        With `keep_focus` (turns that came from another process), someone
        typing an answer that is still on the floor keeps the focus where it is.
        """
        session = self.session
        if session is None:
            return
        state = session.state
        if state.finished:
            self.trust.show_session()
            return
        self._rendering = True
        # Drawn once, whole: the new step never shows before its focus is placed (mounting a
        # form yields to the event loop, and a frame drawn then showed "round 2" with the
        # focus still on the box just sent, where the first keys typed for round 2 went).
        try:
            with self.app.batch_update():
                self._show_saving()
                self._show_status()
                self._show_prompt(state)
                self._show_reveal(state)
                for partner in PARTNERS:
                    pane = self.query_one(f"#pane-{partner}", PartnerPane)
                    pane.show_status(state, later=self._answers_later(state, partner))
                    await pane.show_history(state)
                    await self._show_action(pane, state)
                typing = self._form_for(self.focused) is not None
                # Someone reading the room's line keeps it too: Enter there closes it, and must
                # never land on a partner's button instead.
                reading = isinstance(self.focused, RoomBar) and self.focused.showing is not None
                if not (keep_focus and ((typing and self.focused_partner() in state.floor) or reading)):
                    self._focus_floor(state)
                self._show_room()
        finally:
            self._rendering = False
        self._start_ticker(state)

    def _show_saving(self) -> None:
        """The calm, lasting note once this session is no longer (or never was) saved to disk."""
        banner = self.query_one("#saving-stopped")
        note = saving_note(self.session, self.copied_to)
        banner.display = note is not None
        if note is not None:
            self.query_one("#saving-note", Static).update(note)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_elsewhere":  # only offered once saving has failed
            return self.session is not None and bool(self.session.warning)
        talk = self.trust.conversation
        if action in ("write_note", "nudge"):
            return talk.facilitating
        if action == "call_facilitator":  # over SSH only: at one terminal nobody could answer
            return talk.may_call
        if action == "send":  # a facilitator watching sends nothing
            return not talk.observing
        return True

    # -- the facilitator in the room: notes, nudges, calls ------------------------------

    def _show_room(self) -> None:
        """The room's one line: a nudge for a partner, the partners' calls for the facilitator."""
        from trustdialog.calls import asked_for_you
        from trustdialog.engine.room import latest_nudge

        session = self.session
        if session is None:
            return
        bar = self.query_one("#room", RoomBar)
        talk = self.trust.conversation
        before = bar.showing
        calls = talk.open_calls()
        nudge = None if talk.facilitating else latest_nudge(session.events, self._nudges_from)
        if talk.facilitating and calls:
            bar.show_call(calls, asked_for_you(session.state.names, calls) or "")
        elif nudge is not None:
            index, event = nudge
            bar.show_nudge(index, str(event.data.get("text", "")), str(event.data.get("from", "")))
        elif talk.may_call and talk.acting_partner(self.focused_partner()) in calls:
            bar.show_waiting("You asked for the facilitator; they will be with you soon.")
        else:
            had_focus = bar.has_focus
            bar.hide()
            if had_focus:
                self._focus_floor(session.state)
            return
        # Something new to read: Enter closes it, unless someone is typing, whose
        # focus (and draft) stays where it is; Esc closes it from there.
        if (bar.showing != before and bar.showing is not None and bar.showing[0] != "waiting"
                and self._form_for(self.focused) is None):
            bar.focus()

    @on(RoomBar.Closed)
    def _on_room_closed(self, event: RoomBar.Closed) -> None:
        self._close_room(event.bar)

    def action_close_room(self) -> None:
        self._close_room(self.query_one("#room", RoomBar))

    def _close_room(self, bar: RoomBar) -> None:
        showing = bar.showing
        if showing is None or showing[0] == "waiting":
            return
        kind, what = showing
        if kind == "nudge" and isinstance(what, int):
            self._nudges_from = what + 1  # read: only a newer nudge shows again
        elif kind == "call" and isinstance(what, tuple):
            self.post_message(AnswerCalls(what))
        had_focus = bar.has_focus
        bar.hide()
        if had_focus and self.session is not None:
            self._focus_floor(self.session.state)

    def action_call_facilitator(self) -> None:
        self.post_message(CallFacilitator(
            self.trust.conversation.acting_partner(self.focused_partner())))

    def action_write_note(self) -> None:
        from trustdialog.notes import where
        from trustdialog.ui.overlays.note import NoteScreen

        session = self.session
        if session is None:
            return
        at = where(session.state)
        place = "before the first step"
        if at.step is not None:
            number = session.exercise.index(at.step) + 1
            place = f"at step {number}, “{clean(at.label or at.step)}” (round {at.round})"
        self.trust.push_screen(NoteScreen(place),
                               lambda typed: self.post_message(WriteNote(typed)) if typed else None)

    def action_nudge(self) -> None:
        from trustdialog.ui.overlays.nudge import NudgeScreen

        self.trust.push_screen(NudgeScreen(),
                               lambda typed: self.post_message(SendNudge(typed)) if typed else None)

    def action_save_elsewhere(self) -> None:
        session = self.session
        if session is None or not session.warning:
            return
        from trustdialog.ui.overlays.save_elsewhere import SaveElsewhereScreen

        self._flush_drafts()
        self.trust.push_screen(SaveElsewhereScreen(session), self._copied)

    def _copied(self, path: str | None) -> None:
        if path is not None:
            self.copied_to = path
            self._show_saving()

    def _show_prompt(self, state: Any) -> None:
        prompt = self.query_one("#prompt", Static)
        text = safe(state.prompt)
        swap = _swap_note(state)
        if swap is not None:
            text = swap + text
        if state.paused:
            text = Text("Paused. ", style="bold") + text
        prompt.update(text)
        step = state.step
        if step is not None and step.by == "both":
            who = "both of you"
        elif state.floor:
            who = clean(state.names[state.floor[0]])
        else:
            who = ""
        prompt.border_title = Text(f"{who}" if who else "")

    def _show_reveal(self, state: Any) -> None:
        """Both answers of the hidden step just opened, in one view (the engine says which)."""
        reveal = revealed(state)
        self.query_one(RevealView).show(reveal)
        self.set_class(reveal is not None, "-reveal")
        self.set_class(reveal is not None and state.step.kind == "say", "-reveal-say")

    def _answers_later(self, state: Any, partner: str) -> bool:
        """At one screen for both, on a hidden step: does `partner` wait for the other to answer first?"""
        shared = all(self.trust.conversation.may_act(p) is None for p in PARTNERS)
        return shared and answers_later(state, partner)

    def _show_status(self) -> None:
        session = self.session
        if session is None:
            return
        status = self.query_one("#status", Static)
        # The line is one row: at 80 columns the title gives way (ellipsis), then the
        # words shorten, so the step, the round and the timer are never cut off.
        width = (status.content_region.width or self.trust.size.width - 2)
        # One row always (screens.tcss): no layout, which the ticker would otherwise
        # ask of the whole screen every second, under the keys being typed.
        status.update(status_line(session.state, self._timer_text(session.state),
                                  self._others_here(), width), layout=False)

    def on_resize(self, event: events.Resize) -> None:
        self._show_status()  # fitted to the width: a narrower terminal shortens it

    def _others_here(self) -> str:
        """Who else is on this session now ("Ben, writing…; Fran, facilitator"), from presence."""
        session = self.session
        if session is None:
            return ""
        names = session.state.names
        out = []
        for someone in self._present:
            if someone.mine:
                continue
            if someone.partner is not None:
                label = clean(names[someone.partner])
            elif someone.role == "facilitator":
                label = f"{clean(someone.who)}, facilitator"
            else:
                label = clean(someone.who)
            out.append(label + (", writing…" if someone.writing else ""))
        return "; ".join(out)

    def _show_presence(self) -> None:
        """Look who is on the session (once a second); redraw only if that changed."""
        # Only the others count: this end's own "writing" must never redraw the form being typed in.
        present = tuple(p for p in self.trust.conversation.present() if not p.mine)
        if present != self._present:
            self._present = present
            self._show_status()
            self.call_later(self.render_state, True)

    def _timer_text(self, state: Any) -> Text | None:
        if not state.timer or state.paused:
            return None
        started = state.step_started_at if state.step_started_at is not None else self.trust.clock()
        left = int(state.timer - (self.trust.clock() - started))
        if left <= 0:
            # A signal, never a cut-off: the step stays open as long as it takes.
            return Text(TIME_UP, style="bold reverse")
        return Text(f"⏱ {left // 60}:{left % 60:02d} left")

    def _start_ticker(self, state: Any) -> None:
        # Ticks once a second only while a timed step is on screen; idle otherwise.
        wanted = bool(state.timer) and not state.paused and self.is_current
        if wanted and self._ticker is None:
            self._ticker = self.set_interval(1, self._show_status)
        elif not wanted and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    async def _show_action(self, pane: PartnerPane, state: Any) -> None:
        action = pane.action
        partner = pane.partner
        step = state.step
        shown = (state.step_id, state.round, state.phase, partner in state.floor,
                 partner in state.answered, state.loops_left,
                 any(p.partner == partner and p.writing and not p.mine for p in self._present),
                 self._answers_later(state, partner))
        if shown == pane.action_shown:
            return
        pane.action_shown = shown
        if self.focused is not None and action in self.focused.ancestors:
            # Else Textual hands the focus to a widget of the next form and scrolls to
            # it (a new step opened at its last question); the focus is given below.
            self.set_focus(None)
        await action.remove_children()
        widgets: list[Widget] = []
        if state.paused or step is None:
            widgets.append(Static(Text("Paused.", style="italic")))
        elif self.trust.conversation.may_act(partner) is not None:
            # Another connection's partner (or a facilitator watching): no form, so no
            # draft of theirs is ever filled in here, and no key can answer for them.
            widgets.append(Static(self._elsewhere(state, partner), classes="guide"))
        elif self._answers_later(state, partner):
            # Folded: no form, so nothing of this partner's is on screen while the other answers.
            widgets.append(Static(pane.comes_next(state), classes="guide"))
        elif not engine.allowed(state, partner) & engine.TURN_EVENTS:
            # The engine says what this partner may do now; not this step's action: the guide.
            widgets.append(Static(pane.guide(state), classes="guide"))
        elif step.kind == "say":
            widgets.append(Static(Text("Read this together, then go on.", style="italic"), classes="say-note"))
            widgets.append(_choice("Continue", f"continue-{partner}"))
        elif step.kind == "confirm":
            widgets.append(_choice(step.yes, f"yes-{partner}"))
            widgets.append(_choice(step.no, f"no-{partner}"))
            if step.on_no:
                left = state.loops_left
                note = (f"\"{clean(step.no)}\" goes back for another try ({left} left)."
                        if left else f"\"{clean(step.no)}\" moves on now; that is fine too.")
                widgets.append(Static(Text(note, style="dim"), classes="loops"))
        elif step.kind == "choose":
            for i, option in enumerate(step.options):
                widgets.append(_choice(f"{i + 1}. {option.label}", f"option-{partner}-{i}"))
        elif step.kind == "prompt":
            widgets.append(AnswerForm(state, partner, _vocab(self.trust), self._drafts(),
                                      id=f"form-{partner}"))
        message = Static("", classes="pane-message")
        message.display = False
        widgets.append(message)
        await action.mount_all(widgets)
        pane.follow_newest()

    def _elsewhere(self, state: Any, partner: str) -> Text:
        """What a pane shows for a partner who answers on their own connection."""
        name = clean(state.names[partner])
        if partner in state.answered:
            return Text(f"{name} has answered.", style="italic")
        if partner in state.floor:
            writing = any(p.partner == partner and p.writing and not p.mine for p in self._present)
            return Text(f"{name}'s turn, on their own screen" + (": writing…" if writing else "."),
                        style="italic")
        return Text(f"{name} is listening.", style="italic")

    async def _show_others_turns(self) -> None:
        """Take in turns another process saved to this session, and show them."""
        from trustdialog.store import StoreError

        session = self.session
        # Still watched under the pause note: a resume on another screen must reach it.
        watching = self.is_current or type(self.app.screen).__name__ == "PausedScreen"
        if session is None or self._rendering or not watching or not session.persistent:
            return
        paused = session.state.paused
        try:
            fresh = session.catch_up()
        except StoreError:  # a busy or failing read: the next look tries again
            return
        if fresh:
            if session.state.paused != paused or session.state.finished:
                self.post_message(TurnsArrived())  # the app shows or lifts the pause note
            await self.render_state(keep_focus=True)

    def _focus_floor(self, state: Any) -> None:
        if self.has_class("-reveal-say"):  # the keys the reveal names scroll it; Tab goes on
            self.query_one(RevealView).focus()
            return
        for partner in engine.on_turn(state):
            pane = self.query_one(f"#pane-{partner}", PartnerPane)
            forms = pane.query(AnswerForm)
            if forms:
                forms.first().focus_first()
                return
            buttons = pane.action.query(Button)
            if buttons:
                buttons.first().focus()
                return

    # -- which partner ---------------------------------------------------------------

    def focused_partner(self) -> str | None:
        """The partner whose pane holds the focus (the app asks, for F1 and time-outs)."""
        node: DOMNode | None = self.focused
        while node is not None:
            if isinstance(node, PartnerPane):
                return node.partner
            node = node.parent
        return None

    def _form_for(self, widget: Widget | None) -> AnswerForm | None:
        node: DOMNode | None = widget
        while node is not None:
            if isinstance(node, AnswerForm):
                return node
            node = node.parent
        return None

    # -- sending -------------------------------------------------------------------

    @staticmethod
    def _pane_note(pane: PartnerPane, message: str) -> None:
        notes = pane.action.query(".pane-message")
        if notes:
            note = notes.last(Static)
            note.update(safe(message))
            note.display = True

    def _moved_on(self, pane: PartnerPane) -> bool:
        """Whether the session is no longer on the step this pane was showing."""
        session = self.session
        if session is None or pane.action_shown is None:
            return False
        state = session.state
        return (state.step_id, state.round, state.phase) != tuple(pane.action_shown[:3])

    def _send(self, kind: str, partner: str, **data: Any) -> None:
        """Ask the app to send a pane's action (continue, confirm, choose)."""
        self.post_message(Send(kind, partner, data, key=partner))

    async def answered(self, event: Send, message: str | None) -> None:
        """The app's outcome of a Send from this screen: why it did not fit, or the next state."""
        self._show_saving()
        form = event.key if isinstance(event.key, AnswerForm) else None
        pane = self.query_one(f"#pane-{event.partner}", PartnerPane)
        if message and self._moved_on(pane):
            # Lost a race: the other connection acted on this step first. Show where
            # the session is now, with one calm line instead of the engine's refusal.
            await self.render_state()
            self._pane_note(pane, MOVED_ON)
            self._calm_until = time.monotonic() + RACE_GRACE
            return
        if message:
            if form is not None:
                form.show_message(message)
            else:
                self._pane_note(pane, message)
            return
        if form is not None:
            self._clear_drafts(list(form.draft_items()))
        pane.action_shown = None  # what was just sent is never left on screen
        await self.render_state()

    async def action_send(self) -> None:
        form = self._form_for(self.focused)
        if form is None:
            forms = [f for f in self.query(AnswerForm)]
            form = forms[0] if forms else None
        if form is not None:
            self._send_form(form)

    def _send_form(self, form: AnswerForm) -> None:
        self._flush_drafts()  # kept as a draft until the app says it was sent
        data: dict[str, Any] = {"values": form.values()}
        if form.step.private:
            data["shared"] = form.shared
        self.post_message(Send("answered", form.partner, data, key=form))

    @on(AnswerForm.Send)
    def _on_form_send(self, event: AnswerForm.Send) -> None:
        self._send_form(event.form)

    # Not named _on_enter or _on_blur: Textual would also call those for the mouse
    # entering the screen and for the screen losing focus (events.Enter, events.Blur).
    @on(Input.Submitted)
    async def _on_input_submitted(self, event: Input.Submitted) -> None:
        await self._enter(event.input)

    @on(RatingScale.Submitted)
    async def _on_rating_enter(self, event: RatingScale.Submitted) -> None:
        await self._enter(event.scale)

    async def _enter(self, widget: Widget) -> None:
        form = self._form_for(widget)
        if form is None:
            return
        if form.is_last(widget):
            self._send_form(form)
        else:
            form.focus_after(widget)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button
        bid = button.id or ""
        if isinstance(button, AddItemButton):
            form = self._form_for(button)
            if form is not None:
                await form.add_item(button.answer_key)
            return
        if bid == "save-elsewhere":
            self.action_save_elsewhere()
            return
        partner = bid.split("-")[1] if "-" in bid else None
        if partner not in PARTNERS or time.monotonic() < self._calm_until:
            return
        if bid.startswith("continue-"):
            self._send("continued", partner)
        elif bid.startswith("yes-"):
            self._send("confirmed", partner, yes=True)
        elif bid.startswith("no-"):
            self._send("confirmed", partner, yes=False)
        elif bid.startswith("option-"):
            self._send("chose", partner, option=int(bid.rsplit("-", 1)[1]))

    # -- drafts and hints -----------------------------------------------------------

    def _drafts(self) -> dict[str, str]:
        session = self.session
        if session is None:
            return {}
        try:
            return dict(session.drafts())
        except Exception:  # drafts are a convenience: a damaged store must not stop the exercise
            return {}

    @on(Input.Changed)
    def _on_typed(self, event: Input.Changed) -> None:
        form = self._typed_in(event.input)
        if form is not None and isinstance(event.input, PickInput):
            field = form.step.field(event.input.answer_key)
            vocab = _vocab(self.trust).get(field.vocab) if field.vocab else None
            form.show_words(event.input, completions(event.value, vocab.words) if vocab else [])

    @on(TextArea.Changed)
    def _on_box_typed(self, event: TextArea.Changed) -> None:
        self._typed_in(event.text_area)  # a multi-line answer box: drafts as for a blank

    def _typed_in(self, widget: Widget) -> AnswerForm | None:
        """Keep the draft of the form `widget` is in (soon), and say someone is writing."""
        if self._rendering:
            return None
        form = self._form_for(widget)
        if form is None:
            return None
        self._pending.update(form.draft_items())
        self._restart_draft_timer()
        self.trust.conversation.writing()  # the other connections see "writing…", never the words
        return form

    @on(RatingScale.Changed)
    @on(Checkbox.Changed)
    def _on_chosen(self, event: Any) -> None:
        form = self._form_for(event.control)
        if isinstance(event.control, Checkbox) and form is not None:
            other = form.state.names["b" if form.partner == "a" else "a"]
            event.control.label = share_label(other, event.control.value)
        if self._rendering:
            return
        if form is not None:
            self._pending.update(form.draft_items())
            self._restart_draft_timer()

    def _restart_draft_timer(self) -> None:
        now = time.monotonic()
        if self._unsaved_since is None:
            self._unsaved_since = now
        if self._draft_timer is not None:
            self._draft_timer.stop()
        delay = min(DRAFT_DELAY, max(0.0, self._unsaved_since + DRAFT_MAX_WAIT - now))
        # Never a timer of 0 s: Textual's timer divides by its interval and would
        # fail without saving (steady typing past DRAFT_MAX_WAIT, as in a long answer).
        self._draft_timer = self.set_timer(max(delay, 0.01), self._flush_drafts)

    @on(DescendantBlur)
    def _on_descendant_left(self, event: DescendantBlur) -> None:
        self._flush_drafts()

    def _flush_drafts(self) -> None:
        """Save what changed since the last save, and look at the wording once."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        pending, self._pending = self._pending, {}
        self._unsaved_since = None
        session = self.session
        if session is None or not pending:
            return
        for key, text in pending.items():
            if self._saved.get(key, "") == text:
                continue
            try:
                session.save_draft(key, text)
                self._saved[key] = text
            except Exception:  # promise: typing never stops because a draft cannot be saved
                break  # a draft is a convenience; the answer itself is saved on send
        self._show_saving()  # a draft that could not be saved is the first sign
        self._show_hints()

    def _show_hints(self) -> None:
        for form in self.query(AnswerForm):
            text = form.typed_text()
            form.show_hint(hint_for(text, self.trust.hints) if text.strip() else None)

    def _clear_drafts(self, keys: list[str]) -> None:
        session = self.session
        for key in keys:
            self._saved.pop(key, None)
            if session is None:
                continue
            try:
                session.clear_draft(key)
            except Exception:  # a stale draft is offered again at worst; the answer is sent
                pass

    # -- coming and going -------------------------------------------------------------

    def on_unmount(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def on_screen_suspend(self) -> None:
        self._flush_drafts()
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    async def on_screen_resume(self) -> None:
        if self.session is not None and self.is_mounted:
            await self.render_state()


def _swap_note(state: Any) -> Text | None:
    """At the first step of a later round, a calm line that the roles have swapped."""
    exercise = state.exercise
    if (state.round < 2 or not exercise.swap_roles or not exercise.steps
            or state.step_id != exercise.steps[0].id):
        return None
    who = " and ".join(f"{clean(state.names[p])} is the {state.roles[p]}" for p in PARTNERS)
    return Text(f"Round {state.round}: you swap. Now {who}.\n", style="bold")


def saving_note(session: Any, copied_to: str | None = None) -> Text | None:
    """What the banner says when this session is not being saved; None while it is (or by choice)."""
    if session is None or not session.warning:
        return None  # saved as it goes, or --no-save: nothing to warn about
    stopped = session.stopped
    note = Text()
    if stopped is not None and stopped.gone:
        note.append("This session was deleted from another window; what you write now is not saved. ")
    elif stopped is not None:
        note.append(f"Saving has stopped ({clean(stopped.reason)}). ", style="bold")
        note.append("What was sent before is saved; your turns from now on are kept only "
                    "while this window is open. ")
    else:
        note.append(clean(session.warning) + " ")
    if copied_to:
        note.append(f"A copy up to that moment is in {clean(copied_to)}; F6 saves a newer one.")
    else:
        note.append("You can save a copy to a file with F6.")
    return note


def _choice(label: str, button_id: str) -> Button:
    """A one-line button for yes / not quite / an option; focus shows as reversed text."""
    return Button(safe(f"▸ {label}"), id=button_id, classes="choice", compact=True)


def _vocab(app: TrustDialogApp) -> dict[str, Any]:
    return dict(app.library.vocab)
