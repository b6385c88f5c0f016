"""The key line is drawn again only when the keys it shows change, and only in front.

Textual's footer recomposes on every change of focus or bindings, on a screen behind as well,
and each recompose restyles its keys and repaints the screen in front. A watcher paid for it on
every turn, and for the welcome's footer behind the exercise on every other session's pause.
"""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from trustdialog.session import Session
from trustdialog.ui.widgets.key_footer import KeyFooter


def _keys(app) -> list[FooterKey]:
    return list(app.screen.query_one(KeyFooter).query(FooterKey))


async def test_moving_between_fields_with_the_same_keys_keeps_the_footer_as_drawn(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        drawn = _keys(app)
        assert drawn and app.focused is not None and app.focused.id == "name-a"
        await pilot.press("enter")  # on to the second name: the same keys
        await pilot.pause()
        assert app.focused.id == "name-b"
        assert _keys(app) == drawn  # the very same widgets: nothing recomposed


async def test_a_footer_behind_is_drawn_anew_when_its_keys_changed_meanwhile(make, store, fixture_library):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Continue a session" not in [k.description for k in _keys(app)]
        await pilot.press("ctrl+n")  # on to the picker; the welcome is behind it
        await pilot.pause()
        assert type(app.screen).__name__ == "PickerScreen"
        Session.new(store, fixture_library.exercises["every-kind"], {"a": "Ana", "b": "Ben"})
        await pilot.press("escape")  # back: there is a session to continue now
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"
        assert "Continue a session" in [k.description for k in _keys(app)]
