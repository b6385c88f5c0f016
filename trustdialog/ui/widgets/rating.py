"""A small rating scale (e.g. 1..5 between "rarely" and "always"), keyboard first."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from trustdialog.ui.widgets.safe_text import clean


class RatingScale(Widget, can_focus=True):
    """← → (or a digit) choose; Enter sends like the last blank of a form."""

    answer_key: str = ""  # the field it answers (set by the form)

    DEFAULT_CSS = """
    RatingScale { height: auto; width: 1fr; padding: 0 1; }
    RatingScale:focus { text-style: bold; }
    """
    BINDINGS = [
        Binding("left,h,minus", "move(-1)", "Lower", show=False),
        Binding("right,l,plus", "move(1)", "Higher", show=False),
        Binding("home", "set_low", show=False),
        Binding("end", "set_high", show=False),
        Binding("enter", "submit", "Send", show=False),
    ]

    value: reactive[int | None] = reactive(None)

    class Changed(Message):
        def __init__(self, scale: "RatingScale") -> None:
            super().__init__()
            self.scale = scale

        @property
        def control(self) -> "RatingScale":
            return self.scale

    class Submitted(Message):
        def __init__(self, scale: "RatingScale") -> None:
            super().__init__()
            self.scale = scale

        @property
        def control(self) -> "RatingScale":
            return self.scale

    def __init__(self, low: int, high: int, low_label: str = "", high_label: str = "",
                 value: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high
        self.low_label, self.high_label = clean(low_label), clean(high_label)
        self.set_reactive(RatingScale.value, value)

    def render(self) -> Text:
        out = Text()
        if self.low_label:
            out.append(self.low_label + " ", style="italic")
        for n in range(self.low, self.high + 1):
            if n == self.value:
                out.append(f"[{n}]", style="bold reverse")
            else:
                out.append(f" {n} ")
        if self.high_label:
            out.append(" " + self.high_label, style="italic")
        hint = "  ← → or a digit" if self.has_focus else ""
        if self.value is None:
            hint = hint or "  (not chosen yet)"
        out.append(hint, style="dim")
        return out

    def watch_value(self) -> None:
        self.post_message(self.Changed(self))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit():
            n = int(event.character)
            if self.low <= n <= self.high:
                self.value = n
                event.stop()
                event.prevent_default()

    def action_move(self, delta: int) -> None:
        start = self.value if self.value is not None else (self.low if delta > 0 else self.high) - delta
        self.value = max(self.low, min(self.high, start + delta))

    def action_set_low(self) -> None:
        self.value = self.low

    def action_set_high(self) -> None:
        self.value = self.high

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))
