"""The key line at the foot of every screen: Quick exit and Time-out first, and only what fits."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, NamedTuple

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
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
    """Textual's footer, in our order, with entries left out (never cut) when the line is short."""

    _composed_width = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
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
        for e in fit(entries, width, widths):
            yield FooterKey(e.binding.key, displays[e.binding.action], e.binding.description,
                            e.binding.action, disabled=not e.enabled,
                            tooltip=e.tooltip).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
