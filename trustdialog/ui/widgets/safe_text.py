"""Showing what people wrote: literally, never as markup, never as terminal codes."""

from __future__ import annotations

import re

from rich.text import Text

# ANSI escape sequences (CSI, OSC, and two-character escapes), then any other
# C0/C1 control character. Newlines stay (answers may span lines); tabs
# become spaces so columns line up.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"        # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS / SOS / PM / APC strings
    r"|\x1b[@-Z\\-_]"                  # two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"          # 8-bit CSI
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# For the line editor: each control character shown as its Unicode "control
# picture" (one cell wide), so the cursor still lines up with the characters.
_PICTURES = {c: 0x2400 + c for c in range(0x20)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})


def clean(value: str) -> str:
    """`value` without escape sequences or control characters (newlines kept)."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\t", "    ")
    return _CONTROL.sub("", _ANSI.sub("", value))


def safe(value: object, style: str = "") -> Text:
    """A rich Text of `value` that is never parsed as markup and holds no control codes."""
    return Text(clean(str(value)), style=style)


def pictures(value: str) -> str:
    """`value` with each control character replaced by a visible one-cell symbol."""
    return value.translate(_PICTURES)
