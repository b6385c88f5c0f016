"""What people type is data: shown literally, never as markup or terminal codes; big pastes are fine."""

from __future__ import annotations

from driver import answer, begin, paste, press_button, screen_text, start

from trustdialog.ui.widgets.answer_input import AnswerInput
from trustdialog.ui.widgets.safe_text import clean, pictures, safe

NASTY = ["[bold]x[/]", "[link=http://x]y[/]", "\x1b[31mred", "bell\x07", "[red]names[/red]"]


def test_clean_strips_escapes_and_controls_but_keeps_text():
    assert clean("\x1b[31mred\x1b[0m") == "red"
    assert clean("a\x07b\x00c\x7fd\x85e") == "abcde"
    assert clean("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert clean("line one\nline two\tend") == "line one\nline two    end"
    assert clean("[bold]x[/]") == "[bold]x[/]"
    assert safe("[bold]x[/]").plain == "[bold]x[/]" and not safe("[bold]x[/]").spans
    assert pictures("a\x1bb\x07") == "a␛b␇"


async def test_markup_escapes_and_control_characters_appear_literally(make, store):
    app = make(names={"a": "[bold]Al[/]", "b": "Sam\x1b[2J"})
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, "two-rounds", names=("[b]Al[/b]", "Sam\x1b[2J"))
        typed = "".join(NASTY)
        await answer(pilot, "a", typed)
        # stored exactly as typed
        assert app.session.state.answers[-1].values == {"say-it": typed}
        assert store.events(app.session.id)[-1].data["values"]["say-it"] == typed
        text = screen_text(app)
        # shown literally: the brackets are there, the escape and bell are not
        for shown in ("[bold]x[/]", "[link=http://x]y[/]", "redbell", "[red]names[/red]",
                      "[b]Al[/b]", "Sam"):
            assert shown in text, shown
        assert "\x1b" not in text and "\x07" not in text
        # the quoted answer in B's prompt is literal too, and carries no style from markup
        prompt = app.screen.query_one("#prompt")
        rendered = prompt.render()
        assert "[bold]x[/]" in str(rendered)


async def test_editor_shows_control_characters_as_symbols(make):
    # A one-line blank (the feeling word); the multi-line box: tests/ui/test_answer_box.py.
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        await press_button(pilot, "continue-a")
        await pilot.press("tab")
        await paste(pilot, "a\x1b[31mb\x07")
        box = app.focused
        assert isinstance(box, AnswerInput)
        assert box.value == "a\x1b[31mb\x07"
        assert "a␛[31mb␇" in screen_text(app)
        # the cursor sits after the last symbol: one cell per character
        assert box._position_to_cell(len(box.value)) == len("a␛[31mb␇")


async def test_a_20_kb_paste_does_not_hang(make):
    big = ("We keep missing each other in the evenings. " * 500)[:20_000]
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "two-rounds")
        await paste(pilot, big + "\nsecond line")
        box = app.focused
        assert box.value == big + "\nsecond line"  # kept exactly: the line break too
        await pilot.press("a", "b", "c", "backspace")
        await pilot.press("ctrl+s")  # the answer is a multi-line box: Enter is a new line
        await pilot.pause()
        assert app.session.state.answers[-1].values["say-it"] == big + "\nsecond lineab"
        assert app.session.state.step_id == "heard"
        # the long answer is in A's pane history, wrapped, and the app still answers keys
        await paste(pilot, "ok")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.state.round == 2


async def test_wide_characters_and_emoji_line_up(make):
    app = make(names={"a": "美咲", "b": "Zoë 🙂"})
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(pilot, "two-rounds", names=("美咲", "Zoë 🙂"))
        await answer(pilot, "a", "ありがとう 🙏 for the tea")
        lines = screen_text(app).splitlines()
        # every row is exactly as wide as the terminal: nothing pushed out of line
        from rich.cells import cell_len

        assert all(cell_len(line) <= 100 for line in lines)
        assert any("ありがとう 🙏 for the tea" in line for line in lines)
        assert any(line.rstrip().endswith("┃") or line.rstrip().endswith("│") for line in lines
                   if "ありがとう" in line)


# -- the terminal parser: bytes as a terminal sends them ---------------------------

import sys
from pathlib import Path

from textual import events

sys.path.insert(0, str(Path(__file__).parents[1] / "e2e"))
from hostile import PASTED_CONTROLS, PASTED_ESCAPES  # noqa: E402

from trustdialog.ui.terminal_input import PasteSafeParser  # noqa: E402

START, END = "\x1b[200~", "\x1b[201~"


def parse(*bursts: str) -> list:
    parser = PasteSafeParser()
    out = []
    for burst in bursts:
        out += list(parser.feed(burst))
    out += list(parser.flush())
    return out


def test_every_hostile_paste_is_one_paste_event_with_the_exact_text():
    for text in PASTED_ESCAPES + PASTED_CONTROLS:
        messages = parse("a" + START + text + END + "b")
        kinds = [(type(m).__name__, getattr(m, "key", None)) for m in messages]
        assert kinds == [("Key", "a"), ("Paste", None), ("Key", "b")], (text, kinds)
        assert messages[1].text == text


def test_a_paste_split_across_bursts_and_a_split_marker_stay_one_paste():
    text = "one\x1b\r two\x00"
    messages = parse(START[:3], START[3:] + text[:4], text[4:] + END[:2], END[2:])
    assert [type(m).__name__ for m in messages] == ["Paste"]
    assert messages[0].text == text


def test_keys_after_a_paste_in_their_own_burst_are_keys():
    messages = parse(START + "x" + END, "\x18")
    assert isinstance(messages[0], events.Paste) and messages[1].key == "ctrl+x"
    parser = PasteSafeParser()  # a lone ESC is still the Escape key (here: at the end of input)
    assert [m.key for m in [*parser.feed("\x1b"), *parser.feed("")]] == ["escape"]
