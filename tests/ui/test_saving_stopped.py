"""When saving stops mid-session, the screen says so at once, the quit dialog is honest, a copy can be saved."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from driver import answer, begin, paste, screen_text
from textual.widgets import Input, Static

from trustdialog.exercise import load_library
from trustdialog.store import db_path, open_store

FIXTURES = Path(__file__).parent / "fixtures" / "library"

BIG = "y" * 6000  # big enough to need new pages, so the capped file cannot take it


@pytest.fixture
def make(make, tmp_path):
    """The app on a library whose one exercise has three rounds: four answers end mid-way."""
    folder = tmp_path / "library"
    folder.mkdir()
    toml = (FIXTURES / "two-rounds.toml").read_text()
    (folder / "three-rounds.toml").write_text(
        toml.replace('id = "two-rounds"', 'id = "three-rounds"').replace("rounds = 2", "rounds = 3"))
    library = load_library(extra_dirs=[folder], include_shipped=False)
    assert not library.diagnostics, [str(d) for d in library.diagnostics]
    return lambda **kwargs: make(library=library, **kwargs)


def saved_answers(data) -> list[str]:
    """The answered events in the file itself, read by a separate connection."""
    conn = sqlite3.connect(db_path(data))
    try:
        return [body for (body,) in conn.execute(
            "SELECT body FROM events WHERE kind = 'answered' ORDER BY seq")]
    finally:
        conn.close()


def cap_file(store) -> None:
    """A real SQLite "database or disk is full" from the next write that needs a page."""
    conn = store._conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def shown(app, selector: str) -> str:
    """One widget's text, whole (a long path wraps on screen)."""
    widget = app.screen.query_one(selector, Static)
    assert widget.display
    return str(widget.content)


def flat(app) -> str:
    return " ".join(screen_text(app).replace("▎", " ").replace("│", " ").split())


async def four_answers_with_failure_after_two(pilot, app, fail) -> None:
    await begin(pilot, "three-rounds")
    await answer(pilot, "a", "first answer")
    await answer(pilot, "b", "second answer")
    assert "Saving has stopped" not in flat(app)
    fail()
    await answer(pilot, "b", "third answer " + BIG)  # round two: the roles swap
    # The moment the turn could not be saved, the screen says so, and it stays.
    assert "Saving has stopped" in flat(app)
    assert "kept only while this window is open" in shown(app, "#saving-note")
    await answer(pilot, "a", "fourth answer")
    assert "Saving has stopped" in flat(app)


async def quit_dialog_and_copy(pilot, app, copy_path) -> str:
    await pilot.press("ctrl+q")
    await pilot.pause()
    assert type(app.screen).__name__ == "ConfirmQuitScreen"
    said = flat(app)
    assert "Turns up to 2 are saved; the last 2 are only in this window" in said
    assert "Everything you have written so far is kept" not in said
    await pilot.press("s")
    await pilot.pause()
    assert type(app.screen).__name__ == "SaveElsewhereScreen"
    box = app.screen.query_one("#copy-path", Input)
    box.value = ""
    await paste(pilot, str(copy_path))
    await pilot.press("enter")
    await pilot.pause()
    assert type(app.screen).__name__ == "ConfirmQuitScreen"
    assert f"A copy of everything so far is in {copy_path}" in shown(app, "#quit-copy-note")
    return said


