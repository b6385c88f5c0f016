"""SVG snapshots of the reveal and of a hidden step answered one at a time, at 80x24 and 120x36.

Regenerate on purpose: `pytest tests/ui/test_reveal_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

import pytest
from test_reveal import ALEX, SAM

from trustdialog.session import Session

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
RATED = ("follow_through", "there", "word", "safe_sharing", "boundaries", "care", "agreements", "valued",
         "good_intent", "truth")


def _session(app, exercise_id: str) -> Session:
    session = Session.new(app.store, app.library.exercises[exercise_id], {"a": "Alex", "b": "Sam"},
                          clock=app.clock)
    session.submit("ready", "a")
    session.submit("ready", "b")
    session.submit("continued", "a")
    return session


def _ratings(*partners: str):
    async def run_before(pilot):
        session = _session(pilot.app, "what-trust-looks-like")
        for partner in partners:
            values = dict(zip(RATED, ALEX if partner == "a" else SAM))
            session.submit("answered", partner, values=values)
        pilot.app.run_session(session)
        await pilot.pause()
    return run_before


async def _feelings(pilot):
    session = _session(pilot.app, "after-a-hard-moment")
    session.submit("answered", "a", values={"felt": "furious and small, then very tired"})
    session.submit("answered", "b", values={"felt": "scared"})
    pilot.app.run_session(session)
    await pilot.pause()


VIEWS = {
    "hidden-first": _ratings(),  # Alex rates; Sam's form is folded
    "hidden-second": _ratings("a"),  # Sam rates; Alex's answers are covered
    "reveal-ratings": _ratings("a", "b"),
    "reveal-text": _feelings,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", list(VIEWS))
def test_view(snap_compare, make, shipped_library, view, size):
    assert snap_compare(make(library=shipped_library), terminal_size=size, run_before=VIEWS[view])
