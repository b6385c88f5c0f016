"""What screens ask of the app: one message per request; the app alone changes the session.

Screens post these and render what the app then holds (`TrustDialogApp.conversation`);
the app handles each with `@on` and decides what comes next.
"""

from __future__ import annotations

from typing import Any, Awaitable, Mapping, Protocol, runtime_checkable

from textual.message import Message


class NamesChosen(Message):
    """The welcome's names are set: on to the picker."""

    def __init__(self, names: Mapping[str, str]) -> None:
        super().__init__()
        self.names = dict(names)


class ExerciseChosen(Message):
    """An exercise was picked: its ready check comes next."""

    def __init__(self, exercise_id: str) -> None:
        super().__init__()
        self.exercise_id = exercise_id


class SessionChosen(Message):
    """A saved session was picked to continue."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id


class PartnerReady(Message):
    """One partner says now is a good time."""

    def __init__(self, partner: str) -> None:
        super().__init__()
        self.partner = partner


class NotNow(Message):
    """One partner says not now."""

    def __init__(self, partner: str) -> None:
        super().__init__()
        self.partner = partner


class Send(Message):
    """One partner's action on the running step (an answer, a choice, a confirm, continue)."""

    def __init__(self, kind: str, partner: str, data: Mapping[str, Any] | None = None,
                 key: object = None) -> None:
        super().__init__()
        self.kind = kind
        self.partner = partner
        self.data = dict(data or {})
        self.key = key  # the sender's own token (say, its form), handed back with the outcome


class ForgetSession(Message):
    """Delete a saved session for good (the person has confirmed it)."""

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id


class BackToStart(Message):
    """Leave the flow for the welcome screen (everything sent is kept)."""


class ChooseAnother(Message):
    """Leave the flow for the picker."""


class TurnsArrived(Message):
    """The running session took turns saved on another connection: show where it is now."""


# What the app may ask of the screen on top, when that screen offers it. A screen
# that takes a Send shows its outcome itself; one that draws a session redraws.


@runtime_checkable
class Answers(Protocol):
    """A screen that shows the outcome of its own Send where it was asked."""

    async def answered(self, event: Send, message: str | None) -> None: ...


@runtime_checkable
class Redraws(Protocol):
    """A screen that draws the running session and can draw it again."""

    def render_state(self) -> Awaitable[None] | None: ...


@runtime_checkable
class HasPanes(Protocol):
    """A screen with a pane per partner: which one holds the focus."""

    def focused_partner(self) -> str | None: ...
