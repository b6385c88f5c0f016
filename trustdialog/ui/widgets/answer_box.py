"""The multi-line box for answers that take a few sentences: wraps, grows, keeps every character."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
# Private modules: textual is pinned to one version (pyproject), and Document is
# what TextArea is built on.
from textual.document._document import Document, EditResult, Location
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import TextArea

from trustdialog.ui.widgets.own_keys import run_own_key
from trustdialog.ui.widgets.safe_text import pictures, typed_text

SEND_HINT = "ctrl+s sends"


class ShownDocument(Document):
    """A document that keeps the text exactly and shows each control character as a symbol.

    TextArea draws, wraps and moves through `lines` (and `document[i]`), while
    `text` and `get_text_range` (what is stored, copied and undone) read the
    real lines. `pictures` swaps one character for one character, so every
    column is the same in both and the cursor lines up: an ESC or a bell in
    the text is drawn as ␛ or ␇ and never reaches the terminal.

    Lines break only at "\\n": Document would also break at \\r, \\x0b, \\x1c,
    \\x85 and the Unicode separators, and join them back as "\\n", so text
    that holds them would not be kept as it was written.
    """

    def __init__(self, text: str) -> None:
        self._newline = "\n"
        self._lines: list[str] = text.split("\n")
        self._shown: list[str] = [pictures(line) for line in self._lines]

    @property
    def lines(self) -> list[str]:
        return self._shown

    def get_line(self, index: int) -> str:
        return self._shown[index]

    def __getitem__(self, line_index: int | slice) -> Any:
        return self._shown[line_index]

    def get_size(self, tab_width: int) -> Size:
        width = max((cell_len(line) for line in self._shown), default=0)
        return Size(width, len(self._shown))

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        top, bottom = sorted((start, end))
        top_row, top_column = top
        bottom_row, bottom_column = bottom
        lines = self._lines
        replaced = self.get_text_range(top, bottom)
        after = lines[bottom_row][bottom_column:] if bottom_row < len(lines) else ""
        before = lines[top_row][:top_column] if top_row < len(lines) else ""
        inserted = text.split("\n")
        column = len(inserted[-1]) if len(inserted) > 1 else len(before) + len(inserted[0])
        inserted[0] = before + inserted[0]
        inserted[-1] = inserted[-1] + after
        lines[top_row:bottom_row + 1] = inserted
        self._shown[top_row:bottom_row + 1] = [pictures(line) for line in inserted]
        return EditResult((top_row + len(inserted) - 1, column), replaced)


class AnswerBox(TextArea):
    """A TextArea for a long answer: Enter makes a new line, Tab moves on, ctrl+s sends.

    Its height follows the wrapped text up to the stylesheet's max-height, then
    it scrolls; the line under it says "ctrl+s sends" while it has the focus. It never blinks (idle traffic over SSH) and posts
    TextArea.Changed on every edit, which the exercise screen saves as a draft.
    """

    runs_own_editing_keys = True  # Backspace and the like run here (own_keys)
    answer_key: str = ""  # the field it answers, in an answer form

    def __init__(self, text: str = "", *, placeholder: str = "", **kwargs: Any) -> None:
        super().__init__(text, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
                         placeholder=placeholder, **kwargs)
        self.cursor_blink = False

    # The send key is shown on the box being written in: where the eyes are.
    def on_focus(self) -> None:
        self.border_subtitle = SEND_HINT

    def on_blur(self) -> None:
        self.border_subtitle = ""

    # When the box is taller than the room its pane has (stacked panes at 80x24),
    # the pane scrolls: keep the line being written in view there too.
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.call_after_refresh(self._cursor_in_view)

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        self.call_after_refresh(self._cursor_in_view)

    def _cursor_in_view(self) -> None:
        if not self.has_focus:
            return
        row = self.cursor_screen_offset.y
        for node in self.ancestors:
            if isinstance(node, Widget) and node.allow_vertical_scroll:
                # One row below the cursor too: the box's border, or the last line.
                top, bottom = node.content_region.y, node.content_region.bottom
                if row + 1 >= bottom:
                    node.scroll_relative(y=row + 2 - bottom, animate=False)
                elif row < top:
                    node.scroll_relative(y=row - top, animate=False)
                return

    @property
    def value(self) -> str:
        """The answer as written (what AnswerForm reads from every blank)."""
        return self.text

    def _set_document(self, text: str, language: str | None) -> None:
        # Always plain text, and always a ShownDocument (see its docstring).
        self._highlight_query = None
        document = ShownDocument(text)
        self.document = document
        self.wrapped_document = WrappedDocument(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        # Enter is a new line here, never "send": the key-order rule must know
        # that the box takes it, as it takes every character typed as text.
        return key == "enter" or typed_text(character)

    async def _on_key(self, event: events.Key) -> None:
        # TextArea takes only what str.isprintable() accepts, and so would drop a
        # typed zero-width joiner, a direction mark or a no-break space: they are text.
        character = event.character
        if character is not None and not event.is_printable and typed_text(character):
            event.stop()
            event.prevent_default()
            self._replace_via_keyboard(character, *self.selection)
            return
        await super()._on_key(event)
        if not event._stop_propagation:
            await run_own_key(self, event)  # Backspace, arrows: see own_keys

    async def _on_paste(self, event: events.Paste) -> None:
        # Kept whole and exactly, control characters and all (they are shown as
        # symbols); only line breaks become one kind, as terminals send a pasted
        # newline as CR.
        event.stop()
        event.prevent_default()
        if self.read_only or not event.text:
            return
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        result = self._replace_via_keyboard(text, *self.selection)
        if result is not None:
            self.move_cursor(result.end_location)
