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


def clean(value: str) -> str:
    """`value` without escape sequences or control characters (newlines kept)."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\t", "    ")
    return _CONTROL.sub("", _ANSI.sub("", value))
