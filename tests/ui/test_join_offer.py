"""The welcome offers to join the session the other partner has begun and is on now."""

from __future__ import annotations

import pytest
from driver import screen_text, wait_until

from trustdialog.identity import Identity
from trustdialog.presence import Presence
from trustdialog.session import Session
from trustdialog.store import open_store

KIM = Identity("kim", "client", couple="sam-kim", partner="b")
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
OFFER = "Sam started When it happened, I felt — join?"


def begun_by_sam(store, exercises, clock):
    """Sam's session, begun on his own connection (he said yes), with Sam on it now."""
    session = Session.new(store, exercises["when-i-felt"], {"a": "Sam", "b": "Kim"}, owner="sam-kim",
                          clock=clock)
    session.submit("ready", "a", by="sam, client, sam-kim partner A")
    return session


@pytest.mark.parametrize("size", SIZES)
def test_the_join_offer(snap_compare, make, shipped_library, tmp_path, clock, size):
    store = open_store(tmp_path)
    session = begun_by_sam(store, shipped_library.exercises, clock)
    sam = Presence(tmp_path / "presence").join(session.id, "sam", "client", "a")
    app = make(library=shipped_library, store=store, identity=KIM)

    async def run_before(pilot):
        await wait_until(pilot, lambda: OFFER in screen_text(app), seconds=10)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    sam.leave()
    store.close()


async def test_one_key_joins_and_the_offer_goes_when_the_partner_leaves(make, shipped_library, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(library=shipped_library, store=store, identity=KIM)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        session = begun_by_sam(open_store(tmp_path), shipped_library.exercises, clock)
        await wait_until(pilot, lambda: "Unfinished sessions" in screen_text(app), seconds=10)
        assert "join?" not in screen_text(app)  # Sam is not on it: just a saved session
        sam = Presence(tmp_path / "presence").join(session.id, "sam", "client", "a")
        await wait_until(pilot, lambda: OFFER in screen_text(app), seconds=10)
        sam.leave()
        await wait_until(pilot, lambda: "join?" not in screen_text(app), seconds=10)
        sam = Presence(tmp_path / "presence").join(session.id, "sam", "client", "a")
        await wait_until(pilot, lambda: OFFER in screen_text(app), seconds=10)
        await pilot.press("enter")  # the offer has the focus: Enter joins, as F5 does
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ReadyScreen", seconds=10)
        assert app.session.id == session.id
        assert "waiting for Sam" not in screen_text(app) and "Yes, now is good" in screen_text(app)
        sam.leave()
        session.store.close()
    store.close()


async def test_partner_a_is_offered_what_partner_b_began(make, shipped_library, tmp_path, clock):
    store = open_store(tmp_path)
    session = Session.new(store, shipped_library.exercises["when-i-felt"], {"a": "Sam", "b": "Kim"},
                          owner="sam-kim", clock=clock)
    session.submit("ready", "b")
    kim = Presence(tmp_path / "presence").join(session.id, "kim", "client", "b")
    app = make(library=shipped_library, store=store, identity=Identity("sam", "client", couple="sam-kim", partner="a"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "Kim started When it happened, I felt — join?" in screen_text(app),
                         seconds=10)
        await pilot.press("f5")
        await wait_until(pilot, lambda: app.session is not None and app.session.id == session.id, seconds=10)
    kim.leave()
    store.close()
