"""Wording hints a facilitator adds in an --exercises folder reach the app's answer boxes."""

from __future__ import annotations

from driver import begin, form, paste

HINTS = '''format = 1
[hints]
[[hints.groups]]
id = "zut"
title = "A word of our own"
suggestion = "Our workshop's own suggestion."
phrases = ["zut alors"]
'''


async def _hint_after_typing(app) -> tuple[bool, str]:
    """Partner A writes a phrase only the extra folder's hints know: is a hint shown, and what."""
    async with app.run_test(size=(100, 30)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        await app.screen.render_state()
        await pilot.pause()
        await paste(pilot, "zut alors, you did it again")
        await pilot.press("tab")  # a focus change checks the wording
        await pilot.pause()
        hint = form(app, "a").query_one(".form-hint")
        return hint.display, str(hint.render())  # read while the app runs


async def test_hints_from_an_extra_folder_are_shown(make, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hints.toml").write_text(HINTS, encoding="utf-8")
    shown, text = await _hint_after_typing(make(extra_dirs=(str(tmp_path),)))
    assert shown and "Our workshop's own suggestion." in text


async def test_without_the_folder_that_phrase_gets_no_hint(make):
    shown, _ = await _hint_after_typing(make())
    assert not shown
