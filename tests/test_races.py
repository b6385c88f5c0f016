"""Races between two connections on one session, each with its own connection to one SQLite file.

Two Conversations race through threads, as two apps' processes would: each
holds its own SQLite connection, and sqlite3 lets go of the interpreter while
it writes, so the two appends truly meet in the file. Fifty times each: every
time exactly one of two clashing actions lands, and the side that lost holds
the session as it is now and can go on from there.
"""

from __future__ import annotations

import threading

from trustdialog import engine
from trustdialog.conversation import Conversation
from trustdialog.exercise.model import Exercise, Step
from trustdialog.store import open_store

NAMES = {"a": "Ana", "b": "Ben"}
ROUNDS = 50
EXERCISE = Exercise(
    id="check-in", title="Check in", minutes=5, summary="", credit="",
    steps=(Step(id="hello", kind="say", by="speaker", text="Hello, {listener}."),
           Step(id="check", kind="confirm", by="speaker", text="Did {listener} get it?", on_no="hello"),
           Step(id="next", kind="say", by="both", text="What now?")))


def connection(folder, owner: str) -> Conversation:
    """One app's conversation (at a terminal: both panes), with its own connection to the data file."""
    store = open_store(folder)
    return Conversation(lambda: store, lambda: {EXERCISE.id: EXERCISE}, names=NAMES, owner=owner)


def at_once(*actions):
    """Run each action in its own thread, all let go at the same moment; their results in order."""
    start = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i, action):
        start.wait()
        results[i] = action()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_both_connections_press_enter_on_the_same_confirm_step_at_once_fifty_times(tmp_path):
    # One client at two terminals (a couple of one): both panes take input on both.
    first, second = connection(tmp_path, owner="sam"), connection(tmp_path, owner="sam")
    for _ in range(ROUNDS):
        first.choose(EXERCISE.id)
        assert first.ready("a") is None and first.ready("b") is None
        assert first.send("continued", "a") is None
        assert second.resume(first.session.id) is None
        assert first.session.state.step_id == second.session.state.step_id == "check"

        outcomes = at_once(lambda: first.send("confirmed", "a", yes=True),
                           lambda: second.send("confirmed", "a", yes=True))

        assert sorted(o is None for o in outcomes) == [False, True], outcomes  # one landed, one refused
        stored = first.session.store.events(first.session.id)
        assert [e.kind for e in stored].count(engine.CONFIRMED) == 1
        lost = second if outcomes[0] is None else first
        # The side that lost took in the winner's turn: it is where the session is now...
        assert lost.session.state.step_id == "next" and len(lost.session.events) == len(stored)
        # ...and nothing sticks: it goes on from there, and the other side sees it.
        assert lost.send("continued", "b") is None
        won = first if lost is second else second
        assert won.session.catch_up() and won.session.state.finished
        first.leave()
        second.leave()


def test_the_ready_check_answered_from_both_connections_at_once_fifty_times(tmp_path):
    # Sam began the session at one terminal (his yes); at the other he answers for Kim, and on
    # the first one Kim is having second thoughts: a yes and a "not now" for her meet in the file.
    first, second = connection(tmp_path, owner="sam"), connection(tmp_path, owner="sam")
    for _ in range(ROUNDS):
        first.choose(EXERCISE.id)
        assert first.ready("a") is None
        sid = first.session.id
        assert second.resume(sid) is None

        yes, not_now = at_once(lambda: second.ready("b"), lambda: first.not_now("b"))

        kinds = [e.kind for e in open_store(tmp_path).events(sid)]
        assert kinds in ([engine.READY, engine.READY], [engine.READY, engine.NOT_NOW]), kinds
        if kinds[-1] == engine.READY:  # the yes landed first: the exercise began for both
            assert yes is None and not_now is not None
            assert first.session is not None and first.session.state.phase == "step"
            assert first.session.state.step_id == second.session.state.step_id == "hello"
            assert first.send("continued", "a") is None  # and goes on from either side
        else:  # "not now" landed first: the check is closed for both
            assert not_now is None and yes is not None and first.session is None
            assert second.session.state.finished
        first.leave()
        second.leave()


def partner(folder, which: str) -> Conversation:
    """One partner's own connection, tied to that partner of the couple ana-ben."""
    from trustdialog.identity import Identity

    store = open_store(folder)
    who = Identity("ana" if which == "a" else "ben", "client", couple="ana-ben", partner=which)
    return Conversation(lambda: store, lambda: {EXERCISE.id: EXERCISE}, names=NAMES, owner="ana-ben",
                        identity=who)


def test_a_partner_who_chooses_the_exercise_the_other_began_joins_it_not_a_second_one(tmp_path):
    ana, ben = partner(tmp_path, "a"), partner(tmp_path, "b")
    ana.choose(EXERCISE.id)
    assert ana.ready("a") is None
    # Ben did not take the welcome's offer: he chose the same exercise himself.
    ben.choose(EXERCISE.id)
    assert ben.ready("b") is None
    assert ben.session.id == ana.session.id
    assert len(ben.unfinished()) == 1, "a second, half-open session was begun"
    ana.session.refresh()
    assert ana.session.state.phase == ben.session.state.phase == "step"


def test_a_yes_to_another_exercise_or_a_session_under_way_begins_its_own(tmp_path):
    other = Exercise(id="other", title="Other", minutes=5, summary="", credit="",
                     steps=(Step(id="hi", kind="say", by="both", text="Hi."),))
    ana, ben = partner(tmp_path, "a"), partner(tmp_path, "b")
    ben._exercises = lambda: {EXERCISE.id: EXERCISE, other.id: other}
    ana.choose(EXERCISE.id)
    assert ana.ready("a") is None
    ben.choose(other.id)
    assert ben.ready("b") is None
    assert ben.session.id != ana.session.id
    # Ana's yes on a second screen of hers never joins her own waiting session.
    again = partner(tmp_path, "a")
    again.choose(EXERCISE.id)
    assert again.ready("a") is None
    assert again.session.id != ana.session.id
