"""A session open in two places (two terminals, or a facilitator following over SSH) shows the other's turns."""

from __future__ import annotations

from driver import advance, opened_elsewhere, screen_text, type_keys, wait_until

from trustdialog.store import open_store
from trustdialog.ui.widgets.answer_box import AnswerBox


async def test_a_turn_saved_elsewhere_appears_without_a_key_pressed(make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        advance(app, "two-rounds", "say-it")
        await pilot.pause()
        assert app.session.state.floor == ("a",)
        other = opened_elsewhere(app, tmp_path, clock)  # Alex answers there
        other.submit("answered", "a", values={"say-it": "Thank you for the tea"})
        await wait_until(pilot, lambda: app.session.state.step_id == "heard")
        await pilot.pause()
        text = screen_text(app)
        assert "Thank you for the tea" in text  # in Alex's history and in Sam's prompt
        assert app.screen.focused_partner() == "b"  # the floor moved, and so did the focus
        other.store.close()
    store.close()


async def test_someone_typing_keeps_their_words_and_place_when_the_other_answers_elsewhere(
        make, tmp_path, clock):
    store = open_store(tmp_path)
    app = make(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        advance(app, "every-kind", "reflect")
        await pilot.pause()
        assert set(app.session.state.floor) == {"a", "b"}
        box = app.screen.query_one("#pane-b").query(AnswerBox).first()
        box.focus()
        await type_keys(pilot, "I noticed")
        await pilot.press("tab")  # on to the share box, past the first blank
        share = app.focused
        assert share.id == "share-b"
        other = opened_elsewhere(app, tmp_path, clock)
        values = {field.name: "A kept this to themselves" for field in other.state.step.fields}
        other.submit("answered", "a", values=values, shared=False)
        await wait_until(pilot, lambda: "a" in app.session.state.answered)
        await pilot.pause()
        assert app.session.state.floor == ("b",)
        # Nothing was rebuilt under Sam, and the focus did not jump back to the first blank.
        assert app.focused is share and box.value.endswith("I noticed")
        other.store.close()
    store.close()
