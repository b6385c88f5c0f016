"""The welcome screen: the first name has the focus, typing replaces the default, notes show only when needed."""

from __future__ import annotations

from conftest import FIXTURES
from driver import screen_text

from trustdialog.exercise import load_library
from trustdialog.ui.widgets.answer_input import AnswerInput


async def test_typing_at_once_replaces_the_default_names(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        name_a = app.screen.query_one("#name-a", AnswerInput)
        assert app.focused is name_a
        assert name_a.selected_text == "Partner A"
        await pilot.press(*"Robin")
        assert name_a.value == "Robin"
        await pilot.press("enter")
        name_b = app.screen.query_one("#name-b", AnswerInput)
        assert app.focused is name_b and name_b.selected_text == "Partner B"
        await pilot.press(*"Sasha", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "PickerScreen"
        assert app.names == {"a": "Robin", "b": "Sasha"}


async def test_the_store_opens_after_the_first_frame_and_fills_the_resume_list(
        make, fixture_library, clock, tmp_path):
    from trustdialog.session import Session
    from trustdialog.store import open_store

    saved = open_store(tmp_path)
    Session.new(saved, fixture_library.exercises["two-rounds"], {"a": "Kim", "b": "Lee"}, clock=clock)
    saved.close()
    app = make(store=None, data_dir=tmp_path)
    assert not app.store_is_open
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.store_is_open and app.store.persistent
        assert app.screen.query_one("#resume-list").option_count == 1
        assert "Saving is on" in str(app.screen.query_one("#privacy").render())
    app.store.close()


async def test_ctrl_n_goes_on_to_the_picker_from_the_name_field(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, AnswerInput)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert type(app.screen).__name__ == "PickerScreen"


async def test_a_broken_exercise_file_is_named_calmly_and_nothing_else_is_lost(make, tmp_path):
    (tmp_path / "broken.toml").write_text('[exercise]\nid = "broken"\ntitle = \n')
    library = load_library(extra_dirs=[FIXTURES, tmp_path], include_shipped=False)
    assert len(library.diagnostics) == 1
    app = make(library=library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "1 problem in the exercise files; those exercises are left out" in text
        # no unfinished sessions: nothing offers to continue one
        assert "Continue a session" not in text and not app.screen.query("#resume-list")


async def test_with_a_sound_library_and_no_sessions_the_welcome_is_plain(make):
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not app.screen.query("#library-note")
        assert "Continue a session" not in screen_text(app)
        await pilot.press("f3")  # offered only with a session to continue: does nothing
        assert isinstance(app.focused, AnswerInput)
