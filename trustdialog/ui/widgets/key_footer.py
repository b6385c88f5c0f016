"""The key line at the foot of every screen: Quick exit and Time-out first, and only what fits."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, NamedTuple

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# Shown first, in this order, on every screen, and never dropped: leaving at once
# and pausing must be readable at 80 columns whatever else a screen offers.
FIRST = ("quick_exit", "time_out")
# After the screen's own keys. F1 lists every key, so it stays while others go.
LAST = ("resources", "help", "request_quit")
# Always offered, even over an overlay whose own keys are all the footer would show.
EVERYWHERE = ("quick_exit",)


class Entry(NamedTuple):
    binding: Binding
    enabled: bool
    tooltip: str


def arrange(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per action: the safety keys, then the screen's own, then the app's others."""
    by_action: dict[str, Entry] = {}
    for entry in entries:
        by_action.setdefault(entry.binding.action, entry)
    first = [by_action[a] for a in FIRST if a in by_action]
    last = [by_action[a] for a in LAST if a in by_action]
    own = [e for a, e in by_action.items() if a not in FIRST and a not in LAST]
    return first + own + last


def fit(entries: list[Entry], width: int, widths: dict[str, int]) -> list[Entry]:
    """Drop entries until the line fits `width`: Quit first, then the screen's own keys
    from the last, then Help lines; Quick exit, Time-out and F1 (which lists them all) stay.
    Then put back, most needed first, what fits in the room left."""
    kept = list(entries)

    def total() -> int:
        return sum(widths[e.binding.action] for e in kept)

    own = [e for e in kept if e.binding.action not in FIRST + LAST]
    order = ([e for e in kept if e.binding.action == "request_quit"] + own[::-1]
             + [e for e in kept if e.binding.action == "resources"])
    dropped = []
    for entry in order:
        if total() <= width:
            break
        kept.remove(entry)
        dropped.append(entry)
    # A key dropped early may fit again once a longer one has gone (Quit after "Another exercise").
    for entry in reversed(dropped):
        if total() + widths[entry.binding.action] <= width:
            kept.append(entry)
    return [e for e in entries if e in kept]


class KeyFooter(Footer):
    """Textual's footer, in our order, with entries left out (never cut) when the line is short.

    Drawn again only when what it shows changes, and only on the screen in front: Textual's
    footer recomposes on every change of focus or bindings, on screens behind as well, and each
    recompose restyles its keys and repaints the screen in front (a pause on another session
    redrew every watcher's whole screen this way).
    """

    _composed_width = 0
    _shown: tuple[tuple[object, ...], ...] | None = None

    def _line(self) -> list[tuple[Entry, str]]:
        """The entries that fit this width, each with its key as shown."""
        found = [Entry(b, enabled, tooltip)
                 for (_, b, enabled, tooltip) in self.screen.active_bindings.values() if b.show]
        actions = {e.binding.action for e in found}
        for binding in self.app.BINDINGS:
            # A modal overlay hides the app's keys from the footer, but Quick exit still works there.
            if isinstance(binding, Binding) and binding.action in EVERYWHERE and binding.action not in actions:
                found.append(Entry(binding, True, ""))
        entries = arrange(found)
        displays = {e.binding.action: self.app.get_key_display(e.binding) for e in entries}
        widths: dict[str, int] = defaultdict(int)
        for e in entries:
            # FooterKey's look: " key " then "description " (its paddings).
            widths[e.binding.action] = cell_len(displays[e.binding.action]) + 2 + cell_len(e.binding.description) + 1
        width = self.size.width or self.app.size.width
        self._composed_width = width
        return [(e, displays[e.binding.action]) for e in fit(entries, width, widths)]

    @staticmethod
    def _look(line: list[tuple[Entry, str]]) -> tuple[tuple[object, ...], ...]:
        return tuple((e.binding.key, shown, e.binding.description, e.binding.action, e.enabled,
                      e.tooltip) for e, shown in line)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        line = self._line()
        self._shown = self._look(line)
        for e, shown in line:
            key = FooterKey(e.binding.key, shown, e.binding.description, e.binding.action,
                            disabled=not e.enabled, tooltip=e.tooltip)
            # Set, not bound to the footer's: a binding restyles each key twice as it mounts.
            key.set_reactive(FooterKey.compact, self.compact)
            yield key

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if screen.app.screen is not screen:  # (Textual's is_current is true one screen behind, too)
            return  # coming back to the front refreshes the bindings, and then it is drawn
        self.call_after_refresh(self._redraw_if_changed)

    async def _redraw_if_changed(self) -> None:
        if self.is_attached and self.app.screen is self.screen and self._look(self._line()) != self._shown:
            await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
