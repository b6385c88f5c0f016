"""The overlays inside the real app: keys from the exercise screen, events in the store."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from overlay_host import NOW, screen_text
from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.store import MemoryStore
from trustdialog.ui.overlays import QUICK_EXIT

NAMES = {"a": "Robin", "b": "Sasha"}


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture
def store():
    return MemoryStore()


@pytest.fixture
def app(library, store):
    from trustdialog.ui.app import make_app

    return make_app(library=library, store=store, clock=lambda: NOW, names=NAMES)


async def begin(app, pilot, store) -> Session:
    """Both partners said yes to "is now a good time": the first step of the starter is shown."""
    session = Session.new(store, app.library.exercises["when-i-felt"], NAMES, clock=lambda: NOW)
    session.submit("ready", "a")
    session.submit("ready", "b")
    app.run_session(session)
    await pilot.pause()
    assert type(app.screen).__name__ == "ExerciseScreen"
    return session


def flat(text: str) -> str:
    """Screen text as one line of words (a wrapped sentence reads whole)."""
    return " ".join(text.split())


def kinds(store, session) -> list[str]:
    return [event.kind for event in store.events(session.id)]


async def test_a_time_out_at_a_typed_time_is_stored_and_the_exercise_resumes(app, store):
    async with app.run_test(size=(100, 30)) as pilot:
        session = await begin(app, pilot, store)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TimeOutScreen"
        await pilot.press("tab", *"18:30", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "PausedScreen"
        paused = store.events(session.id)[-1]
        at_1830 = datetime(2025, 3, 4, 18, 30, tzinfo=timezone.utc).timestamp()
        assert (paused.kind, paused.data["resume_at"]) == ("paused", at_1830)
        shown = screen_text(app)
        assert "Back at 18:30: a break of 4 hours 25 minutes." in shown
        # A memory store (as with --no-save): no resume is promised.
        assert "lasts only while the app is open" in shown and "resume" not in shown
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert kinds(store, session)[-2:] == ["paused", "resumed"]
        assert not app.session.state.paused


async def test_taking_back_a_time_out_stores_nothing(app, store):
    async with app.run_test(size=(100, 30)) as pilot:
        session = await begin(app, pilot, store)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert kinds(store, session) == ["ready", "ready"]


async def test_f1_opens_the_rules_of_the_role_with_the_floor_and_f1_closes_them(app, store):
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(app, pilot, store)
        await pilot.press("f1")
        await pilot.pause()
        shown = screen_text(app)
        assert "You are the speaker" in shown and "Your partner, the listener" in shown
        assert "Talk about one moment, not everything." in shown
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"


async def test_help_lines_open_from_the_exercise(app, store):
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(app, pilot, store)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResourcesScreen"
        assert "emergency number" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"


async def test_quick_exit_works_even_over_an_open_overlay(app, store):
    async with app.run_test(size=(100, 30)) as pilot:
        session = await begin(app, pilot, store)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert app._exit  # at once: no question asked
    assert app.return_value == QUICK_EXIT
    assert kinds(store, session) == ["ready", "ready"]  # what was sent stays saved
    assert not store.info(session.id).finished


async def test_quitting_mid_exercise_asks_first_and_keeps_the_session(app, store):
    async with app.run_test(size=(100, 30)) as pilot:
        session = await begin(app, pilot, store)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmQuitScreen"
        assert "is not kept" in screen_text(app)  # a memory store, as with --no-save
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app._exit  # leaving was asked for (the app closes as the block ends)
    assert app.return_value != QUICK_EXIT
    assert not store.info(session.id).finished


async def test_a_saved_session_shows_its_exact_resume_command(library, tmp_path):
    from trustdialog.store import open_store
    from trustdialog.ui.app import make_app

    saved = open_store(tmp_path)
    app = make_app(library=library, store=saved, clock=lambda: NOW, names=NAMES)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            session = await begin(app, pilot, saved)
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert f"trustdialog resume {session.id}" in flat(screen_text(app))
            await pilot.press("n", "ctrl+t")
            await pilot.pause()
            await pilot.press("enter")  # the suggested 20 minutes
            await pilot.pause()
            assert type(app.screen).__name__ == "PausedScreen"
            shown = flat(screen_text(app))
            assert f"trustdialog resume {session.id}" in shown and "the session is kept" in shown
    finally:
        saved.close()


@pytest.mark.parametrize("key, overlay", [
    ("ctrl+t", "TimeOutScreen"), ("ctrl+r", "ResourcesScreen"), ("f2", "ResourcesScreen"),
    ("ctrl+q", "ConfirmQuitScreen"),
])
async def test_an_overlay_key_pressed_again_opens_no_second_copy(app, store, key, overlay):
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(app, pilot, store)
        await pilot.press(key)
        await pilot.pause()
        assert type(app.screen).__name__ == overlay
        depth = len(app.screen_stack)
        await pilot.press(key)
        await pilot.pause()
        assert type(app.screen).__name__ == overlay and len(app.screen_stack) == depth
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
