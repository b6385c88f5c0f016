"""Across sessions: promises found in the log, their marks, follow-through, history."""

from __future__ import annotations

import dataclasses

import pytest

from trustdialog import progress
from trustdialog.session import Session
from trustdialog.store import MemoryStore, StoreError, open_store
from store_helpers import felt_exercise, promises_exercise

EXERCISES = {"small-promises": promises_exercise()}

NAMES = {"a": "Ann", "b": "Bob"}


def promise_round(store, at, first, second=None, owner=None, change=False, exercise=None):
    """A small-promises session at time `at`: Ann promises `first`, then (round 2) Bob `second`."""
    ex = exercise or promises_exercise()
    s = Session.new(store, ex, NAMES, owner=owner, clock=lambda: at)
    s.submit("ready", "a")
    s.submit("ready", "b")
    items = [{"what": w, "when": "Friday"} for w in first]
    if change:  # promises first made, then changed after "let me change them"
        s.submit("answered", "a", values={"promises": [{"what": "something vague", "when": "soon"}]})
        s.submit("answered", "b", values={"read-back": "vague"})
        s.submit("confirmed", "a", yes=False)
    s.submit("answered", "a", values={"promises": items})
    s.submit("answered", "b", values={"read-back": "ok"})
    s.submit("confirmed", "a", yes=True)
    s.submit("answered", "a", values={"note": "private"})
    s.submit("answered", "b", values={"note": "private"})
    if second:
        s.submit("answered", "b", values={"promises": [{"what": w, "when": "Sunday"} for w in second]})
    return s


@pytest.fixture(params=["sqlite", "memory"])
def store(request, data_dir):
    return open_store(data_dir) if request.param == "sqlite" else MemoryStore()


def test_promises_are_found_with_who_made_them(store):
    s = promise_round(store, 1000.0, ["walk", "cook"], ["call"], change=True)
    Session.new(store, felt_exercise(), NAMES)  # other exercises hold no promises
    found = progress.promises(store, None, EXERCISES)
    assert [(p.name, p.text) for p in found] == [
        ("Ann", "I will walk by Friday"), ("Ann", "I will cook by Friday"), ("Bob", "I will call by Sunday")]
    assert {p.session_id for p in found} == {s.id}
    assert len({p.key for p in found}) == 3
    # The exercise file says its answers are promises: without it, nothing claims they are.
    assert progress.promises(store, None, {}) == []
    copy = dataclasses.replace(promises_exercise(), promises=False)
    assert progress.promises(store, None, {"small-promises": copy}) == []


def test_a_renamed_copy_of_a_promises_exercise_keeps_its_check_in(store):
    renamed = dataclasses.replace(promises_exercise(), id="our-promises")
    promise_round(store, 1000.0, ["walk"], ["call"], exercise=renamed)
    found = progress.promises(store, None, {"our-promises": renamed})
    assert [p.text for p in found] == ["I will walk by Friday", "I will call by Sunday"]


def test_marks_rates_and_open_promises(store):
    one = promise_round(store, 1000.0, ["walk", "cook", "call"])
    two = promise_round(store, 2000.0, ["rest", "read"])
    p = progress.promises(store, None, EXERCISES)
    store.set_mark(one.id, p[0].key, "kept", at=1500.0, checkin_session=two.id)
    store.set_mark(one.id, p[1].key, "partly", at=1500.0)
    store.set_mark(one.id, p[2].key, "not kept", at=1500.0)
    store.set_mark(one.id, p[2].key, "kept", at=1600.0)  # changed their mind: the last mark counts
    with pytest.raises(StoreError):
        store.set_mark(one.id, p[0].key, "failed")
    p = progress.promises(store, None, EXERCISES)
    assert [x.mark for x in p] == ["kept", "partly", "kept", None, None]
    assert [x.text for x in progress.open_promises(store, None, EXERCISES)] == ["I will rest by Friday", "I will read by Friday"]
    assert progress.open_promises(store, None, EXERCISES, before=two.id) == []
    points = progress.follow_through(p)
    assert [(pt.session_id, pt.kept, pt.partly, pt.not_kept, pt.open) for pt in points] == [
        (one.id, 2, 1, 0, 0), (two.id, 0, 0, 0, 2)]
    assert points[0].rate == pytest.approx(2.5 / 3)
    assert points[1].rate is None
    assert progress.overall(points) == pytest.approx(2.5 / 3)


def test_rate_counts_partly_as_half():
    assert progress.rate(4, 0, 1) == 0.8
    assert progress.rate(3, 2, 0) == 0.8
    assert progress.rate(0, 0, 0) is None


def test_owners_see_only_their_own(store):
    promise_round(store, 1.0, ["walk"], owner="ann")
    promise_round(store, 2.0, ["swim"], owner="cy")
    assert [p.text for p in progress.promises(store, "cy", EXERCISES)] == ["I will swim by Friday"]
    assert [h.exercise_id for h in progress.history(store, owner="ann")] == ["small-promises"]


def test_history_newest_first_with_finished(store):
    a = Session.new(store, felt_exercise(), NAMES, clock=lambda: 10.0)
    b = Session.new(store, felt_exercise(), NAMES, clock=lambda: 20.0)
    b.submit("ended", "a")
    rows = progress.history(store)
    assert [(r.session_id, r.finished, r.title) for r in rows] == [
        (b.id, True, "When it happened, I felt"), (a.id, False, "When it happened, I felt")]


def test_forgetting_a_session_forgets_its_promises_and_marks(store):
    s = promise_round(store, 1.0, ["walk"])
    store.set_mark(s.id, progress.promises(store, None, EXERCISES)[0].key, "kept")
    store.forget(s.id)
    assert progress.promises(store, None, EXERCISES) == [] and store.marks() == []
