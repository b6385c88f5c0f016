"""Showing what people wrote: literally, never as markup, never as terminal codes."""

from __future__ import annotations

from rich.text import Text

from trustdialog.text import clean

__all__ = ["clean", "pictures", "safe"]

# For the line editor: each control character shown as its Unicode "control
# picture" (one cell wide), so the cursor still lines up with the characters.
_PICTURES = {c: 0x2400 + c for c in range(0x20)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})


def safe(value: object, style: str = "") -> Text:
    """A rich Text of `value` that is never parsed as markup and holds no control codes."""
    return Text(clean(str(value)), style=style)


def pictures(value: str) -> str:
    """`value` with each control character replaced by a visible one-cell symbol."""
    return value.translate(_PICTURES)
