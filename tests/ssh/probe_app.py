"""A stand-in app for the SSH tests: says what it was given, then reports keys and resizes.

Prints one `PROBE {json}` line (who, TERM, controlling terminal, size), switches
the tty to raw mode, then answers each read with `GOT <hex>` and each SIGWINCH
with `SIZE cols rows`; `q` ends it with exit code 3.
"""

import json
import os
import signal
import sys
import tty


def say(text: str) -> None:
    os.write(1, (text + "\r\n").encode())


def size() -> str:
    cols, rows = os.get_terminal_size(0)
    return f"{cols} {rows}"


try:
    with open("/dev/tty", "rb"):
        has_ctty = True
except OSError:
    has_ctty = False

tty.setraw(0)  # before saying anything: the test types as soon as it reads the line
say("PROBE " + json.dumps({
    "user": os.environ.get("TRUSTDIALOG_USER"),
    "role": os.environ.get("TRUSTDIALOG_ROLE"),
    "couple": os.environ.get("TRUSTDIALOG_COUPLE"),
    "partner": os.environ.get("TRUSTDIALOG_PARTNER"),
    "term": os.environ.get("TERM"),
    "colorterm": os.environ.get("COLORTERM"),
    "argv": sys.argv[1:],
    "pid": os.getpid(),
    "ppid": os.getppid(),
    # Forked from the server's app template, which imported Textual before the fork.
    "preloaded": "textual" in sys.modules,
    "session_leader": os.getsid(0) == os.getpid(),
    "foreground": os.tcgetpgrp(0) == os.getpgrp(),
    "ctty": has_ctty,
    "size": size(),
    "leaked": sorted(k for k in os.environ if k.startswith(("TEXTUAL", "SSH_", "TRUSTDIALOG_DATA"))),
}))
signal.signal(signal.SIGWINCH, lambda *_: say("SIZE " + size()))
while True:
    data = os.read(0, 1024)
    if not data or b"q" in data:
        break
    say("GOT " + data.hex())
sys.exit(3)
