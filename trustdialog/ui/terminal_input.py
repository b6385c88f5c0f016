"""The terminal: a paste is always text, keys typed at start-up are kept, and the loop reads and writes.

Textual's XTermParser reads a bracketed paste one escape sequence at a time,
so an ESC inside pasted text turns what follows back into key presses (a
pasted `\\x1b\\r` sends the answer, `\\x1b\\x18` quits at once) and drops NUL.
Here a paste is cut out of the byte stream before that parser sees it.

The rule, for the bytes of one burst (everything the terminal had written
when the app read it; the driver drains the tty before parsing):

* bytes before the first paste start marker are keys;
* from that marker to the LAST paste end marker of the burst is one paste,
  markers inside it included, as one `events.Paste` with the exact text;
* bytes after that last end marker are keys again.

A terminal sends one end marker per paste, but pasted text may itself hold
`ESC [ 2 0 1 ~`, and a terminal multiplexer (tmux `paste-buffer -p`) wraps
the text as it is: its inner marker is followed by the rest of the text and
the real marker, in the same burst. A person's keystrokes come in bursts of
their own, so keys after a paste are still keys. A paste that spans bursts
(a large one, written in pieces) goes on to the last end marker of the
burst that ends it.
"""

from __future__ import annotations

import asyncio
import os
import select
import threading
from codecs import getincrementaldecoder
from typing import Any, Iterable

from textual import events
from textual._parser import ParseTimeout
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

START, END = BRACKETED_PASTE_START, BRACKETED_PASTE_END
READ_SIZE = 64 * 1024
BURST_LIMIT = 4 * 1024 * 1024  # one burst is parsed at most this big (a runaway writer)


