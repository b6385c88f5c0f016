"""The multi-line answer box: room for a few sentences, kept exactly, shown safely, sent with ctrl+s."""

from __future__ import annotations

import re
import time

import pytest
from driver import begin, form, paste, screen_text, type_keys

from trustdialog.ui.widgets.answer_box import AnswerBox, ShownDocument
from trustdialog.ui.widgets.answer_form import PickInput
from trustdialog.ui.widgets.answer_input import AnswerInput

THREE = ("You said you would be home by seven and you came in after ten. "
         "I sat by the window and kept checking my phone. "
         "I felt I did not matter to you that night.")


async def to_voice(pilot):
    """The fixture's "When {event} happened, I felt {feeling}." step; the box has the focus."""
    app = pilot.app
    await begin(pilot, "every-kind")
    app.session.submit("continued", "a")
    await app.screen.render_state()
    await pilot.pause()
    box = app.focused
    assert isinstance(box, AnswerBox) and box.answer_key == "event"
    return box


def flat(text: str) -> str:
    """Screen text as one line of words: a wrapped sentence reads as one."""
    return " ".join(re.sub(r"[│┃╭╮╰╯─━┏┓┗┛▌▐█]", " ", text).split())


def box_rows(box: AnswerBox) -> list[str]:
    return ["".join(seg.text for seg in box.render_line(y)) for y in range(box.size.height)]


# -- which blanks are boxes -----------------------------------------------------------


