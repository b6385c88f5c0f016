"""One calm line above the prompt for what is said in the room: a nudge to the partners, a call to the facilitator.

It never takes the focus from someone typing (the screen decides when to give
it the focus); Enter or Esc on it, or Esc anywhere on the screen, closes it.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from trustdialog.ui.widgets.safe_text import clean


class RoomBar(Static, can_focus=True):
    """A nudge (for a partner) or the partners' calls (for the facilitator); hidden when empty."""

    BINDINGS = [
        Binding("enter", "close", "Close", show=False, id="room.close"),
        Binding("escape", "close", "Close", show=False, id="room.close-esc"),
    ]

    class Closed(Message):
        """The person has read it (Enter or Esc)."""

        def __init__(self, bar: RoomBar) -> None:
            super().__init__()
            self.bar = bar

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.showing: tuple[str, object] | None = None  # ("nudge", index) or ("call", partners)
        self.display = False

    def allow_focus(self) -> bool:
        # Hidden, it must never take the focus: a screen's auto-focus picks the first widget
        # that allows it, display or not, and this bar comes first, so the first keys typed
        # on a freshly drawn step went to a bar nobody could see, and were lost.
        return self.showing is not None

    def show_nudge(self, index: int, text: str, sender: str) -> None:
        line = Text()
        line.append(f"{clean(sender)}, facilitator: " if sender else "From the facilitator: ",
                    style="bold")
        line.append(clean(text).replace("\n", " "))
        self._show(("nudge", index), line, "Enter or Esc closes this.")

    def show_call(self, partners: tuple[str, ...], line_text: str) -> None:
        line = Text()
        line.append(clean(line_text) + ".", style="bold")
        self._show(("call", partners), line, "Enter or Esc once you have seen it.")

    def show_waiting(self, line_text: str) -> None:
        """A standing line on the caller's own screen: no key closes it, the answer does."""
        self._show(("waiting", None), Text(clean(line_text), style="italic"))

    def _show(self, what: tuple[str, object], line: Text, keys: str = "") -> None:
        if keys:
            line.append(f"   {keys}", style="dim")
        self.showing = what
        self.update(line)
        self.display = True
        self.set_class(what[0] == "waiting", "-waiting")

    def hide(self) -> None:
        self.showing = None
        self.display = False

    def action_close(self) -> None:
        if self.showing is not None and self.showing[0] != "waiting":
            self.post_message(self.Closed(self))
