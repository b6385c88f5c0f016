"""The database server goes down mid-session: the turn stays in its box, unsent, with one calm line;
sent again once the server is back, it is saved there (not kept in memory and lost on exit)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from driver import answer, begin, form, screen_text

from trustdialog.conversation import NOT_SENT
from trustdialog.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))  # the store tests' throw-away server
from pg_server import started  # noqa: E402


@pytest.fixture
def database():
    with started() as server:
        yield server


def flat(app) -> str:
    """The screen's words, pane edges left out (a line the pane wraps reads on)."""
    return " ".join(screen_text(app).translate(str.maketrans("▎│┃", "   ")).split())


def answers(url: str, session_id: str) -> list[str]:
    """What the database holds, read on a connection of its own."""
    other = open_store(None, url=url)
    try:
        return [text for e in other.events(session_id) if e.kind == "answered"
                for text in e.data["values"].values()]
    finally:
        other.close()


async def test_a_turn_sent_while_the_database_is_down_waits_in_its_box(make, database):
    store = open_store(None, url=database.url)
    app = make(store=store)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await begin(pilot, "two-rounds")
            await answer(pilot, "a", "You made me tea this morning.")
            session = app.session
            database.halt()
            await answer(pilot, "b", "You said I made you tea.")
            # Refused, calmly, in one line; the words are still in the box, and
            # the session did not quietly move to memory.
            said = flat(app)
            assert "Not sent yet: the database cannot be reached just now." in said
            assert "Saving has stopped" not in said
            assert list(form(app, "b").values().values()) == ["You said I made you tea."]
            assert app.session is session and session.persistent
            assert session.state.step_id == "heard"
            database.resume()
            # Sent again: the same words, saved on the server, the flow moves on.
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert (session.state.round, session.state.step_id) == (2, "say-it")
            assert NOT_SENT not in flat(app)
            assert answers(database.url, session.id) == [
                "You made me tea this morning.", "You said I made you tea."]
    finally:
        store.close()
