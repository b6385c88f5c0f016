"""Small exercises built straight from the model, so engine tests need no TOML."""

from __future__ import annotations

from trustdialog.engine import Event
from trustdialog.exercise.model import Exercise, Field, Option, Step

NAMES = {"a": "Ada", "b": "Ben"}


def exercise(*steps: Step, rounds: int = 1, swap_roles: bool = True, id: str = "built",
             roles: tuple[str, str] = ("speaker", "listener")) -> Exercise:
    return Exercise(id=id, title=id.title(), minutes=5, summary="", credit="", steps=tuple(steps),
                    roles=roles, rounds=rounds, swap_roles=swap_roles)


def say(id: str, by: str = "speaker", text: str | None = None, **kw) -> Step:
    return Step(id=id, kind="say", by=by, text=f"{id} text" if text is None else text, **kw)


def prompt(id: str, by: str = "speaker", text: str | None = None, **kw) -> Step:
    return Step(id=id, kind="prompt", by=by, text=f"{id} text" if text is None else text, **kw)


def choose(id: str, *options: Option, by: str = "speaker", **kw) -> Step:
    return Step(id=id, kind="choose", by=by, text=f"{id} text", options=options, **kw)


def confirm(id: str, on_no: str, by: str = "speaker", max_loops: int = 3, **kw) -> Step:
    return Step(id=id, kind="confirm", by=by, text=f"{id} text", on_no=on_no, max_loops=max_loops, **kw)


def when_i_felt(rounds: int = 2) -> Exercise:
    """The brief's sample: every step kind, every field kind, a loop, a branch, both/hidden/private."""
    return exercise(
        say("hello", by="both", text="Welcome, {speaker} and {listener}."),
        prompt("voice", text="{speaker}, name one moment that hurt. {listener}, just listen.",
               template="When {event} happened, I felt {feeling}.",
               fields=(Field("event", label="what happened"),
                       Field("feeling", kind="pick", vocab="feelings", label="a feeling")),
               timer=180),
        prompt("mirror", by="listener", text='{listener}, say back what you heard ({voice})'),
        confirm("check", on_no="mirror", max_loops=2),
        choose("topic", Option("Talk about it more", next="mirror"), Option("Move on")),
        prompt("rate", by="both", hidden=True,
               fields=(Field("follow_through", kind="rating", min=1, max=5, low="rarely", high="always"),)),
        prompt("promises", fields=(Field("promises", kind="list", min=1, max=3, label="promise",
                                         item="I will {what} by {when}."),)),
        prompt("reflect", by="both", private=True, text="Privately, note one thing.", next="end"),
        say("never", text="only reachable by mistake"),
        rounds=rounds, id="when-i-felt-built",
    )


def branching() -> Exercise:
    """A choice that jumps forward, back, and straight to the end."""
    return exercise(
        say("open"),
        choose("pick", Option("Go deep", next="deep"), Option("Stop", next="end"), Option("Fall through")),
        prompt("light", by="listener", fields=(Field("note", optional=True), Field("mood", kind="rating", min=0, max=3))),
        prompt("deep", by="both", text="{note} / {light}",
               fields=(Field("things", kind="list", min=2, max=2),)),
        confirm("sure", on_no="pick", by="listener", max_loops=1),
        rounds=3, swap_roles=False, id="branching-built",
    )


BUILT = (when_i_felt(), branching())


def step_event(state, kind: str, partner: str, **data) -> Event:
    """A step-scoped event for the current step and round."""
    return Event(kind, partner, step=state.step_id, round=state.round, data=data)


def begin(ex: Exercise, names=NAMES):
    """A state past the ready check, on the first step."""
    from trustdialog import engine

    state = engine.start(ex, names)
    state = engine.apply(state, Event("ready", "a", at=1.0))
    return engine.apply(state, Event("ready", "b", at=2.0))
