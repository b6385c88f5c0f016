"""A live session: each partner on their own connection, a facilitator watching.

The app here is one connection (tied to partner A, or a facilitator); the other
connection is the same session opened on its own connection to the same SQLite
file, as the other partner's process would.
"""

from __future__ import annotations

from driver import advance, opened_elsewhere, pick, screen_text, to_picker, type_keys, wait_until
from textual.widgets import Button

from trustdialog.identity import Identity
from trustdialog.session import Session
from trustdialog.store import open_store
from trustdialog.ui.screens.exercise import RACE_GRACE
from trustdialog.ui.widgets.answer_form import AnswerForm

ANA = Identity("ana", "client", couple="ana-ben", partner="a")
FACILITATOR = Identity("fran", "facilitator")


async def test_on_partner_a_s_connection_only_a_s_pane_takes_input(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        advance(app, "two-rounds", "heard", names=("Ana", "Ben"))  # Ben's turn to mirror
        await pilot.pause()
        assert not app.screen.query("#pane-b AnswerForm")
        assert "Ben's turn, on their own screen." in screen_text(app)
        assert app.conversation.send("answered", "b", values={"heard": "typed from Ana's keys"}) is not None
        await type_keys(pilot, "xyz")
        await pilot.press("enter", "ctrl+s")
        assert app.session.state.step_id == "heard" and len(app.session.events) == 3
        # Ben answers on his own connection; it shows here within a poll or two.
        ben = opened_elsewhere(app, tmp_path, clock)
        ben.submit("answered", "b", values={"heard": "You thanked me for the tea"})
        await wait_until(pilot, lambda: "You thanked me for the tea" in screen_text(app))
        ben.store.close()
    store.close()


async def test_a_hidden_step_never_shows_the_other_partner_s_draft_or_answer(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        advance(app, "every-kind", "rate", names=("Ana", "Ben"))
        await pilot.pause()
        ben = opened_elsewhere(app, tmp_path, clock)
        ben.save_draft("rate.1.b.follow", "4")  # Ben has picked a rating, not sent it
        ben.submit("answered", "b", values={"follow": 4})
        await wait_until(pilot, lambda: "b" in app.session.state.answered)
        await pilot.pause()
        forms = list(app.screen.query(AnswerForm))
        assert [f.partner for f in forms] == ["a"]  # Ana's own form only, never Ben's
        assert "Ben has answered." in screen_text(app)
        assert not app.screen.query("#pane-b RatingScale")  # Ben's scale is not drawn here
        ben.store.close()
    store.close()


async def test_the_ready_check_follows_the_other_connection(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_picker(pilot, ("Ana", "Ben"))
        await pick(pilot, "two-rounds")
        # Only Ana's answer is here; Ben's column says whether he has said yes.
        assert not app.screen.query_one("#yes-b", Button).display
        assert "waiting for Ben" in screen_text(app)
        await pilot.press("enter")  # Ana: yes
        await pilot.pause()
        assert app.session is not None and app.session.state.ready == {"a"}
        ben = opened_elsewhere(app, tmp_path, clock)
        ben.submit("ready", "b")
        await wait_until(pilot, lambda: "Ana, say one kind thing." in screen_text(app))
        assert type(app.screen).__name__ == "ExerciseScreen"
        ben.store.close()
    store.close()


async def _ben_confirms_first(pilot, tmp_path, clock):
    """On the confirm step, Ben's yes is saved on his connection just before Ana's screen looks."""
    app = pilot.app
    await pilot.pause()
    advance(app, "every-kind", "check", names=("Ana", "Ben"))
    await pilot.pause()
    session = app.session
    session.catch_up = lambda: False  # the other click lands between two looks
    ben = opened_elsewhere(app, tmp_path, clock)
    ben.submit("confirmed", "a", yes=True)
    return session, ben


async def test_a_lost_race_redraws_to_where_the_session_is_with_one_calm_line(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        session, ben = await _ben_confirms_first(pilot, tmp_path, clock)
        app.screen.query_one("#yes-a", Button).press()
        await pilot.pause()
        await pilot.pause()
        assert session.state.step_id == "next"  # taken in from the other connection
        text = screen_text(app)
        assert "already moved on" in text and "What now?" in text
        assert "This is step" not in text
        ben.store.close()
    store.close()


async def test_a_second_enter_pressed_with_the_one_that_lost_the_race_answers_nothing(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        session, ben = await _ben_confirms_first(pilot, tmp_path, clock)
        app.screen.query_one("#yes-a", Button).focus()
        await pilot.press("enter", "enter")  # the first loses the race; the second came with it
        await pilot.pause()
        sent = len(session.events)
        assert session.state.step_id == "next" and "already moved on" in screen_text(app)
        assert session.events[-1].kind == "confirmed"  # Ben's; the new step is not answered
        await pilot.pause(RACE_GRACE + 0.1)
        await pilot.press("enter")  # once it could be read, Enter chooses as always
        await pilot.pause()
        assert len(session.events) == sent + 1 and session.events[-1].kind == "chose"
        ben.store.close()
    store.close()


async def test_a_turn_saved_while_the_exercise_screen_opens_shows_without_waiting_for_a_poll(
        make, tmp_path, clock, monkeypatch):
    from trustdialog.ui.screens import exercise

    monkeypatch.setattr(exercise, "OTHERS_FALLBACK_POLL", 60.0)  # only the watch can show it
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        advance(app, "every-kind", "check", names=("Ana", "Ben"))
        await pilot.pause()
        ben = opened_elsewhere(app, tmp_path, clock)
        watch = Session.watch

        def watched_late(session, callback):  # Ben pauses just as this screen begins to watch
            ben.submit("paused", "b", resume_at=None, note="")
            return watch(session, callback)

        monkeypatch.setattr(Session, "watch", watched_late)
        app.show_session()  # the exercise screen opens again, as on resuming
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PausedScreen")
        ben.store.close()
    store.close()


async def test_a_facilitator_opening_a_couple_s_session_only_watches(make, tmp_path, clock):
    store = open_store(tmp_path)
    exercise = make().library.exercises["two-rounds"]
    couple = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben", clock=clock)
    couple.submit("ready", "a")
    couple.submit("ready", "b")
    couple.save_draft("say-it.1.a.say-it", "Ana's unsent words")
    app = make(store=store, identity=FACILITATOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.resume_session(couple.id)
        await pilot.pause()
        assert not app.screen.query(AnswerForm)  # no form, so no draft and no key can answer
        assert app.focused is None or "pane" not in (app.focused.id or "")
        assert "Ana's unsent words" not in screen_text(app)
        assert "Ana's turn, on their own screen." in screen_text(app)
        assert app.conversation.send("answered", "a", values={"say-it": "from the facilitator"})
    store.close()


async def test_a_session_begun_on_another_connection_shows_on_the_welcome(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store, data_dir=tmp_path, identity=Identity("ben", "client", couple="ana-ben", partner="b"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Unfinished sessions" not in screen_text(app)
        exercise = app.library.exercises["two-rounds"]
        other = open_store(tmp_path)
        begun = Session.new(other, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben", clock=clock)
        begun.submit("ready", "a")
        await wait_until(pilot, lambda: "Unfinished sessions" in screen_text(app))
        other.close()
    store.close()


async def test_every_turn_records_who_sent_it_and_the_export_says_so(make, tmp_path, clock):
    from driver import answer

    from trustdialog.export import to_markdown

    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        advance(app, "two-rounds", "say-it", names=("Ana", "Ben"))
        await pilot.pause()
        await answer(pilot, "a", "Thank you for the tea.")
        sent = app.session.events[-1]
        assert sent.by == "ana, client, ana-ben partner A"
        # What was stored says the same, read back as another process would.
        reread = open_store(tmp_path)
        assert reread.events(app.session.id)[-1].by == sent.by
        text = to_markdown(reread.info(app.session.id), app.session.state, reread.events(app.session.id))
        assert "sent by ana, client, ana-ben partner A" in text
        reread.close()
    store.close()


async def test_the_status_line_shows_who_else_is_here_and_when_they_are_writing(make, tmp_path, clock):
    from trustdialog.presence import Presence

    store = open_store(tmp_path)
    app = make(store=store, identity=ANA)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        advance(app, "two-rounds", "heard", names=("Ana", "Ben"))
        await pilot.pause()
        assert "with Ben" not in screen_text(app)
        ben = Presence(tmp_path / "presence").join(app.session.id, "ben", "client", "b")
        await wait_until(pilot, lambda: "with Ben" in screen_text(app), seconds=4)
        import time as _time

        _time.sleep(0.3)
        ben.writing()  # Ben types on his own connection: his words never come here
        await wait_until(pilot, lambda: "Ben's turn, on their own screen: writing…" in screen_text(app),
                       seconds=4)
        ben.leave()
        await wait_until(pilot, lambda: "with Ben" not in screen_text(app), seconds=4)
    store.close()
