"""Every kind of step through the UI: say, template + pick, confirm loop, branch, rating,
hidden answers, list, private with share."""

from __future__ import annotations

from driver import answer, begin, form, paste, press_button, screen_text, start, type_keys
from textual.widgets import Checkbox

from trustdialog.ui.widgets.answer_input import AnswerInput
from trustdialog.ui.widgets.rating import RatingScale


async def test_every_kind_of_step(make, store):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "every-kind")
        state = lambda: app.session.state  # noqa: E731
        # say, by both: either partner's Continue moves on
        assert "Welcome, Alex and Sam." in screen_text(app)
        await press_button(pilot, "continue-b")
        assert state().step_id == "voice"
        # template blanks, the second a pick from the vocabulary, completed with →
        text = screen_text(app)
        assert "When" in text and "happened, I felt" in text and "⏱ 3:00 left" in text
        await answer(pilot, "a", "you were late")
        await type_keys(pilot, "sa")
        assert "Words: ▸sad, sadder" in screen_text(app)
        await pilot.press("right", "enter")
        await pilot.pause()
        assert state().answers[-1].values == {"event": "you were late", "feeling": "sad"}
        # the listener's pane shows the guide; now B mirrors
        await answer(pilot, "b", "You felt sad")
        assert state().step_id == "check"
        assert "(2 left)" in screen_text(app)
        # "not quite" loops back to the mirror
        await press_button(pilot, "no-a")
        assert state().step_id == "mirror"
        await answer(pilot, "b", "You felt sad when I was late")
        await press_button(pilot, "yes-a")
        # a branch: "Rate it" goes to the rating step
        assert state().step_id == "next"
        await press_button(pilot, "option-a-0")
        assert state().step_id == "rate"
        # both answer a hidden rating: A's answer is covered until B answers
        assert app.focused is form(app, "a").query_one(RatingScale)
        await pilot.press("4", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "answered, hidden until both have answered" in text
        assert "4 of 5" not in text
        assert app.focused is form(app, "b").query_one(RatingScale)
        await pilot.press("right", "right", "enter")  # from nothing: 1, then 2
        await pilot.pause()
        assert "4 of 5" in screen_text(app) and "2 of 5" in screen_text(app)
        # a list: one item given, a second added with the button, half an item refused calmly
        assert state().step_id == "promises"
        await answer(pilot, "a", "cook", "Friday")
        assert state().step_id == "reflect" and len(state().answers[-1].values["promises"]) == 1
        # private, both: A shares, B does not
        await paste(pilot, "I noticed I was tense")
        await pilot.press("tab", "space")  # the share box
        await pilot.pause()
        assert form(app, "a").query_one(Checkbox).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        sent = state().answers[-1]  # A's note went in, private and shared, as typed
        assert (sent.partner, sent.private, sent.shared) == ("a", True, True)
        assert "I noticed I was tense" in sent.text
        await paste(pilot, "secret thought")
        await pilot.press("enter")  # in a box, a new line: nothing is sent by accident
        await pilot.pause()
        assert app.focused.value == "secret thought\n" and state().step_id == "reflect"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        text = screen_text(app)
        assert "I noticed I was tense" in text
        assert "secret thought" not in text
        assert "When you were late happened, I felt sad." in text


async def test_list_items_and_calm_errors(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        app.session.submit("answered", "a", values={"event": "x", "feeling": "sad"})
        app.session.submit("answered", "b", values={"mirror": "y"})
        app.session.submit("confirmed", "a", yes=True)
        app.session.submit("chose", "a", option=1)  # skip to promises
        await app.screen.render_state()
        await pilot.pause()
        assert app.session.state.step_id == "promises"
        # half an item: the engine says what is missing; nothing moves on
        await paste(pilot, "cook")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.state.step_id == "promises"
        assert "'when' of an item is still empty" in screen_text(app)
        # a second item, added with the button
        await pilot.press("tab")
        await paste(pilot, "Friday")
        await press_button(pilot, "add-a-promises")
        await pilot.pause()
        assert isinstance(app.focused, AnswerInput)
        await answer(pilot, "a", "walk", "Sunday")
        values = app.session.state.answers[-1].values["promises"]
        assert values == [{"what": "cook", "when": "Friday"}, {"what": "walk", "when": "Sunday"}]


async def test_arrow_keys_walk_the_choices(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        app.session.submit("continued", "a")
        app.session.submit("answered", "a", values={"event": "x", "feeling": "sad"})
        app.session.submit("answered", "b", values={"mirror": "y"})
        app.session.submit("confirmed", "a", yes=True)
        await app.screen.render_state()
        await pilot.pause()
        assert app.focused.id == "option-a-0"
        await pilot.press("down")
        assert app.focused.id == "option-a-1"
        await pilot.press("down")
        assert app.focused.id == "option-a-0"
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.session.state.step_id == "promises"
