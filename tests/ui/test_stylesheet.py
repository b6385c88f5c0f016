"""The stylesheet in two parts: the welcome's before the first frame, every other screen's after."""

from __future__ import annotations

from driver import begin

from trustdialog.ui.app import SCREENS_CSS


async def test_other_screens_rules_are_read_after_the_first_frame_and_survive_a_theme_change(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.stylesheet.has_source(str(SCREENS_CSS), "")
        await begin(pilot, "two-rounds")
        status = app.screen.query_one("#status")
        assert status.styles.padding.left == 1  # a rule from screens.tcss
        app.theme = "textual-light"  # re-parses every source
        await pilot.pause()
        assert status.styles.padding.left == 1


async def test_a_screen_pushed_before_the_first_frame_still_gets_its_rules(make):
    from trustdialog.ui.screens.picker import PickerScreen

    app = make()
    assert not app.stylesheet.has_source(str(SCREENS_CSS), "")
    app.push_screen(PickerScreen())  # before the app runs: no frame has been drawn
    assert app.stylesheet.has_source(str(SCREENS_CSS), "")