async def test_free_text_is_a_box_and_a_pick_or_list_item_stays_one_line(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_voice(pilot)
        kinds = [type(w) for w in form(app, "a").answer_widgets()]
        assert kinds == [AnswerBox, PickInput]
        assert "ctrl+s sends" in screen_text(app)  # on the box itself
        assert "Enter makes a new line; Tab goes on; ctrl+s sends." in flat(screen_text(app))
        app.session.submit("answered", "a", values={"event": "x", "feeling": "sad"})
        app.session.submit("answered", "b", values={"mirror": "y"})
        app.session.submit("confirmed", "a", yes=True)
        app.session.submit("chose", "a", option=1)  # the list of promises
        await app.screen.render_state()
        await pilot.pause()
        widgets = form(app, "a").answer_widgets()
        assert widgets and all(type(w) is AnswerInput for w in widgets)
        assert "Enter on the last blank, or ctrl+s, sends." in flat(screen_text(app))


# -- keys -------------------------------------------------------------------------------


async def test_enter_is_a_new_line_tab_goes_on_and_enter_on_the_last_one_line_blank_sends(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_voice(pilot)
        await type_keys(pilot, "we met")
        await pilot.press("enter")
        await type_keys(pilot, "late")
        assert box.value == "we met\nlate"
        assert app.session.state.step_id == "voice"  # Enter sent nothing
        assert box.border_subtitle == "ctrl+s sends"
        await pilot.press("tab")
        assert isinstance(app.focused, PickInput)
        assert box.border_subtitle == ""  # the send key is shown on the box being written in
        await type_keys(pilot, "sad")
        await pilot.press("enter")  # the last blank is one line: Enter sends, as before
        await pilot.pause()
        assert app.session.state.answers[-1].values == {"event": "we met\nlate", "feeling": "sad"}
        # The mirror is one box, the last blank: Enter is a new line, ctrl+s sends.
        mirror = app.focused
        assert isinstance(mirror, AnswerBox)
        await type_keys(pilot, "You waited")
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.session.state.step_id == "mirror" and mirror.value == "You waited\n\n"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.state.answers[-1].values == {"mirror": "You waited\n\n"}
        assert app.session.state.step_id == "check"


def test_the_box_takes_letters_and_enter_and_lets_tab_and_ctrl_s_come_back_up():
    # What key_order.py asks of every focused widget: which keys it handles itself.
    box = AnswerBox()
    assert box.check_consume_key("a", "a")
    assert box.check_consume_key("enter", "\r")
    assert box.check_consume_key("space", " ")
    assert box.check_consume_key("zwj", "\u200d")  # a typed joiner is text
    assert not box.check_consume_key("tab", "\t")
    assert not box.check_consume_key("ctrl+s", "\x13")
    assert not box.check_consume_key("ctrl+u", "\x15")


async def test_keys_typed_in_one_burst_land_in_order_across_the_box(make):
    from test_key_order import burst, settle

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_voice(pilot)
        burst(app, *"we met", "enter", *"late", "tab", *"sad", "enter")
        await settle(pilot)
        assert app.session.state.answers[-1].values == {"event": "we met\nlate", "feeling": "sad"}


# -- seen whole -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_three_sentences_are_all_in_view_while_typed_and_after_sending(make, size):
    app = make()
    async with app.run_test(size=size) as pilot:
        box = await to_voice(pilot)
        first, last = THREE[:THREE.index("I felt")], THREE[THREE.index("I felt"):]
        await paste(pilot, first)
        await type_keys(pilot, last)  # the end typed key by key
        assert box.value == THREE
        assert THREE in flat(screen_text(app)), screen_text(app)
        assert box.size.height > 1 and box.scroll_y == 0  # it grew; nothing scrolled away
        await pilot.press("tab")
        await type_keys(pilot, "alone")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step_id == "mirror"
        shown = flat(screen_text(app))
        assert f"When {THREE} happened, I felt alone." in shown, shown


@pytest.mark.parametrize("size, rows", [((120, 36), 6), ((80, 24), 5)])
async def test_past_its_height_the_box_scrolls_and_keeps_the_cursor_in_view(make, size, rows):
    app = make()
    async with app.run_test(size=size) as pilot:
        box = await to_voice(pilot)
        await paste(pilot, "\n".join(f"line {i}" for i in range(12)))
        await pilot.pause()
        assert box.size.height == rows  # then it scrolls (fewer rows when the panes are stacked)
        rows = box_rows(box)
        assert "line 11" in rows[-1] and not any("line 0" in row for row in rows)


# -- text is data -------------------------------------------------------------------------


async def test_control_characters_never_reach_the_terminal_from_the_box(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_voice(pilot)
        await paste(pilot, "\x1b[31mRED\x07 and [bold]x[/]")
        assert box.value == "\x1b[31mRED\x07 and [bold]x[/]"
        rows = box_rows(box)
        for y in range(box.size.height):
            for segment in box.render_line(y):
                assert "\x1b" not in segment.text and "\x07" not in segment.text
        assert rows[0].startswith("␛[31mRED␇ and [bold]x[/]")  # symbols, and markup as typed
        # the whole screen as it is sent to the terminal
        for strip in app.screen._compositor.render_strips():
            for segment in strip:
                assert "\x1b" not in segment.text and "\x07" not in segment.text
        # the cursor lines up: one cell per character, the symbols included
        assert box.cursor_screen_offset.x - box.content_region.x == len("␛[31mRED␇ and [bold]x[/]")


async def test_a_paste_is_kept_exactly_with_line_breaks_made_one_kind(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_voice(pilot)
        pasted = "a\x00b\x1b\x18c\r\nd\re\x0bf\x1cg\x85h\u2028i\tj"
        await paste(pilot, pasted)
        assert box.value == "a\x00b\x1b\x18c\nd\ne\x0bf\x1cg\x85h\u2028i\tj"
        assert box.document.line_count == 3  # only \n breaks a line
        assert "a␀b␛␘c" in screen_text(app)
        await pilot.press("tab")
        await paste(pilot, "sad")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.answers[-1].values["event"] == box.value


def test_the_shown_document_edits_like_a_document_and_keeps_every_character():
    doc = ShownDocument("one\x1b\ntwo")
    assert doc.text == "one\x1b\ntwo" and doc.lines == ["one␛", "two"]
    result = doc.replace_range((0, 3), (1, 1), "\x07\nX\x0bY\n")
    assert doc.text == "one\x07\nX\x0bY\nwo" and result.replaced_text == "\x1b\nt"
    assert doc.lines == ["one␇", "X␋Y", "wo"] and result.end_location == (2, 0)
    assert doc.get_text_range((0, 2), (1, 2)) == "e\x07\nX\x0b"
    doc.replace_range((2, 2), (2, 2), "!")
    assert doc.text.endswith("wo!") and doc[2] == "wo!"


async def test_a_20_kb_paste_into_the_box_does_not_hang(make):
    big = ("We keep missing each other in the evenings. " * 500)[:20_000]
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_voice(pilot)
        began = time.monotonic()
        await paste(pilot, big + "\nsecond line")
        await pilot.press("a", "b", "c", "backspace")
        await pilot.pause()
        assert box.value == big + "\nsecond lineab"
        assert time.monotonic() - began < 10  # a hang would be far longer; a second is usual
        await pilot.press("tab")
        await paste(pilot, "tired")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.state.answers[-1].values["event"] == big + "\nsecond lineab"


# -- drafts and hints -----------------------------------------------------------------


async def test_the_box_is_saved_as_a_draft_and_resume_fills_it_again(make, store):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await to_voice(pilot)
        await paste(pilot, "you were late\nagain")
        await pilot.press("tab")  # a focus change saves the draft at once
        await pilot.pause()
        session_id = app.session.id
        key = form(app, "a").prefix + "event"
        assert key == "voice:1:a:event"
        assert store.drafts(session_id)[key] == "you were late\nagain"
    app = make(resume_id=session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(40):  # the form is mounted just after the screen
            if app.screen.query("#form-a") and isinstance(app.focused, AnswerBox):
                break
            await pilot.pause(0.05)
        box = form(app, "a").answer_widgets()[0]
        assert isinstance(box, AnswerBox) and box.value == "you were late\nagain"
        assert app.focused is box
        await type_keys(pilot, "x")  # typing in it saves again, under the same key
        app.screen._flush_drafts()
        assert store.drafts(session_id)[key] == "xyou were late\nagain"


async def test_a_draft_is_saved_soon_after_typing_stops(make, store):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_voice(pilot)
        await type_keys(pilot, "we")
        await pilot.pause(1.2)  # DRAFT_DELAY, with room for a slow machine
        assert store.drafts(app.session.id).get("voice:1:a:event") == "we"


async def test_steady_typing_past_the_longest_wait_is_still_saved(make, store):
    import time as clock

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_voice(pilot)
        await type_keys(pilot, "we")
        app.screen._unsaved_since = clock.monotonic() - 10  # typing for a long while already
        await type_keys(pilot, "t")
        await pilot.pause(0.3)
        assert store.drafts(app.session.id).get("voice:1:a:event") == "wet"


async def test_wording_in_the_box_gets_a_quiet_hint(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_voice(pilot)
        await paste(pilot, "It was a long day.\nYou always forget to call")
        app.screen._flush_drafts()  # what a pause in typing does
        await pilot.pause()
        hint = form(app, "a").query_one(".form-hint")
        assert hint.display and "A thought:" in str(hint.render())