async def test_a_full_file_mid_session_is_shown_and_the_quit_is_honest(make, tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    app = make(store=store, data_dir=data)
    copy = tmp_path / "elsewhere" / "copy.md"
    copy.parent.mkdir()
    async with app.run_test(size=(100, 40)) as pilot:
        await four_answers_with_failure_after_two(pilot, app, lambda: cap_file(store))
        await quit_dialog_and_copy(pilot, app, copy)
    written = copy.read_text()
    for words in ("first answer", "second answer", "third answer", "fourth answer"):
        assert words in written
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    store.close()
    on_disk = saved_answers(data)
    assert len(on_disk) == 2 and "second answer" in on_disk[1]


async def test_a_copy_that_cannot_be_written_says_why_and_another_path_works(make, tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    app = make(store=store, data_dir=data)
    async with app.run_test(size=(100, 40)) as pilot:
        await four_answers_with_failure_after_two(pilot, app, lambda: cap_file(store))
        await pilot.press("f6")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveElsewhereScreen"
        box = app.screen.query_one("#copy-path", Input)
        box.value = ""
        await paste(pilot, str(tmp_path / "no-such-folder" / "copy.md"))
        await pilot.press("enter")
        await pilot.pause()
        assert "that folder does not exist. Try another place." in flat(app)
        box.value = ""
        await paste(pilot, str(tmp_path))  # a folder: the usual name inside it
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        copy = tmp_path / f"trustdialog-{app.session.id}.md"
        assert "fourth answer" in copy.read_text()
        assert f"A copy up to that moment is in {copy}" in shown(app, "#saving-note")
    store.close()


async def test_a_session_forgotten_elsewhere_stops_saving_and_says_so(make, tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    app = make(store=store, data_dir=data)
    async with app.run_test(size=(100, 40)) as pilot:
        await begin(pilot, "three-rounds")
        await answer(pilot, "a", "first answer")
        sid = app.session.id
        other = open_store(data)  # another window runs `trustdialog forget`
        other.forget(sid)
        other.close()
        await paste(pilot, "a draft nobody should find")
        app.screen._flush_drafts()
        await pilot.pause()
        said = shown(app, "#saving-note")
        assert "This session was deleted from another window; what you write now is not saved" in said
        await pilot.press("enter")  # the answer goes on, in this window
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        said = flat(app)
        assert "deleted from another window, so nothing of it is kept" in said
        assert "resume" not in said and "is kept. You can pick up" not in said
    store.close()
    conn = sqlite3.connect(db_path(data))
    assert conn.execute("SELECT COUNT(*) FROM drafts").fetchone() == (0,)
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
    conn.close()


async def test_a_saved_session_still_promises_resume(make, tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    app = make(store=store, data_dir=data)
    async with app.run_test(size=(100, 40)) as pilot:
        await begin(pilot, "three-rounds")
        await answer(pilot, "a", "first answer")
        assert "Saving has stopped" not in flat(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert f"trustdialog resume {app.session.id}" in flat(app)
        assert "Save a copy" not in flat(app)
    store.close()


@pytest.fixture
def small_disk(tmp_path):
    where = tmp_path / "small"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk) -> None:
    """Write a file until the disk takes no more (a real ENOSPC)."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(fd)


async def test_a_real_full_disk_mid_session(make, small_disk, tmp_path):
    data = small_disk / "data"
    store = open_store(data)
    assert store.persistent
    app = make(store=store, data_dir=data)
    copy = tmp_path / "copy.md"
    async with app.run_test(size=(100, 40)) as pilot:
        await four_answers_with_failure_after_two(pilot, app, lambda: fill(small_disk))
        said = await quit_dialog_and_copy(pilot, app, copy)
        assert "disk is full" in said
    written = copy.read_text()
    for words in ("first answer", "second answer", "third answer", "fourth answer"):
        assert words in written
    (small_disk / "filler").unlink()
    store.close()
    assert len(saved_answers(data)) == 2


async def test_a_draft_that_cannot_be_saved_shows_the_note_and_keeps_the_text(make, tmp_path):
    data = tmp_path / "data"
    store = open_store(data)
    app = make(store=store, data_dir=data)
    async with app.run_test(size=(100, 40)) as pilot:
        await begin(pilot, "three-rounds")
        cap_file(store)
        await paste(pilot, "a long draft " + BIG)
        app.screen._flush_drafts()  # what the typing pause would do
        await pilot.pause()
        assert "Saving has stopped" in shown(app, "#saving-note")
        assert app.session.drafts() and "a long draft" in next(iter(app.session.drafts().values()))
    store.close()
