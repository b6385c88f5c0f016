"""One of two `serve` hosts on one PostgreSQL database dies: its client resumes on the other, draft and all."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from ssh_helpers import RunningServer, wait_for
from test_ssh_live import ana_begins, couple_access
from test_ssh_resume import EVENT, EXERCISE, FEELING, drawn_reversed, expect, move_focus, shows, terminals, type_text

from trustdialog.store import open_store

# Short enough to sit on one line of a partner's pane, so the screen can be searched for them.
MIRROR = "The dishes waited, you felt lonely"
DRAFT = "and nobody asked about my week"


@pytest.fixture
def couple(tmp_path, keys, database) -> tuple[Path, dict[str, Path]]:
    """The access list, in the database: alice (facilitator), Ana (partner A) and Ben (partner B)."""
    return couple_access(tmp_path, keys)


def pane(screen: str, partner: str) -> str:
    """The words in one partner's pane (A on the left, B on the right), wrapped lines joined."""
    lines = []
    for line in screen.splitlines():
        parts = re.split(r"[│┃]", line)
        if len(parts) == 5:  # a line across both panes: edge, A, edges, B, edge
            lines.append(parts[1 if partner == "a" else 3])
    return " ".join(" ".join(lines).split())


def no_traceback(*screens: str) -> None:
    for screen in screens:
        assert "Traceback" not in screen, screen


def test_a_host_killed_its_client_resumes_on_the_other_host_with_its_draft(database, couple, tmp_path,
                                                                          terminals):
    access_file, key = couple
    one = RunningServer.serve_command(tmp_path / "one", access_file)
    two = RunningServer.serve_command(tmp_path / "two", access_file)
    store = open_store(database)
    try:
        # Ana begins on host one; Ben, on host two, finds the session and joins it.
        ana = terminals(one.port, key["ana"])
        ana_begins(ana)
        ben = terminals(two.port, key["ben"])
        expect(ben, f"Ana started {EXERCISE} — join?", timeout=20)  # presence is in the database
        ben.keys("Enter")  # the offer has the focus
        expect(ben, "Yes, now is good")
        ben.keys("Enter")
        expect(ana, "step 1 of 10")

        # Turns from both hosts: Ana continues and says what happened, Ben says it back,
        # Ana answers "not quite" and starts on what was missed, and does not send it.
        expect(ana, "▸ Continue")
        assert wait_for(lambda: drawn_reversed(ana, "▸ Continue"), 5), ana.screen()
        ana.keys("Enter")
        expect(ana, "step 2 of 10")
        expect(ana, "ctrl+s sends")
        type_text(ana, EVENT)
        expect(ana, EVENT)
        ana.keys("Tab")
        expect(ana, "█a feeling")
        type_text(ana, FEELING)
        expect(ana, f"█{FEELING}")
        ana.keys("Enter")
        expect(ben, "step 3 of 10")
        expect(ben, "ctrl+s sends")
        type_text(ben, MIRROR)
        expect(ben, MIRROR)
        ben.keys("C-s")
        expect(ana, "step 4 of 10")
        expect(ana, "Not quite, or there is more")
        assert wait_for(lambda: drawn_reversed(ana, "▸ Yes, you got it, that is all"), 5), ana.screen()
        move_focus(ana, "Tab")
        assert wait_for(lambda: drawn_reversed(ana, "▸ Not quite, or there is more"), 5), ana.screen()
        ana.keys("Enter")
        expect(ana, "say what was missed")
        expect(ana, "ctrl+s sends")
        type_text(ana, DRAFT)
        expect(ana, DRAFT)
        [info] = store.sessions("ana-ben")
        assert wait_for(lambda: DRAFT in store.drafts(info.id).values(), 10), \
            f"the draft was never saved: {store.drafts(info.id)}"
        before = store.events(info.id)
        assert [(e.kind, e.partner, e.step) for e in before] == [
            ("ready", "a", None), ("ready", "b", None), ("continued", "a", "appointment"),
            ("answered", "a", "voice"), ("answered", "b", "mirror"), ("confirmed", "a", "check")], before
        assert before[-1].data == {"yes": False}
        no_traceback(ana.screen(), ben.screen())

        # Host one dies. Ana's client sees its connection go.
        killed_at = time.monotonic()
        killed = one.kill()
        assert len(killed) >= 3, killed  # the server, its template and Ana's app at least
        assert wait_for(ana.finished, 10), f"Ana's ssh did not notice its host died:\n{ana.screen()}"
        dropped = time.monotonic() - killed_at
        assert ana.exit_status() == "255", ana.exit_status()  # ssh's own "the connection ended"
        assert dropped < 5, dropped

        # Ben is still on the session: on host two, Ana's welcome offers it back; Enter rejoins.
        reconnect_at = time.monotonic()
        ana = terminals(two.port, key["ana"])
        expect(ana, f"Ben is on {EXERCISE} — join?", timeout=20)
        ana.keys("Enter")
        screen = expect(ana, DRAFT, timeout=20)
        draft_back = time.monotonic() - reconnect_at
        # The step she was on, Ben's turn quoted, her unsent words back in her box with the focus.
        shows(screen, "say what was missed")
        shows(screen, f'Ben said back: "{MIRROR}"')
        # Every turn sent before, each in its partner's pane, once.
        said = f"Say what happened (round 1): When {EVENT}, I felt {FEELING}."
        assert pane(screen, "a").count(said) == 1, screen
        assert pane(screen, "b").count(f"Say it back (round 1): {MIRROR}") == 1, screen
        expect(ana, "ctrl+s sends")
        no_traceback(ana.screen(), ben.screen())
        after = store.events(info.id)
        assert after == before, (before, after)  # nothing lost, nothing doubled by the death
        print(f"\nAna's client saw its host die after {dropped:.2f} s; "
              f"{draft_back:.2f} s from reconnecting to her draft on screen")

        # The session goes on: Ana sends what was missed, and Ben's screen asks him to mirror it all.
        ana.keys("C-s")
        screen = expect(ben, DRAFT)
        shows(screen, f'Ana said: "When {EVENT}, I felt {FEELING}. {DRAFT}"')
        events = store.events(info.id)
        assert events[:-1] == before
        assert [(e.kind, e.partner, e.step) for e in events[len(before):]] == [("answered", "a", "more")]
        assert list(events[-1].data["values"].values()) == [DRAFT]
        assert DRAFT not in store.drafts(info.id).values()
        no_traceback(ana.screen(), ben.screen())
        assert "Traceback" not in two.log, two.log
    finally:
        store.close()
        one.stop()
        two.stop()


__all__ = ["terminals"]
