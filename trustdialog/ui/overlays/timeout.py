"""Time-out: agree on a time to come back, then a calm pause screen until you do."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from trustdialog.ui.overlays.dialog import Dialog, clock, come_back, duration, keys_hint, text, when
from trustdialog.ui.widgets.safe_text import safe

MINUTE = 60
SUGGESTED = 20 * MINUTE  # shorter breaks rarely let a racing heart settle
LONGEST = 24 * 60 * MINUTE  # longer than a day, and the talk drifts away
EVENING_HOUR = 19

WHY = (
    "When feelings run high, the body gets ready to fight or flee, and listening "
    "stops working. A break helps. Agree on when you will come back: at least "
    "20 minutes, and no longer than a day."
)
MEANWHILE = (
    "While you wait, do something that calms you: breathe slowly, walk, drink some "
    "water, listen to music. Try not to go over the argument in your head."
)


def resume_choices(now: float) -> list[tuple[str, float]]:
    """The ready-made times offered: (label, unix seconds), the suggested one first."""
    choices = [
        (f"In 20 minutes, at {clock(now + SUGGESTED)} (suggested)", now + SUGGESTED),
        (f"In 1 hour, at {clock(now + 60 * MINUTE)}", now + 60 * MINUTE),
    ]
    evening = datetime.fromtimestamp(now).replace(
        hour=EVENING_HOUR, minute=0, second=0, microsecond=0).timestamp()
    # Only when the evening is clearly later than the hour already offered.
    if evening - now >= 90 * MINUTE:
        choices.append((f"This evening, at {clock(evening)}", evening))
    choices.append((f"Tomorrow, at {clock(now + LONGEST)}", now + LONGEST))
    return choices


_DURATION = re.compile(
    r"^(?:in\s+)?(?:(?P<h>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hours?))?\s*"
    r"(?:(?P<m>\d+)\s*(?:m|min|mins|minutes?))?$"
)
_CLOCK = re.compile(
    r"^(?:(?P<tomorrow>tomorrow)\s+)?(?:at\s+)?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$"
)


def parse_resume_time(typed: str, now: float) -> float:
    """A typed time ("18:30", "6pm", "tomorrow 9am") or length ("45m", "1h30") as unix seconds.

    Raises ValueError with a short, friendly message when it cannot be read or
    lies outside the next day.
    """
    value = " ".join(typed.lower().split())
    if not value:
        raise ValueError("Type a time like 18:30 or 6pm, or how long, like 45m.")
    match = _DURATION.match(value)
    if match and (match["h"] or match["m"]):
        at = now + float(match["h"] or 0) * 3600 + int(match["m"] or 0) * MINUTE
    else:
        match = _CLOCK.match(value)
        if not match:
            raise ValueError(f"Could not read {typed.strip()!r}. Try 18:30, 6pm or 45m.")
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if match["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError("With am or pm, the hour goes from 1 to 12.")
            hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
        if hour > 23 or minute > 59:
            raise ValueError(f"{typed.strip()!r} is not a time of day. For a length, add m: 45m.")
        start = datetime.fromtimestamp(now)
        target = start.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if match["tomorrow"]:
            target += timedelta(days=1)
        elif target.timestamp() <= now:
            target += timedelta(days=1)
        at = target.timestamp()
    if at - now > LONGEST:
        raise ValueError("That is more than a day away. Pick a time within the next day.")
    if at <= now:
        raise ValueError("Pick a time later than now.")
    return at


class TimeOutScreen(Dialog):
    """Explains a time-out and agrees a time to come back; dismisses with it, or None."""

    TITLE_TEXT = "Time-out"
    BINDINGS = [Binding("escape", "cancel", "Back to the exercise", id="overlay.cancel")]

    def __init__(self, now: float) -> None:
        super().__init__()
        self.now = now
        self.choices = resume_choices(now)
        self._short_ok: float | None = None  # a short break typed once, waiting for a second Enter

    def compose_dialog(self) -> ComposeResult:
        yield text(WHY)
        yield Static("When will you come back?", classes="overlay-heading")
        yield OptionList(*(Option(label, id=str(i)) for i, (label, _) in enumerate(self.choices)),
                         id="timeout-choices")
        yield Input(placeholder="or type a time (18:30, 6pm) or how long (45m)",
                    id="timeout-typed", select_on_focus=False)
        yield Static("", id="timeout-message", classes="overlay-message")
        yield keys_hint(("↑ ↓", "choose"), ("Enter", "agree"), ("Tab", "type a time"),
                        ("Esc", "back"))

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False  # no idle traffic over SSH
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#timeout-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][1])

    @on(Input.Submitted, "#timeout-typed")
    def _typed(self, event: Input.Submitted) -> None:
        try:
            at = parse_resume_time(event.value, self.now)
        except ValueError as error:
            self._short_ok = None
            self._say(str(error))
            return
        if at - self.now < SUGGESTED and self._short_ok != at:
            # A gentle nudge, never a block: a second Enter keeps the short break.
            self._short_ok = at
            self._say((
                f"That is a break of {duration(at - self.now)}. Breaks work best when they last "
                "at least 20 minutes. Press Enter again to keep it."))
            return
        self.dismiss(at)

    @on(Input.Changed, "#timeout-typed")
    def _edited(self) -> None:
        self._short_ok = None
        self._say("")

    def _say(self, message: str) -> None:
        """A one-line note under the typed time; hidden when there is nothing to say."""
        note = self.query_one("#timeout-message", Static)
        note.update(safe(message))
        note.display = bool(message)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PausedScreen(Dialog):
    """Shown while paused: the agreed time, a calming note; Enter resumes (dismisses True).

    `session_id` is the saved session's id for `trustdialog resume`; None when
    nothing is saved (--no-save), and then no resume is promised.
    """

    TITLE_TEXT = "Paused"
    BINDINGS = [Binding("enter", "resume", "We are ready to go on", id="overlay.resume")]

    def __init__(self, resume_at: float | None, now: float, *, session_id: str | None = None,
                 over_ssh: bool = False) -> None:
        super().__init__()
        self.resume_at = resume_at
        self.now = now
        self.session_id = session_id
        self.over_ssh = over_ssh

    def compose_dialog(self) -> ComposeResult:
        if self.resume_at is not None:
            yield text(f"Back at {when(self.resume_at, self.now)}: "
                       f"a break of {duration(self.resume_at - self.now)}.",
                       "bold", classes="overlay-heading")
        else:
            yield text("Taking a break.", "bold", classes="overlay-heading")
        yield text(MEANWHILE)
        if self.session_id:
            yield text("Nothing is lost: the session is kept. You can close the app now and "
                       f"come back later {come_back(self.session_id, self.over_ssh)}")
        else:  # --no-save: the session lives only as long as the app
            yield text("Saving is off, so this session lasts only while the app is open: "
                       "leave it open, and go on together when you are both ready.")
        yield Button("We are ready to go on", id="paused-resume", variant="primary")
        yield keys_hint(("Enter", "go on together"), ("Ctrl+Q", "close the app"))

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    @on(Button.Pressed, "#paused-resume")
    def _pressed(self) -> None:
        self.action_resume()

    def action_resume(self) -> None:
        self.dismiss(True)
