"""A sentence frame around its blanks: "When …" on the box's border, "…, I felt" before the next blank.

The engine's template stays the truth (AnswerForm walks its parts); this only
decides how the words between the blanks are shown, so that the frame reads as
one sentence the person completes: the words before a long answer sit on the
box's top border, and words that continue the sentence after a blank begin
with "…", standing for what was written there (never a line that starts with
a bare ", I felt").
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from trustdialog.ui.widgets.safe_text import safe

# Longer words than this go on a line above the box: a border title is cut at
# the box's width, and stacked panes at 80 columns leave about 70 cells.
BORDER_ROOM = 40
CONTINUES = "…"


def words_between(text: str, after_blank: bool) -> str:
    """The template's words before a blank, as shown: "…, I felt" when they follow one."""
    words = " ".join(text.split())
    if not after_blank or not words:
        return words
    if words[0] in ",.;:!?)":
        return CONTINUES + words
    return f"{CONTINUES} {words}"


def long_row(before: str, box: Widget) -> Widget:
    """A multi-line answer box with the words before it on its top border (or above it)."""
    if not before:
        return Vertical(box, classes="blank-row long")
    if cell_len(before) <= BORDER_ROOM:
        # "Something that happened: …" reads better without its colon.
        box.border_title = safe(f"{before.rstrip(':').rstrip()} {CONTINUES}")
        return Vertical(box, classes="blank-row long framed")
    return Vertical(Static(safe(before), classes="before"), box, classes="blank-row long")


def short_row(before: str, box: Widget) -> Widget:
    """A one-line blank (a feeling, a word) after the words that lead to it, on one line."""
    if not before:
        return Horizontal(box, classes="blank-row")
    return Horizontal(Static(safe(before), classes="before"), box, classes="blank-row")
