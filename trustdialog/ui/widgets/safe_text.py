"""Showing what people wrote: literally, never as markup, never as terminal codes."""

from __future__ import annotations

import unicodedata

from rich.text import Text

from trustdialog.text import BIDI_CONTROLS, clean

__all__ = ["clean", "pictures", "safe", "typed_text"]

# For the line editor: each control character shown as its Unicode "control
# picture" (one cell wide), so the cursor still lines up with the characters.
_PICTURES = {c: 0x2400 + c for c in range(0x20)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})
# Line and paragraph separators would break the one-line editor: the newline symbol.
_PICTURES.update({0x2028: 0x2424, 0x2029: 0x2424})
# Direction controls reorder the text around them (so what shows is not what
# was written): a dotted box, one cell, where each one sits.
_PICTURES.update({ord(c): 0x2B1A for c in BIDI_CONTROLS})

# Not printable to str.isprintable(), but typed as text: format characters (zero-width
# joiner, marks, soft hyphen), spaces other than " ", line and paragraph separators.
_TYPED = {"Cf", "Zs", "Zl", "Zp", "Co"}


def typed_text(character: str | None) -> bool:
    """Is `character` (from a key press) text to insert, as opposed to a control key?"""
    if character is None or len(character) != 1:
        return False
    return character.isprintable() or unicodedata.category(character) in _TYPED


def safe(value: object, style: str = "") -> Text:
    """A rich Text of `value` that is never parsed as markup and holds no control codes."""
    return Text(clean(str(value)), style=style)


def pictures(value: str) -> str:
    """`value` with each control character replaced by a visible one-cell symbol."""
    return value.translate(_PICTURES)
