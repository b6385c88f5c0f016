"""Key presses reach the app one after another, in the order they were typed.

Textual hands a key to the focused widget's queue and goes straight on to the
next key; a key the widget does not take itself (Tab, Enter, Ctrl+U, Backspace)
comes back up to the app, which only then runs its binding. Keys that arrive
together (a fast typist over SSH, a burst from a terminal multiplexer, keys
typed while the app starts) therefore overtake that binding: "Ana", Tab, "Ben"
in one burst can give "AnaBen" in the first field, and a Ctrl+U typed before
"Ana" can run after it and clear the name. Keys typed before the first screen
has its focus are dropped outright.

Here a key that will come back up is followed through its widget's ancestors
(a callback queued on each, in turn, runs after the key has been handled
there); later keys wait until it has arrived and its binding has run, and
keys wait while the screen they are meant for is still being put together.
Keys a widget takes itself (letters into an answer) pass straight through.
"""

from __future__ import annotations

from collections import deque
from time import monotonic
from typing import TYPE_CHECKING, Awaitable, Callable, Iterable

from textual import events

from trustdialog.ui.widgets.own_keys import editing_bindings

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.timer import Timer

HOLD_LIMIT = 2.0  # seconds: no key is ever held longer than this, whatever goes wrong
RETRY = 0.02  # seconds between looks at a screen that is still being mounted
PASSES = 50  # at most this many rounds of what a key set going (HOLD_LIMIT bounds the time)


class KeysInOrder:
    """Delivers the app's key and paste events one after another."""

    def __init__(self, app: App, deliver: Callable[[events.Event], Awaitable[None]]) -> None:
        self._app = app
        self._deliver = deliver  # what Textual does with one event (App.on_event)
        self._held: deque[tuple[events.Event, float]] = deque()  # with when each arrived
        self._waiting_since: float | None = None  # an earlier key is still on its way
        self._timer: Timer | None = None
        self._draining = False

    @property
    def holding(self) -> int:
        """How many events are waiting."""
        return len(self._held)

    async def arrive(self, event: events.Event) -> None:
        """Take one key or paste from the terminal: deliver it now or after those before it."""
        if isinstance(event, events.Key) and self.may_be_bound(event.key, priority=True):
            # Quick exit, quit, time-out and help lines act at once, ahead of any held key.
            await self._deliver(event)
            return
        self._held.append((event, monotonic()))
        await self._drain()

    def may_be_bound(self, key: str, priority: bool) -> bool:
        """Whether a node where the key goes binds it (a priority binding, or another), as
        declared; Textual's binding chain only leaves bindings out of that, without a keymap."""
        return any(binding.priority == priority for node in self._chain()
                   for binding in node._bindings.key_to_bindings.get(key, ()))

    async def _drain(self) -> None:
        if self._draining:  # a delivery below led back here: the outer loop goes on
            return
        self._draining = True
        try:
            while self._held:
                now = monotonic()
                event, arrived = self._held[0]
                if self._waiting_since is not None and now - self._waiting_since < HOLD_LIMIT:
                    self._wake_in(HOLD_LIMIT - (now - self._waiting_since))
                    return
                if not self._screen_ready() and now - arrived < HOLD_LIMIT:
                    self._wake_in(RETRY)
                    return
                self._held.popleft()
                self._waiting_since = None
                target = self._app.focused
                # A key the field takes as text, or runs its own editing binding for
                # (own_keys), ends there; any other comes back up to the app.
                comes_back = isinstance(event, events.Key) and not (
                    target is not None and (target.check_consume_key(event.key, event.character)
                                            or bool(editing_bindings(target, event.key))))
                nodes = list(target.ancestors_with_self) if target is not None else self._chain()
                await self._deliver(event)
                if comes_back:
                    self._follow(nodes)
        finally:
            self._draining = False

    def _screen_ready(self) -> bool:
        # Keys typed while a screen is being mounted belong to it, and to the widget
        # it will focus: before that they would reach the bare screen and be lost.
        # A focused widget that is being taken away would drop them the same way.
        try:
            screen = self._app.screen
        except Exception:  # no screen on the stack yet
            return False
        focused = self._app.focused
        return screen.is_mounted and (focused is None or focused.is_attached)

    def _follow(self, nodes: list[DOMNode]) -> None:
        """Follow a key up `nodes` (where it bubbles), then wait for what it set going."""
        self._waiting_since = monotonic()
        self._pass(nodes, PASSES)

    def _pass(self, nodes: list[DOMNode], left: int) -> None:
        self._hop(nodes, left, 0)

    def _hop(self, nodes: list[DOMNode], left: int, index: int) -> None:
        # A callback queued on each node in turn runs after that node has handled
        # what was queued before it (the key, or a message its binding posted). One
        # method, not a closure a pass: Textual counts a callback's arguments once.
        if index < len(nodes):
            if not nodes[index].call_later(self._hop, nodes, left, index + 1):
                self._release()  # that node has closed: nothing more comes from it
        elif left > 1 and not self._quiet():
            # The binding posted messages of its own (Enter submits, the screen
            # opens the next one): follow those along the chain as it is now.
            self._pass(self._chain(), left - 1)
        else:
            self._release()

    def _chain(self) -> list[DOMNode]:
        """Where a key would go now: the focused widget up to the app."""
        focused = self._app.focused
        if focused is not None:
            return list(focused.ancestors_with_self)
        try:
            return [self._app.screen, self._app]
        except Exception:  # no screen on the stack (starting, or closing)
            return [self._app]

    def _quiet(self) -> bool:
        """Nothing is on its way in the focused chain but keys from the terminal."""
        if not self._screen_ready():
            return False
        *widgets, _app = self._chain()
        if any(not node._message_queue.empty() for node in widgets):
            return False
        pending: Iterable[object] = self._app._message_queue.values
        return all(isinstance(message, (events.Key, events.Paste)) for message in pending)

    def _release(self) -> None:
        self._waiting_since = None
        self._stop_timer()
        if self._held:
            self._app.call_later(self._drain)

    def _wake_in(self, delay: float) -> None:
        # A timer only while something is held: a held key never waits for the next one.
        self._stop_timer()
        self._timer = self._app.set_timer(max(delay, RETRY), self._woken)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    async def _woken(self) -> None:
        self._timer = None
        await self._drain()
