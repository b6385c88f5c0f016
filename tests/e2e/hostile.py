"""The hostile corpus: pasted text that must stay text (stored exactly, shown literally, never obeyed)."""

PASTED_ESCAPES = [
    "inject-one\x1b\r",            # ESC + Enter: would send the answer
    "quit-now\x1b\x18",            # ESC + ctrl+x: would quick-exit
    "ask-quit\x1b\x11",            # ESC + ctrl+q: would open the quit dialog
    "fake-end\x1b[201~\x18tail",   # an end marker inside the text, then ctrl+x
    "\x1b[31mRED\x1b[0m",          # colour
    "\x1b]52;c;aGVsbG8=\x07osc",   # OSC 52: set the clipboard
    "\x1b[2J\x1b[Hclear",          # clear screen, cursor home
    "fake-start\x1b[200~inner",    # a start marker inside the text
]
PASTED_CONTROLS = [
    "nul\x00byte",
    "bell\x07",
    "back\x08space",
    "del\x7fete",
    "c1\x9bcsi",
    "line one\nline two",
]

# Typed, not pasted: characters str.isprintable() rejects but people type as text.
TYPED_FORMAT = [
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",  # zero-width joiners: one family
    "rlm\u200fmark",                  # right-to-left mark
    "rlo\u202eoverride",              # right-to-left override (shown as a box, never obeyed)
    "soft\u00adhyphen",               # soft hyphen
    "line\u2028sep",                  # line separator
    "no\u00a0break",                  # no-break space
]


def as_stored(text: str) -> str:
    """What the app keeps of a paste: the text exactly, its line breaks as \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
