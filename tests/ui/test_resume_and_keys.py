"""Coming back to a session (drafts included), the app-wide keys, and the two layouts."""

from __future__ import annotations

from driver import answer, begin, form, paste, press_button, screen_text, start
from textual.widgets import OptionList

from trustdialog.session import Session
from trustdialog.ui.widgets.answer_input import AnswerInput


async def test_resume_puts_back_the_step_and_the_unsent_draft(make, store, fixture_library):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, "every-kind")
        await press_button(pilot, "continue-a")
        await paste(pilot, "you were late")
        await pilot.press("tab")  # a focus change saves the draft at once
        await pilot.pause()
        session_id = app.session.id
        assert any(v == "you were late" for v in store.drafts(session_id).values())
    # Another run, same store: straight back to the step, the words still there.
    app = make(resume_id=session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert app.session.state.step_id == "voice"
        for _ in range(40):  # the form is mounted just after the screen (slower on a busy machine)
            if app.screen.query("#form-a") and form(app, "a").answer_widgets():
                break
            await pilot.pause(0.05)
        first = form(app, "a").answer_widgets()[0]
        assert first.value == "you were late"
        assert app.focused is first
        await pilot.press("tab")  # the first blank is a box: Tab goes on to the feeling
        await paste(pilot, "sad")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.state.step_id == "mirror"
        assert app.session.state.answers[-1].values["event"] == "you were late"


async def test_unfinished_sessions_are_offered_on_the_welcome(make, store, fixture_library, clock):
    exercise = fixture_library.exercises["two-rounds"]
    session = Session.new(store, exercise, {"a": "Kim", "b": "Lee"}, clock=clock)
    session.submit("ready", "a")
    session.submit("ready", "b")
    session.submit("answered", "a", values={"say-it": "Thanks for today"})
    done = Session.new(store, exercise, {"a": "Old", "b": "Done"}, clock=clock)
    done.submit("ended", "a")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Continue a session" in text
        options = app.screen.query_one("#resume-list", OptionList)
        assert options.option_count == 1  # the finished one is not offered
        await press_button(pilot, "continue")
        assert app.focused is options
        app.screen.query_one("#name-a").focus()
        await pilot.press("f3")  # the key goes there from anywhere on the welcome
        assert app.focused is options
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert app.session.id == session.id and app.session.state.step_id == "heard"
        assert "Thanks for today" in screen_text(app)
        assert "Lee, say back: Thanks for today" in screen_text(app)


async def test_not_now_comes_back_later_calmly(make, store):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        from driver import pick, to_picker

        await to_picker(pilot)
        await pick(pilot, "two-rounds")
        await pilot.press("enter")  # Alex: yes
        await pilot.pause()
        await pilot.press("tab", "enter")  # Sam: not now
        await pilot.pause()
        text = screen_text(app)
        assert "Saying \"not now\" is part of this" in text
        # "Not now" is recorded, and that session is closed: nothing is left half-started.
        assert app.session is None
        [info] = store.sessions()
        assert [e.kind for e in store.events(info.id)] == ["ready", "not_now"]
        assert info.finished and app.unfinished_sessions() == []
        await pilot.press("enter")  # back to the start
        await pilot.pause()
        assert type(app.screen).__name__ == "WelcomeScreen"


async def test_time_out_pauses_and_resumes_through_the_session(make, store, clock):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "two-rounds")
        await paste(pilot, "half a thou")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TimeOutScreen"
        await pilot.press("enter")  # the suggested 20 minutes
        await pilot.pause()
        assert type(app.screen).__name__ == "PausedScreen"
        assert app.session.state.paused
        assert app.session.state.resume_at == clock() + 20 * 60
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"
        assert not app.session.state.paused
        kinds = [e.kind for e in store.events(app.session.id)]
        assert kinds[-2:] == ["paused", "resumed"]
        # the half-written answer is still there
        assert form(app, "a").answer_widgets()[0].value == "half a thou"


async def test_f1_shows_the_rules_of_the_role_with_the_floor(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "every-kind")
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Speak for yourself." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"


async def test_panes_sit_side_by_side_from_100_columns_and_stack_below(make):
    app = make()
    async with app.run_test(size=(120, 36)) as pilot:
        await begin(pilot, "two-rounds")
        a = app.screen.query_one("#pane-a").region
        b = app.screen.query_one("#pane-b").region
        assert a.y == b.y and a.x < b.x
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        a = app.screen.query_one("#pane-a").region
        b = app.screen.query_one("#pane-b").region
        assert a.x == b.x and a.y < b.y
        assert app.screen.has_class("-narrow")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        a = app.screen.query_one("#pane-a").region
        b = app.screen.query_one("#pane-b").region
        assert a.y == b.y and a.x < b.x


async def test_whose_turn_reads_without_colour(make, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "two-rounds")
        text = screen_text(app)
        # the floor: a heavy border and a "YOUR TURN" badge; the other: a round one, "listening"
        assert "┏━ A · Alex" in text and "▶ YOUR TURN · speaker" in text
        assert "╭─ B · Sam" in text and "listening · listener" in text
        await answer(pilot, "a", "Thank you")
        text = screen_text(app)
        assert "╭─ A · Alex" in text and "┏━ B · Sam" in text


async def test_ctrl_q_asks_first_during_an_exercise(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "two-rounds")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmQuitScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExerciseScreen"


async def test_f4_on_the_welcome_opens_the_progress_view(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProgressScreen"


async def test_theme_follows_textual_theme_and_ignores_a_bad_one(make, monkeypatch):
    monkeypatch.setenv("TEXTUAL_THEME", "nord")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
    monkeypatch.setenv("TEXTUAL_THEME", "no-such-theme")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"


async def test_summary_exports_markdown_to_a_private_file(make, tmp_path):
    import stat

    from driver import advance

    from trustdialog.store import open_store

    store = open_store(tmp_path, False)
    app = make(store=store, data_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        advance(app, "two-rounds", None)
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        await pilot.press("e")
        await pilot.pause()
        path = tmp_path / "exports" / f"{app.session.id}.md"
        assert path.exists() and "say-it words" in path.read_text()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "Saved to" in screen_text(app)
    store.close()
