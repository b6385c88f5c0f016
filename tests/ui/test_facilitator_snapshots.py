"""Snapshots of the facilitator in the room, at 80x24 and 120x36: the note and nudge overlays,
a nudge as a partner sees it, and a partner's call as the facilitator sees it.

Regenerate on purpose: `pytest tests/ui/test_facilitator_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

import pytest
from driver import advance

from trustdialog.identity import Identity

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
ALEX = Identity("alex", "client", couple="alex-sam", partner="a")
FRAN = Identity("fran", "facilitator")


async def _note(pilot):
    advance(pilot.app, "every-kind", "voice")
    await pilot.pause()
    await pilot.press("f9")
    await pilot.pause()
    await pilot.press(*"Sam went quiet here.")
    await pilot.pause()


async def _nudge_overlay(pilot):
    advance(pilot.app, "every-kind", "voice")
    await pilot.pause()
    await pilot.press("f8")
    await pilot.pause()


async def _nudged(pilot):
    session = advance(pilot.app, "every-kind", "voice")
    await pilot.pause()
    session.submit("nudged", "both", by="fran, facilitator",
                   text="Take a breath. Try the sentence frame.", **{"from": "fran"})
    await pilot.app.screen.render_state(keep_focus=True)
    await pilot.pause()


async def _called(pilot):
    session = advance(pilot.app, "every-kind", "voice")
    await pilot.pause()
    session.submit("called", "b", by="sam, client, alex-sam partner B")
    await pilot.app.screen.render_state(keep_focus=True)
    await pilot.pause()


VIEWS = {
    "note": (FRAN, _note),
    "nudge-overlay": (FRAN, _nudge_overlay),
    "nudged": (ALEX, _nudged),
    "called": (FRAN, _called),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", list(VIEWS))
def test_room_view(snap_compare, make, view, size):
    identity, run_before = VIEWS[view]
    assert snap_compare(make(identity=identity), terminal_size=size, run_before=run_before)
