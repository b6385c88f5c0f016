"""The reveal after a hidden step, and one partner at a time on it at one terminal (read off the screen)."""

from __future__ import annotations

import re

import pytest
from driver import paste, press_button, screen_text, start

from trustdialog.ui.widgets.answer_form import AnswerForm
from trustdialog.ui.widgets.reveal import RevealView

# "What trust looks like for us": the ten signs, and two sets of ratings that
# differ by 3 on three of them and by 2 on one.
SIGNS = [
    "I can count on you to follow through",
    "You are there for me when I am sick or grieving",
    "You keep your word, in small things and big ones",
    "I feel safe sharing my past, my flaws and my mistakes",
    "My boundaries are respected: feelings, body, money, chores",
    "I believe you care about me",
    "The rules we agreed on are kept",
    "I feel valued by you",
    "Mistakes are forgiven and good intentions assumed",
    "You tell me the truth, even when it is hard",
]
ALEX = [5, 1, 3, 4, 2, 5, 1, 3, 4, 2]
SAM = [2, 1, 4, 4, 5, 5, 3, 3, 1, 2]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def region_text(app, widget, content: bool = False) -> list[str]:
    """The screen's rows inside `widget` (with `content`, only what it scrolls: no border, no scrollbar)."""
    region = widget.scrollable_content_region if content else widget.region
    rows = screen_text(app).split("\n")
    out = []
    for y in range(region.y, region.bottom):
        row = rows[y] if y < len(rows) else ""
        out.append(row[region.x:region.right].rstrip())
    return out


def pane_text(app, partner: str) -> str:
    return "\n".join(region_text(app, app.screen.query_one(f"#pane-{partner}")))


async def rate(pilot, values) -> None:
    """Rate each item with its digit; Enter moves on, and on the last one sends."""
    for value in values:
        await pilot.press(str(value), "enter")
        await pilot.pause()


async def to_rating(pilot) -> None:
    await start(pilot, "what-trust-looks-like")
    await press_button(pilot, "continue-a")
    assert pilot.app.session.state.step_id == "rate"


async def read_reveal(pilot) -> list[str]:
    """Every row of the reveal, read off the screen page by page with PgDn (the key it names)."""
    view = pilot.app.screen.query_one(RevealView)
    assert pilot.app.focused is view
    lines: dict[int, str] = {}
    for _ in range(20):
        for i, row in enumerate(region_text(pilot.app, view, content=True)):
            lines[int(view.scroll_y) + i] = row
        if view.scroll_y >= view.max_scroll_y:
            break
        await pilot.press("pagedown")
        await pilot.pause()
    else:
        raise AssertionError("PgDn never reached the end of the reveal")
    return [lines[i] for i in sorted(lines)]


def table_rows(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(item, [the cells after it]) for each row of a table read as text; wrapped items joined."""
    body = lines[next(i for i, line in enumerate(lines) if line.strip().startswith("──")) + 1:]
    rows: list[tuple[str, list[str]]] = []
    for line in body:
        cells = [c for c in re.split(r"\s{2,}", line.strip()) if c]
        if len(cells) > 1:
            rows.append((cells[0], cells[1:]))
        elif cells and rows:  # the wrapped rest of an item's text
            rows[-1] = (f"{rows[-1][0]} {cells[0]}", rows[-1][1])
    return rows


@pytest.mark.parametrize("size", SIZES)
async def test_at_one_terminal_one_partner_rates_at_a_time_and_the_other_s_ratings_never_show(
        make, shipped_library, size):
    app = make(library=shipped_library)
    async with app.run_test(size=size) as pilot:
        await to_rating(pilot)
        # Alex rates; Sam's form is folded: a line for Sam, no scale, nothing to type in.
        sam = pane_text(app, "b")
        assert "Alex answers now; Sam, your turn comes next." in sam
        assert "rarely" not in sam and "almost always" not in sam
        assert not app.screen.query(f"#pane-b {AnswerForm.__name__}")
        # The step opens with its first question in view.
        alex = pane_text(app, "a")
        assert SIGNS[0] in alex and "rarely" in alex, alex
        await rate(pilot, ALEX)
        # Now Sam; Alex's ratings are nowhere on screen (only that Alex answered).
        text = screen_text(app)
        assert app.session.state.answered == {"a"}
        assert "of 5" not in text
        alex = pane_text(app, "a")
        assert "rarely" not in alex and "Waiting for Sam" in alex
        sam = pane_text(app, "b")
        assert SIGNS[0] in sam and "rarely" in sam
        await rate(pilot, SAM)
        assert app.session.state.step_id == "side-by-side"


@pytest.mark.parametrize("size", SIZES)
async def test_the_reveal_shows_every_sign_with_both_ratings_and_the_differences_in_words(
        make, shipped_library, size):
    app = make(library=shipped_library)
    async with app.run_test(size=size) as pilot:
        await to_rating(pilot)
        await rate(pilot, ALEX)
        await rate(pilot, SAM)
        text = screen_text(app)
        assert "Side by side: Rate the signs of trust" in text
        assert "↑↓ PgUp PgDn scroll" in text  # the keys it scrolls with, on screen
        lines = await read_reveal(pilot)
        words = " ".join(" ".join(lines).split())
        assert "Ratings: 1 = rarely … 5 = almost always. You are 2 or more points apart on 4 of 10" in words
        header = next(line for line in lines if "Alex" in line and "Sam" in line)
        assert header.index("Alex") < header.index("Sam")  # A's column left, as A's pane
        expected = []
        for sign, a, b in zip(SIGNS, ALEX, SAM):
            note = [f"differ by {abs(a - b)}"] if abs(a - b) >= 2 else []
            expected.append((sign, [str(a), str(b), *note]))
        assert table_rows(lines) == expected
        # ↑ and ↓ scroll it line by line, where there is more than one screen of it.
        view = app.screen.query_one(RevealView)
        if view.max_scroll_y:
            await pilot.press("pageup", "pageup", "pageup")
            await pilot.pause()
            assert view.scroll_y == 0
            await pilot.press("down")
            await pilot.pause()
            assert view.scroll_y == 1
            await pilot.press("up")
            await pilot.pause()
            assert view.scroll_y == 0
        # Tab goes on to Continue, and the reveal has done its work.
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.session.state.step_id == "pick-first"
        assert not app.screen.query_one(RevealView).display
        assert "Side by side" not in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_free_text_answers_are_revealed_side_by_side_or_stacked_when_narrow(make, shipped_library, size):
    app = make(library=shipped_library)
    async with app.run_test(size=size) as pilot:
        await start(pilot, "after-a-hard-moment")
        await press_button(pilot, "continue-a")
        assert app.session.state.step_id == "feelings"
        await paste(pilot, "furious and small")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.answered == {"a"}
        assert "furious" not in screen_text(app)  # Alex's words stay hidden while Sam writes
        await paste(pilot, "scared")
        await pilot.press("enter")
        await pilot.pause()
        lines = [line.strip() for line in await read_reveal(pilot)]
        alex, sam = "During the argument, I felt furious and small.", "During the argument, I felt scared."
        if size[0] >= 100:  # side by side: both on one row under the two names
            assert re.split(r"\s{2,}", next(line for line in lines if "Alex" in line)) == ["Alex", "Sam"]
            first = next(line for line in lines if line.startswith("During"))
            assert first.startswith("During the argument, I felt furious") and "I felt scared." in first
        else:  # stacked: each name, then the words
            joined = " ".join(lines)
            assert f"Alex: {alex}" in " ".join(joined.split()) and f"Sam: {sam}" in " ".join(joined.split())
