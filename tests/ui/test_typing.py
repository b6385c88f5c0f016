"""Typing redraws the input, not the whole screen; long one-line answers still scroll to keep the cursor in view."""

from __future__ import annotations

import pytest
from driver import begin, screen_text, type_keys

from trustdialog.ui.widgets.answer_box import AnswerBox
from trustdialog.ui.widgets.answer_input import AnswerInput


async def _answer_box(pilot, kind=(AnswerInput, AnswerBox)):
    """The focused answer blank, once the exercise screen has given it the focus."""
    for _ in range(20):
        if isinstance(pilot.app.focused, kind):
            break
        await pilot.pause(0.05)
    assert isinstance(pilot.app.focused, kind)
    return pilot.app.focused


@pytest.mark.parametrize("where", ["box", "one-line"])
async def test_a_key_in_an_answer_does_not_lay_out_the_screen(make, monkeypatch, where):
    # Textual's Input and TextArea ask for a whole-screen layout on every key; on
    # a screen of many widgets that was most of the echo time (benchmarks/keystroke.py).
    # The box lays out only when it grows by a line.
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        if where == "one-line":  # on to the list of promises: one-line items
            app.session.submit("answered", "a", values={"event": "x", "feeling": "sad"})
            app.session.submit("answered", "b", values={"mirror": "y"})
            app.session.submit("confirmed", "a", yes=True)
            app.session.submit("chose", "a", option=1)
        await app.screen.render_state()
        box = await _answer_box(pilot, AnswerInput if where == "one-line" else AnswerBox)
        await pilot.pause()
        screen = app.screen
        layouts = []
        original = screen._refresh_layout
        monkeypatch.setattr(screen, "_refresh_layout",
                            lambda *a, **k: (layouts.append(1), original(*a, **k))[1])
        await type_keys(pilot, "we talked")
        await pilot.pause()
        assert box.value.endswith("we talked")
        assert "we talked" in screen_text(app)
        assert layouts == []


async def test_a_long_one_line_answer_scrolls_to_keep_the_cursor_in_view(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        await app.screen.render_state()
        await _answer_box(pilot, AnswerBox)
        await pilot.press("tab")  # the feeling: a one-line blank
        box = await _answer_box(pilot, AnswerInput)
        words = " ".join(f"w{i:02d}" for i in range(40))  # 159 cells: wider than any pane
        await type_keys(pilot, words)
        await pilot.pause()
        assert box.value.endswith(words)
        assert box.scroll_x > 0
        text = screen_text(app)
        assert "w39" in text and "w00" not in text  # the end is shown, the start scrolled off
        # and back home shows the start again
        await pilot.press("home")
        await pilot.pause()
        assert box.scroll_x == 0
        assert "w00" in screen_text(app)
