"""Reading the terminal: a paste is always text, and keys typed at start-up are kept.

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

import os
import selectors
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


class WakingEvent(threading.Event):
    """An Event that, once set, also makes a pipe readable: a select() waiting on the
    pipe returns at once, so a thread can sleep on its input until there is some."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)

    def set(self) -> None:
        super().set()
        try:
            os.write(self._write_fd, b"!")
        except BlockingIOError:
            pass  # the pipe is full of earlier wake-ups: readable already


class TerminalDriver(LinuxDriver):
    """LinuxDriver reading with PasteSafeParser, a whole burst at a time, asleep between keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Textual's input thread wakes ten times a second to look at this event: an idle
        # app's only work, and on a server with a hundred people reading, 15% of a core.
        self.exit_event = WakingEvent()

    def run_input_thread(self) -> None:
        # Textual's loop, with three changes: the parser; draining every byte
        # already written before parsing (so a paste and its markers are seen
        # together; see the module docstring); and no waking up while nothing is
        # waiting on time (the exit event wakes the select instead).
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        terminal = selectors.SelectSelector()  # the terminal alone: are more of its bytes waiting?
        terminal.register(self.fileno, selectors.EVENT_READ)
        exit_event = self.exit_event
        assert isinstance(exit_event, WakingEvent)
        selector.register(exit_event.wake_fd, selectors.EVENT_READ)
        parser = PasteSafeParser(self._debug)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode

        def read_burst(final: bool) -> str:
            chunks = [os.read(self.fileno, READ_SIZE)]
            size = len(chunks[0])
            while chunks[-1] and size < BURST_LIMIT and terminal.select(0):
                chunk = os.read(self.fileno, READ_SIZE)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return decode(b"".join(chunks), final=final)

        def process(ready: list, final: bool = False) -> None:
            for key, mask in ready:
                if key.fd == exit_event.wake_fd:
                    os.read(exit_event.wake_fd, 4096)  # the loop's test of the event follows
                elif mask & selectors.EVENT_READ:
                    data = read_burst(final)
                    if not data:
                        break  # piped stdin at its end
                    for message in parser.feed(data):
                        self.process_message(message)
            if not ready:
                for message in parser.flush():
                    self.process_message(message)
            for message in parser.tick():
                self.process_message(message)

        try:
            while not exit_event.is_set():
                process(selector.select(0.1 if parser.waiting else None))
            selector.unregister(self.fileno)
        finally:
            selector.close()
            terminal.close()
            try:
                for _message in parser.feed(""):
                    pass
            except Exception:  # promise: leaving the app never fails on a half-read key at exit
                pass
