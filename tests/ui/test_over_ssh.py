"""Over SSH the app says what is true there: who is logged in, how to come back to a session,
and a client can delete their own session from inside the app (asked once, gone for good)."""

from __future__ import annotations

from driver import screen_text

from trustdialog.identity import Identity
from trustdialog.session import Session
from trustdialog.store import open_store
from trustdialog.ui.overlays.timeout import PausedScreen

ANA = Identity("ana", "client", couple="ana-ben", partner="a")


async def test_the_welcome_over_ssh_says_who_is_logged_in_and_no_terminal_commands(make):
    app = make(identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "logged in as ana, partner A of ana-ben" in text
        assert "at one keyboard" not in text and "--no-save" not in text
        assert "trustdialog forget" not in text and "`" not in text


async def test_the_pause_note_over_ssh_says_how_to_come_back_there(make):
    app = make(identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(PausedScreen(None, 0.0, session_id="s-1", over_ssh=True))
        await pilot.pause()
        said = " ".join(screen_text(app).replace("│", " ").split())
        assert "by connecting again and choosing it under Unfinished sessions" in said
        assert "trustdialog resume" not in said


async def test_a_client_deletes_their_own_session_after_saying_yes(make, tmp_path, clock):
    store = open_store(tmp_path)
    exercise = make().library.exercises["two-rounds"]
    mine = Session.new(store, exercise, {"a": "Ana", "b": "Ben"}, owner="ana-ben", clock=clock)
    mine.submit("ready", "a")
    theirs = Session.new(store, exercise, {"a": "Cy", "b": "Di"}, owner="cy-di", clock=clock)
    theirs.submit("ready", "a")
    app = make(store=store, data_dir=tmp_path, identity=ANA)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(5):
            await pilot.pause()
        assert "Two short rounds · Ana and Ben" in screen_text(app)
        assert "Cy and Di" not in screen_text(app)  # another couple's session is never listed
        assert "F8 deletes the highlighted one for good" in " ".join(screen_text(app).split())
        await pilot.press("f8")
        await pilot.pause()
        assert "Delete this session?" in screen_text(app)
        await pilot.press("escape")  # kept: nothing happens
        await pilot.pause()
        assert [s.id for s in store.sessions("ana-ben")] == [mine.id]
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("y")
        for _ in range(3):
            await pilot.pause()
        assert store.sessions("ana-ben") == []
        assert "Unfinished sessions" not in screen_text(app)
        assert [s.id for s in store.sessions("cy-di")] == [theirs.id]
        # Another couple's session is not this client's to delete, even by id.
        assert app.conversation.forget(theirs.id) is not None
    store.close()
