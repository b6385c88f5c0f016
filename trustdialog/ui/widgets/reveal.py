"""Both partners' answers to a hidden step side by side: ratings as a table, texts in two columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from trustdialog.engine.reveal import DIFFER
from trustdialog.ui.widgets.safe_text import clean

if TYPE_CHECKING:
    from trustdialog.engine.reveal import Reveal, RevealRow

# Below this many columns two texts side by side are too narrow to read: stacked.
SIDE_BY_SIDE = 90
KEYS = "↑↓ PgUp PgDn scroll · Tab: Continue"


class RevealBody:
    """The reveal's content; it lays itself out for the width it is given (columns or stacked)."""

    def __init__(self, reveal: Reveal) -> None:
        self.reveal = reveal

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        reveal = self.reveal
        ratings = [row for row in reveal.rows if row.rating]
        texts = [row for row in reveal.rows if not row.rating]
        if ratings:
            yield self._legend(len(ratings))
            yield self._ratings(ratings)
        wide = options.max_width >= SIDE_BY_SIDE
        for row in texts:
            if ratings or len(reveal.rows) > 1:
                yield Text(clean(row.label), style="bold")
            yield self._columns(row) if wide else self._stacked(row)

    def _legend(self, items: int) -> Text:
        reveal = self.reveal
        line = Text()
        if reveal.scale:
            line.append(f"Ratings: {clean(reveal.scale)}. ")
        apart = reveal.differences
        if apart:
            line.append(f"You are {DIFFER} or more points apart on {apart} of {items}: "
                        "it says so beside them.")
        else:
            line.append(f"No item is {DIFFER} or more points apart.")
        return line

    def _ratings(self, rows: list[RevealRow]) -> Table:
        a, b = (clean(name) for name in self.reveal.names)
        table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
        table.add_column("", ratio=1)
        table.add_column(Text(a, style="bold"), justify="center", max_width=14)
        table.add_column(Text(b, style="bold"), justify="center", max_width=14)
        table.add_column("", width=12, no_wrap=True)
        for row in rows:
            table.add_row(Text(clean(row.label)), Text(clean(row.texts[0])), Text(clean(row.texts[1])),
                          Text(row.note, style="bold reverse") if row.note else Text(""))
        return table

    def _columns(self, row: RevealRow) -> Table:
        table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
        for name in self.reveal.names:
            table.add_column(Text(clean(name), style="bold"), ratio=1)
        table.add_row(*(Text(clean(text)) for text in row.texts))
        return table

    def _stacked(self, row: RevealRow) -> Text:
        out = Text()
        for i, (name, text) in enumerate(zip(self.reveal.names, row.texts)):
            if i:
                out.append("\n\n")
            out.append(f"{clean(name)}:\n", style="bold")
            out.append(clean(text))
        out.append("\n")
        return out


class RevealView(VerticalScroll):
    """One view of both answers; it scrolls with the keys its border names (VerticalScroll's own)."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(Static("", classes="reveal-body"), id=id)
        self.shown: Reveal | None = None

    def show(self, reveal: Reveal | None) -> None:
        """Show `reveal` from its top, or nothing (the view folds away)."""
        self.display = reveal is not None
        if reveal == self.shown:
            return
        self.shown = reveal
        if reveal is None:
            return
        self.border_title = Text(f"Side by side: {clean(reveal.label)}")
        self.border_subtitle = Text(KEYS)
        self.query_one(".reveal-body", Static).update(RevealBody(reveal))
        self.scroll_home(animate=False)
