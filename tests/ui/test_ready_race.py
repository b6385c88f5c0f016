"""The ready check, answered for the same partner on two screens at once: the one that lost
goes on to where the session is, calmly, and never stays on a check that is over."""

from __future__ import annotations

from driver import opened_elsewhere, pick, screen_text, to_picker, wait_until
from textual.widgets import Button

from trustdialog.store import open_store


async def ana_says_yes(pilot, app) -> None:
    """Names, the exercise, and partner A's yes: a session now, waiting for B."""
    await to_picker(pilot, ("Ana", "Ben"))
    await pick(pilot, "two-rounds")
    await wait_until(pilot, lambda: app.screen.query("#yes-a"), seconds=10)
    app.screen.query_one("#yes-a", Button).press()
    await wait_until(pilot, lambda: app.session is not None and app.session.state.ready == {"a"},
                     seconds=10)


async def test_a_not_now_that_lost_to_a_yes_goes_on_to_the_exercise(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await ana_says_yes(pilot, app)
        app.session.catch_up = lambda: False  # the other yes lands between two looks
        elsewhere = opened_elsewhere(app, tmp_path, clock)
        elsewhere.submit("ready", "b")
        app.screen.query_one("#no-b", Button).press()
        await wait_until(pilot, lambda: "Ana, say one kind thing." in screen_text(app), seconds=10)
        assert type(app.screen).__name__ == "ExerciseScreen"
        notes = [n.message for n in app._notifications]
        assert notes == ["The exercise had already begun on the other screen. If now is not a good "
                         "time after all, a time-out (ctrl+t) pauses it."], notes
        elsewhere.store.close()
    store.close()


async def test_a_yes_that_lost_to_the_same_yes_goes_on_without_a_word(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await ana_says_yes(pilot, app)
        app.session.catch_up = lambda: False
        elsewhere = opened_elsewhere(app, tmp_path, clock)
        elsewhere.submit("ready", "b")
        app.screen.query_one("#yes-b", Button).press()
        await wait_until(pilot, lambda: "Ana, say one kind thing." in screen_text(app), seconds=10)
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert not list(app._notifications)  # it got what it asked for: nothing to say
        assert [e.kind for e in open_store(tmp_path).events(app.session.id)] == ["ready", "ready"]
        elsewhere.store.close()
    store.close()


async def test_a_partner_who_chose_what_the_other_began_says_yes_and_is_in_their_session(make, tmp_path,
                                                                                           clock):
    from trustdialog.identity import Identity
    from trustdialog.session import Session

    store = open_store(tmp_path)
    ben = Identity("ben", "client", couple="ana-ben", partner="b")
    app = make(store=store, identity=ben)
    async with app.run_test(size=(100, 30)) as pilot:
        # Ana, on her own connection, began the exercise and said yes while Ben was choosing.
        hers = open_store(tmp_path)
        ana = Session.new(hers, app.library.exercises["two-rounds"], {"a": "Ana", "b": "Ben"},
                          owner="ana-ben", clock=clock)
        ana.submit("ready", "a", by="ana, client, ana-ben partner A")
        await to_picker(pilot, ("Ana", "Ben"))
        await pick(pilot, "two-rounds")
        await wait_until(pilot, lambda: app.screen.query("#yes-b"), seconds=10)
        await pilot.press("enter")  # the focus is on Ben's yes
        await wait_until(pilot, lambda: "Ana, say one kind thing." in screen_text(app), seconds=10)
        assert app.session.id == ana.id
        assert [s.id for s in store.sessions("ana-ben")] == [ana.id]
        hers.close()
    store.close()


async def test_the_ready_check_is_told_of_the_other_yes_instead_of_asking_ten_times_a_second(make, tmp_path,
                                                                                              clock):
    from trustdialog.identity import Identity

    store = open_store(tmp_path)
    app = make(store=store, identity=Identity("ana", "client", couple="ana-ben", partner="a"))
    async with app.run_test(size=(100, 30)) as pilot:
        await ana_says_yes(pilot, app)
        await wait_until(pilot, lambda: app.screen._watch is not None)  # told by the SQLite file's folder
        asked = []
        looked = app.session.store.session_version
        app.session.store.session_version = lambda sid: asked.append(sid) or looked(sid)
        await pilot.pause(1.5)
        assert len(asked) < 6, asked  # the slow fallback look, not ten a second
        elsewhere = opened_elsewhere(app, tmp_path, clock)
        elsewhere.submit("ready", "b", by="ben, client, ana-ben partner B")
        await wait_until(pilot, lambda: "Ana, say one kind thing." in screen_text(app), seconds=3)
        elsewhere.store.close()
    store.close()
