"""How each overlay looks, at the smallest supported terminal and a roomy one."""

from __future__ import annotations

import pytest

from overlay_host import NOW, HostApp
from trustdialog.exercise.model import Exercise, Step
from trustdialog.resources import Resource, Resources
from trustdialog.ui.overlays import (
    ConfirmQuitScreen, HelpScreen, PausedScreen, ResourcesScreen, TimeOutScreen,
)

KEYS = [("F1", "rules"), ("Ctrl+T", "time-out"), ("Ctrl+R / F2", "help lines"),
        ("Ctrl+X", "quick exit: clear the screen and leave"), ("Ctrl+Q", "quit")]

EXERCISE = Exercise(
    id="practice", title="When it happened, I felt", minutes=20, summary="", credit="",
    steps=(Step(id="voice", kind="prompt", by="speaker", text="Say it."),),
    rules={
        "speaker": ("Talk about one moment, not everything.",
                    "Speak for yourself: what happened, and what you felt.",
                    "Describe; do not blame."),
        "listener": ("Listen to understand, not to answer.", "No defending, no fixing."),
    },
)

# Fixed here rather than the shipped file, which its authors keep improving.
RESOURCES = Resources(
    "Getting help",
    "This is a communication exercise, not therapy. If anyone is in danger now, "
    "call your local emergency number.",
    (
        Resource("Your local emergency number", "Anyone in immediate danger.",
                 "Call 112, 911 or 999, as fits where you are.", "anywhere"),
        Resource("Find A Helpline", "Free, confidential support lines in many countries.",
                 "findahelpline.com", "anywhere"),
        Resource("Domestic abuse support near you",
                 "If you feel afraid of your partner, or are hurt or threatened.",
                 "Search for: domestic abuse helpline, and your country.", "anywhere"),
    ),
)

OVERLAYS = {
    "help": lambda: HelpScreen(EXERCISE, "speaker", KEYS),
    "help-welcome": lambda: HelpScreen(None, None, KEYS),
    "time-out": lambda: TimeOutScreen(NOW),
    "paused": lambda: PausedScreen(NOW + 20 * 60, NOW, session_id="3f2a9c"),
    "help-lines": lambda: ResourcesScreen(RESOURCES),
    "leave": lambda: ConfirmQuitScreen("3f2a9c"),
}
SIZES = {"80x24": (80, 24), "120x36": (120, 36)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_looks(snap_compare, overlay, size):
    assert snap_compare(HostApp(OVERLAYS[overlay]()), terminal_size=SIZES[size])


def test_time_out_with_a_short_typed_break_looks(snap_compare):
    assert snap_compare(HostApp(TimeOutScreen(NOW)), press=["tab", *"10m", "enter"])
