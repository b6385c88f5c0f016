"""Two `serve` hosts on one PostgreSQL database: Ana on one, Ben and their facilitator on the other, one live session."""

from __future__ import annotations

from ssh_helpers import RunningServer, wait_for
from test_ssh_live import ana_begins, couple_access, open_the_session
from test_ssh_resume import EVENT, EXERCISE, FEELING, drawn_reversed, expect, shows, terminals, type_text

from trustdialog.store import open_store


def test_partners_on_two_hosts_share_one_live_session(database, tmp_path, keys, terminals):
    access_file, made = couple_access(tmp_path, keys)
    assert not access_file.exists()  # into the database, as $TRUSTDIALOG_STORE names it
    one = RunningServer.serve_command(tmp_path / "one", access_file)
    two = RunningServer.serve_command(tmp_path / "two", access_file)
    try:
        ana = terminals(one.port, made["ana"])
        ana_begins(ana)

        # Ben, on the other host, is offered the session Ana is on from the first: presence is
        # in the database, so his host sees her there; one Enter joins it.
        ben = terminals(two.port, made["ben"])
        expect(ben, f"Ana started {EXERCISE} — join?", timeout=20)
        ben.keys("Enter")  # the offer has the focus
        expect(ben, "Yes, now is good")
        ben.keys("Enter")
        expect(ben, "step 1 of 10")
        expect(ana, "step 1 of 10")  # Ana's screen moves on, with no key pressed on her host

        alice = terminals(two.port, made["alice"])
        open_the_session(alice, f"{EXERCISE} · Ana and Ben")
        expect(alice, "step 1 of 10")
        # Who is here, on every host: Ana's status line names Ben and their facilitator.
        expect(ana, "with Ben; alice, facilitator")

        expect(ana, "▸ Continue")
        assert wait_for(lambda: drawn_reversed(ana, "▸ Continue"), 5), ana.screen()
        ana.keys("Enter")
        for tmux in (ana, ben, alice):
            expect(tmux, "step 2 of 10")

        # Ana's sentence, sent on host one, shows on host two for Ben and their facilitator.
        expect(ana, "ctrl+s sends")
        type_text(ana, EVENT)
        ana.keys("Tab")
        expect(ana, "█a feeling")
        expect(ben, "Ana's turn, on their own screen: writing…")  # never her words
        assert EVENT not in ben.screen()
        type_text(ana, FEELING)
        ana.keys("Enter")
        quoted = f'Ana said: "When {EVENT}, I felt {FEELING}."'
        for tmux in (ben, alice):
            expect(tmux, "step 3 of 10")
            shows(expect(tmux, EVENT), quoted)
    finally:
        one.stop()
        two.stop()
    store = open_store(None)
    [info] = store.sessions("ana-ben")
    sent = [e.by for e in store.events(info.id) if e.kind in ("ready", "continued", "answered")]
    assert sent == ["ana, client, ana-ben partner A", "ben, client, ana-ben partner B",
                    "ana, client, ana-ben partner A", "ana, client, ana-ben partner A"], sent
    store.close()


__all__ = ["terminals"]
