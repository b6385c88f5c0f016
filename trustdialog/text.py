"""Making what people wrote safe to show: no escape sequences, no control characters.

Used by every place that shows or exports user text; the text itself is stored
exactly as typed.
"""

from __future__ import annotations

import re

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
# Direction overrides, embeddings, isolates and marks: shown, they reorder the
# text around them, so what a partner reads is not what was written.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def clean(value: str) -> str:
    """`value` without escape sequences or control characters (newlines kept)."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\t", "    ")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n")
    return _BIDI.sub("", _CONTROL.sub("", _ANSI.sub("", value)))