def _marker_prefix(data: str, marker: str) -> int:
    """How many characters at the end of `data` could begin `marker` (0 if none)."""
    for size in range(min(len(marker) - 1, len(data)), 0, -1):
        if marker.startswith(data[-size:]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    """XTermParser that cuts bracketed pastes out whole before parsing keys."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._pasting = False
        self._paste: list[str] = []
        self._held = ""  # the start of a marker split across bursts

    def feed(self, data: str) -> Iterable[Message]:
        """Parse one burst (see the module's rule); an empty string is the end of input."""
        if not data:
            yield from self._flush_held()
            yield from super().feed("")
            return
        data = self._held + data
        self._held = ""
        while data:
            if self._pasting:
                end = data.rfind(END)
                if end < 0:
                    # The paste goes on in the next burst; hold back what may be
                    # the start of its end marker.
                    keep = _marker_prefix(data, END)
                    self._paste.append(data[: len(data) - keep])
                    self._held = data[len(data) - keep:]
                    return
                self._paste.append(data[:end])
                data = data[end + len(END):]
                self._pasting = False
                text = "".join(self._paste)
                self._paste.clear()
                yield events.Paste(text)
                continue
            start = data.find(START)
            if start < 0:
                keep = _marker_prefix(data, START)
                if keep == 1:
                    keep = 0  # a lone ESC is the Escape key: never held back
                keys, self._held = data[: len(data) - keep], data[len(data) - keep:]
                if keys:
                    yield from super().feed(keys)
                return
            if start:
                yield from super().feed(data[:start])
            # A key sequence begun before the paste (an ESC waiting to be read
            # as Escape or Alt) is finished now, before the paste.
            yield from self._expire_pending()
            self._pasting = True
            data = data[start + len(START):]

    @property
    def waiting(self) -> bool:
        """Something read is waiting on time alone: an ESC that becomes Escape if nothing
        follows it, or a held-back marker prefix that `flush` lets go."""
        return self._timeout_time is not None or bool(self._held)

    def flush(self) -> Iterable[Message]:
        """No more bytes are waiting: a marker prefix held back was typed keys after all."""
        if not self._pasting:
            yield from self._flush_held()

    def _flush_held(self) -> Iterable[Message]:
        held, self._held = self._held, ""
        if held and self._pasting:
            self._paste.append(held)
        elif held:
            yield from super().feed(held)

    def _expire_pending(self) -> Iterable[Message]:
        if self._timeout_time is not None:
            self._timeout_time = None
            self._awaiting = self._gen.throw(ParseTimeout())
            while self._tokens:
                yield self._tokens.popleft()


class TerminalDriver(LinuxDriver):
    """LinuxDriver that reads with PasteSafeParser, a whole burst at a time, and reads and
    writes the terminal on the app's own event loop instead of in two threads of its own.

    Textual reads the terminal in one thread and writes it in another: a key woke the
    reading thread, which handed the key to the loop, whose frame woke the writing thread,
    and each hand-over fought for the GIL: 8.5 thread switches and 3.67 ms of CPU a key,
    where this takes 2.8 and 3.27 (medians of benchmarks/key_cost.py --pty). Here the loop
    watches the terminal itself (`add_reader`) and writes each frame when Textual flushes
    it: one wake-up a key, and an idle app sleeps.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_thread = threading.get_ident()  # Textual makes its driver on the loop
        self._input_on = False  # between start_application_mode and disable_input
        self._reading = False
        self._parser = PasteSafeParser(self._debug)
        self._decode = getincrementaldecoder("utf-8")(errors="replace").decode
        self._waiting: asyncio.TimerHandle | None = None  # a lone ESC's or a held marker's time
        self._out: list[str] = []
        self._flush_soon = False
        self._gone = False  # the terminal hung up: output goes nowhere

    def start_application_mode(self) -> None:
        self._input_on = True
        super().start_application_mode()

    # -- input ------------------------------------------------------------------------------

    def _run_input_thread(self) -> None:
        # Textual starts a thread to run this; it only hands the reading to the loop.
        self._loop.call_soon_threadsafe(self._start_reading)

    def _start_reading(self) -> None:
        if self._reading or not self._input_on:
            return  # already reading, or input was turned off before the loop came to this
        try:
            self._loop.add_reader(self.fileno, self._read_ready)
        except PermissionError:
            # Standard input is a file (or /dev/null): always ready, and the loop cannot
            # watch it. It is read to its end, a burst a turn of the loop.
            self._loop.call_soon(self._read_file)
        self._reading = True

    def _stop_reading(self) -> None:
        self._input_on = False
        if self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None
        if not self._reading:
            return
        self._reading = False
        self._loop.remove_reader(self.fileno)
        try:
            for _message in self._parser.feed(""):
                pass
        except Exception:  # promise: leaving the app never fails on a half-read key at exit
            pass
        self._parser = PasteSafeParser(self._debug)  # a fresh one if input comes back on

    def _read_burst(self) -> str:
        """Every byte the terminal has written by now (see the module's rule)."""
        chunks = [os.read(self.fileno, READ_SIZE)]
        size = len(chunks[0])
        while chunks[-1] and size < BURST_LIMIT and _more_waiting(self.fileno):
            chunk = os.read(self.fileno, READ_SIZE)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return self._decode(b"".join(chunks))

    def _read_file(self) -> None:
        if self._reading and self._read_ready():
            self._loop.call_soon(self._read_file)

    def _read_ready(self) -> bool:
        """Read and parse what the terminal has written; False at the end of its input."""
        try:
            data = self._read_burst()
        except OSError:  # the terminal is gone (the hang-up signal follows)
            data = ""
        if not data:
            self._loop.remove_reader(self.fileno)  # the end of piped input
            return False
        if self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None
        for message in self._parser.feed(data):
            self.process_message(message)
        self._tick()
        return True

    def _tick(self) -> None:
        for message in self._parser.tick():
            self.process_message(message)
        if self._parser.waiting:
            self._waiting = self._loop.call_later(_PARSER_WAIT, self._time_passed)

    def _time_passed(self) -> None:
        # Nothing followed a lone ESC, or the first bytes of a marker, for a while.
        self._waiting = None
        for message in self._parser.flush():
            self.process_message(message)
        self._tick()

    def send_message(self, message: Message) -> None:
        if threading.get_ident() == self._loop_thread:
            self._app.post_message(message)  # on the loop already: straight into the queue
        else:
            super().send_message(message)  # a signal handler's resize, from elsewhere

    def disable_input(self) -> None:
        if threading.get_ident() == self._loop_thread:
            self._stop_reading()
        else:
            self._loop.call_soon_threadsafe(self._stop_reading)
        super().disable_input()

    # -- output -----------------------------------------------------------------------------

    def write(self, data: str) -> None:
        # Textual writes a frame in pieces and then flushes it; a write with no flush after
        # it (a bell, the cursor's shape) goes out on the loop's next turn.
        if threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self.write, data)
            return
        self._out.append(data)
        if not self._flush_soon:
            self._flush_soon = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_soon = False
        if not self._out or threading.get_ident() != self._loop_thread:
            return
        data = "".join(self._out).encode("utf-8", "replace")
        self._out.clear()
        if self._gone:
            return
        # A blocking write, as Textual's writing thread made: a terminal that reads
        # nothing holds the app here (its thread held it after 30 queued frames).
        assert self._file is not None  # Textual gives its driver standard error
        fd = self._file.fileno()
        try:
            while data:
                data = data[os.write(fd, data):]
        except OSError:
            self._gone = True  # the terminal hung up; the hang-up signal ends the app

    def close(self) -> None:
        self.flush()
        super().close()


_PARSER_WAIT = 0.1  # seconds: as Textual's reading thread, how long a lone ESC may wait


def _more_waiting(fd: int) -> bool:
    """Whether the terminal has more bytes to read right now."""
    return bool(select.select([fd], [], [], 0)[0])
