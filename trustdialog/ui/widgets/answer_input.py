"""The one-line editor every answer blank uses: literal, calm, paste-safe."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.expand_tabs import expand_tabs_inline
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input

from trustdialog.ui.widgets.own_keys import run_own_key
from trustdialog.ui.widgets.safe_text import pictures, typed_text


class AnswerInput(Input):
    """An Input that never blinks, shows control characters as symbols, and keeps pasted lines.

    The value is stored exactly as typed; only the display changes. Control
    characters become one-cell "control pictures" (so ESC shows as a visible
    symbol and is never sent to the terminal) and the cursor still lines up.
    """

    runs_own_editing_keys = True  # Backspace and the like run here (own_keys)
    answer_key: str = ""  # the field (or list item slot) it answers, in an answer form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
        # Over SSH a blinking cursor is idle traffic.
        self.cursor_blink = False

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        return Text(pictures(self.value), no_wrap=True, overflow="ignore", end="")

    def _watch_value(self, value: str) -> None:
        # Input sets its virtual size (a layout reactive) on every key, which
        # lays out the whole screen before the key is drawn: most of the echo
        # time on a screen of many widgets. Unless the input sizes itself to
        # its text, its place on screen does not depend on the text, so the
        # size is stored quietly first and Input's own assignment is a no-op.
        # Scrolling reads the stored size, so long answers still scroll.
        if not self.styles.auto_dimensions:
            self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    def _position_to_cell(self, position: int) -> int:
        return cell_len(expand_tabs_inline(pictures(self.value[:position]), 4))

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return typed_text(character)

    async def _on_key(self, event: events.Key) -> None:
        # Input takes only characters str.isprintable() accepts, and so drops a
        # typed zero-width joiner (a family emoji falls apart into three people),
        # a right-to-left mark, a soft hyphen or a no-break space. They are text.
        character = event.character
        if character is not None and not event.is_printable and typed_text(character):
            event.stop()
            event.prevent_default()
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(character)
            else:
                self.replace(character, *selection)
            return
        await super()._on_key(event)
        if not event._stop_propagation:
            await run_own_key(self, event)  # Backspace, arrows: see own_keys

    def _on_paste(self, event: events.Paste) -> None:
        # A paste is kept whole and exactly, control characters and all (they are
        # shown as symbols). Only its line breaks are made one kind: terminals send
        # a pasted newline as CR, which would otherwise be stored as a bare \r.
        if event.text:
            text = event.text.replace("\r\n", "\n").replace("\r", "\n")
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.stop()
        event.prevent_default()  # Input's own handler would paste (the first line) again
