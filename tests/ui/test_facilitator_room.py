"""The facilitator in the room, one connection at a time: notes, nudges and calls on the exercise screen.

Each app is one connection (a facilitator, or partner A); the others are the
same session opened on their own connection to the same SQLite file.
"""

from __future__ import annotations

from driver import opened_elsewhere, screen_text, type_keys, wait_until

from trustdialog.identity import Identity
from trustdialog.session import Session
from trustdialog.store import open_store
from trustdialog.ui.widgets.answer_form import AnswerForm

ANA = Identity("ana", "client", couple="ana-ben", partner="a")
FRAN = Identity("fran", "facilitator")
NUDGE = "Take a breath. Try the sentence frame."


def couple_session(app, store, clock, exercise_id="two-rounds") -> Session:
    exercise = app.library.exercises[exercise_id]
    s = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben", clock=clock)
    s.submit("ready", "a")
    s.submit("ready", "b")
    return s


async def resumed(pilot, app, store, clock) -> Session:
    """The couple's session, both ready, opened on this app's connection."""
    s = couple_session(app, store, clock)
    assert app.resume_session(s.id)
    await pilot.pause()
    return s


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_a_facilitator_writes_a_private_note_that_is_kept_at_the_step(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=FRAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = await resumed(pilot, app, store, clock)
        await wait_until(pilot, lambda: "f9 Note" in footer(app))
        assert "f8 Nudge" in footer(app)
        assert "Send" not in footer(app) and "Call" not in footer(app)  # watching: nothing to send
        await pilot.press("f9")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteScreen"
        assert "Only facilitators see this note" in screen_text(app)
        await pilot.press("ctrl+s")  # empty: kept nowhere, said so
        await pilot.pause()
        assert "The note is empty" in screen_text(app)
        await type_keys(pilot, "Ana [b]paused[/b]")
        await pilot.press("enter")
        await type_keys(pilot, "then went on")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        [note] = store.notes(s.id)
        assert note.text == "Ana [b]paused[/b]\nthen went on"  # exactly as typed, markup and all
        assert (note.author, note.step, note.round) == ("fran", s.state.step_id, 1)
        assert len(store.events(s.id)) == 2  # no event: nothing reaches the partners
        # Esc closes without keeping anything.
        await pilot.press("f9")
        await pilot.pause()
        await type_keys(pilot, "never mind")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen" and len(store.notes(s.id)) == 1
    store.close()


async def test_a_nudge_reaches_a_partner_without_taking_the_draft_being_typed(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = await resumed(pilot, app, store, clock)
        await wait_until(pilot, lambda: "f5 Call" in footer(app))
        assert "Note" not in footer(app) and "Nudge" not in footer(app)
        form = app.screen.query_one("#pane-a AnswerForm", AnswerForm)
        await type_keys(pilot, "half a thou")
        typing_in = app.focused
        # The facilitator sends a nudge from their own connection.
        fran = opened_elsewhere(app, tmp_path, clock)
        fran.submit("nudged", "both", by="fran, facilitator", text=NUDGE, **{"from": "fran"})
        await wait_until(pilot, lambda: NUDGE in screen_text(app))
        assert "fran, facilitator: " + NUDGE in screen_text(app)
        assert app.focused is typing_in  # the focus stayed in the answer being written
        await type_keys(pilot, "ght")
        assert "half a thought" in form.typed_text()
        await pilot.press("escape")  # Esc closes it from the answer
        await pilot.pause()
        assert NUDGE not in screen_text(app) and app.focused is typing_in
        assert "half a thought" in form.typed_text()
        fran.store.close()
    store.close()


async def test_a_nudge_takes_the_focus_only_when_nobody_is_typing_and_enter_closes_it(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = couple_session(app, store, clock)
        s.submit("answered", "a", values={"say-it": "You made tea"})  # Ben's turn now: Ana listens
        assert app.resume_session(s.id)
        await pilot.pause()
        fran = opened_elsewhere(app, tmp_path, clock)
        fran.submit("nudged", "both", by="fran, facilitator", text="Breathe.", **{"from": "fran"})
        await wait_until(pilot, lambda: "Breathe." in screen_text(app))
        assert app.focused is not None and app.focused.id == "room"
        await pilot.press("enter")
        await pilot.pause()
        assert "Breathe." not in screen_text(app)
        # Closed stays closed as more turns arrive; a newer nudge shows again.
        fran.submit("nudged", "both", by="fran, facilitator", text="Nearly there.", **{"from": "fran"})
        await wait_until(pilot, lambda: "Nearly there." in screen_text(app))
        assert "Breathe." not in screen_text(app)
        fran.store.close()
    store.close()


async def test_the_facilitator_sends_a_ready_made_nudge_and_the_partners_log_keeps_it(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=FRAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = await resumed(pilot, app, store, clock)
        await pilot.press("f8")
        await pilot.pause()
        assert type(app.screen).__name__ == "NudgeScreen"
        await pilot.press("enter")  # the first ready-made line
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        last = store.events(s.id)[-1]
        assert (last.kind, last.by, last.data["text"]) == ("nudged", "fran, facilitator", NUDGE)
        # A typed one: Tab to the box, words, Enter.
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("tab")
        await type_keys(pilot, "Ben, [i]your[/i] words")
        await pilot.press("enter")
        await pilot.pause()
        assert store.events(s.id)[-1].data["text"] == "Ben, [i]your[/i] words"
        assert s.state.step_id == Session.resume(store, s.exercise, s.id).state.step_id  # the flow stayed
    store.close()


async def test_a_partners_call_shows_on_the_facilitators_screen_until_seen(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=FRAN)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = await resumed(pilot, app, store, clock)
        ana = opened_elsewhere(app, tmp_path, clock)
        ana.submit("called", "a", by="ana, client, ana-ben partner A")
        await wait_until(pilot, lambda: "Ana asked for you." in screen_text(app))
        assert app.focused is not None and app.focused.id == "room"
        await pilot.press("enter")
        await pilot.pause()
        assert "asked for you" not in screen_text(app)
        last = store.events(s.id)[-1]
        assert (last.kind, last.partner, last.by) == ("call_answered", "a", "fran, facilitator")
        ana.store.close()
    store.close()


async def test_a_call_shows_in_the_facilitators_list_of_sessions_and_goes_when_answered(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=FRAN)
    async with app.run_test(size=(100, 30)) as pilot:
        partners = open_store(tmp_path)  # the partners' own connections
        s = couple_session(app, partners, clock)
        await wait_until(pilot, lambda: "Two short rounds · Ana and Ben" in screen_text(app))
        assert "asked for you" not in screen_text(app)
        s.submit("called", "b", by="ben, client, ana-ben partner B")
        # The welcome follows the store: the call shows on its row, with no key pressed.
        await wait_until(pilot, lambda: "· Ben asked for you" in screen_text(app))
        s.submit("call_answered", "b", by="fran, facilitator")
        await wait_until(pilot, lambda: "asked for you" not in screen_text(app))
        partners.close()
    store.close()


async def test_a_client_never_sees_a_call_in_their_own_list(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        s = couple_session(app, store, clock)
        s.submit("called", "b", by="ben, client, ana-ben partner B")
        await wait_until(pilot, lambda: "Two short rounds · Ana and Ben" in screen_text(app))
        await pilot.pause(0.3)
        assert "asked for you" not in screen_text(app)
    store.close()


async def test_a_partner_calls_with_one_key_and_sees_that_they_asked(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = await resumed(pilot, app, store, clock)
        await pilot.press("f5")
        await pilot.pause()
        last = store.events(s.id)[-1]
        assert (last.kind, last.partner, last.by) == ("called", "a", "ana, client, ana-ben partner A")
        await wait_until(pilot, lambda: "You asked for the facilitator" in screen_text(app))
        assert app.screen._form_for(app.focused) is not None  # a standing line takes no focus
        fran = opened_elsewhere(app, tmp_path, clock)
        fran.submit("call_answered", "a", by="fran, facilitator")
        await wait_until(pilot, lambda: "You asked for the facilitator" not in screen_text(app))
        fran.store.close()
    store.close()


async def test_at_one_terminal_there_is_no_call_key_and_no_facilitator_keys(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        from driver import begin

        await begin(pilot, "two-rounds")
        await wait_until(pilot, lambda: "Quit" in footer(app))
        text = footer(app)
        assert "Call" not in text and "Note" not in text and "Nudge" not in text
        await pilot.press("f5", "f9", "f8")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert [e.kind for e in app.session.events] == ["ready", "ready"]


async def test_a_nudge_being_read_keeps_the_focus_when_turns_and_people_come_and_go(make, tmp_path, clock):
    """Enter closes the nudge; it must never press the partner's button because a redraw moved the focus."""
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        s = couple_session(app, store, clock, "every-kind")  # a say step: Ana has a Continue button
        assert app.resume_session(s.id)
        await pilot.pause()
        fran = opened_elsewhere(app, tmp_path, clock)
        fran.submit("nudged", "both", by="fran, facilitator", text="Breathe.", **{"from": "fran"})
        await wait_until(pilot, lambda: "Breathe." in screen_text(app))
        assert app.focused is not None and app.focused.id == "room"
        await app.screen.render_state(keep_focus=True)  # as when a turn or a person arrives
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "room"
        step = app.session.state.step_id
        await pilot.press("enter")
        await pilot.pause()
        assert "Breathe." not in screen_text(app)
        assert app.session.state.step_id == step and len(store.events(s.id)) == 3  # nothing sent
        fran.store.close()
    store.close()


async def test_a_nudge_sent_during_the_ready_check_shows_once_the_exercise_begins(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        exercise = app.library.exercises["two-rounds"]
        s = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben", clock=clock)
        s.submit("ready", "a")
        assert app.resume_session(s.id)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ReadyScreen")
        await wait_until(pilot, lambda: "waiting for Ben" in screen_text(app))
        # While Ana waits for Ben, their facilitator nudges; then Ben says yes on his own connection.
        fran = opened_elsewhere(app, tmp_path, clock)
        fran.submit("nudged", "both", by="fran, facilitator", text=NUDGE, **{"from": "fran"})
        fran.submit("ready", "b", by="ben, client, ana-ben partner B")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExerciseScreen")
        await wait_until(pilot, lambda: NUDGE in screen_text(app))
        fran.store.close()
    store.close()


async def test_the_hidden_room_line_never_takes_the_focus(make, tmp_path, clock):
    """The screen's auto-focus takes the first widget that allows focus, displayed or not: the
    room's line comes first, and while hidden it must not be it (keys typed went nowhere)."""
    from trustdialog.ui.widgets.room_bar import RoomBar

    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await resumed(pilot, app, store, clock)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExerciseScreen"
                         and bool(app.screen.query("#room")))
        bar = app.screen.query_one("#room", RoomBar)
        assert not bar.display and not bar.focusable
        first = next(w for w in app.screen.query("*") if w.focusable)  # what auto-focus would take
        assert first is not bar
    store.close()


def test_the_exercise_and_ready_screens_place_the_focus_themselves():
    """Textual's auto-focus takes the first widget that allows focus even when it is not displayed
    (a hidden banner's button, the other partner's yes); these screens focus the floor themselves."""
    from trustdialog.ui.screens.exercise import ExerciseScreen
    from trustdialog.ui.screens.ready import ReadyScreen

    assert ExerciseScreen.AUTO_FOCUS == "" and ReadyScreen.AUTO_FOCUS == ""  # "" is off; None inherits "*"
