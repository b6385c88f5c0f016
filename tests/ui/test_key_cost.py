"""What a key costs: it redraws only its rows, reads no styles, lays nothing out (trustdialog.ui.lean)."""

from __future__ import annotations

import pytest
from driver import begin, screen_text, type_keys
from textual._compositor import Compositor
from textual._styles_cache import StylesCache
from textual._text_area_theme import TextAreaTheme
from textual.widget import Widget
from textual.widgets import Static

from trustdialog.ui.lean import LeanCompositor
from trustdialog.ui.widgets.answer_box import AnswerBox
from trustdialog.ui.widgets.answer_input import AnswerInput


async def _focused(pilot, kind):
    for _ in range(20):
        if isinstance(pilot.app.focused, kind):
            break
        await pilot.pause(0.05)
    assert isinstance(pilot.app.focused, kind)
    return pilot.app.focused


async def _to(pilot, where):
    """The second name field on the welcome, or the "what happened" box of a prompt step."""
    app = pilot.app
    if where == "name":
        await pilot.pause()
        await pilot.press("enter")  # from the first name field to the second
        return await _focused(pilot, AnswerInput)
    await begin(pilot, "every-kind")
    app.session.submit("continued", "a")
    await app.screen.render_state()
    box = await _focused(pilot, AnswerBox)
    await pilot.pause()
    return box


def _count_renders(monkeypatch) -> list[Widget]:
    """Every widget rendered from now on (each widget's lines go through its StylesCache)."""
    rendered: list[Widget] = []
    original = StylesCache.render_widget

    def render_widget(self, widget, crop):
        rendered.append(widget)
        return original(self, widget, crop)

    monkeypatch.setattr(StylesCache, "render_widget", render_widget)
    return rendered


@pytest.mark.parametrize("where", ["name", "answer"])
async def test_every_screen_has_the_lean_compositor(make, where):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to(pilot, where)
        assert type(app.screen._compositor) is LeanCompositor


@pytest.mark.parametrize("where", ["name", "answer"])
async def test_a_key_renders_only_the_widgets_on_the_rows_it_changed(make, monkeypatch, where):
    # Textual renders every widget whose container overlaps the changed rows, in
    # full: a key in a name field re-rendered the title, the privacy note and the
    # footer at the bottom of the screen, and the containers the field covers.
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await _to(pilot, where)
        await pilot.pause()
        rendered = _count_renders(monkeypatch)
        await type_keys(pilot, "we talked")
        rendered = list(rendered)  # the keys' frames (reading the screen below renders it all)
        assert box.value.endswith("we talked")
        assert "we talked" in screen_text(app)
        assert box in rendered
        row = box.region.y + box.region.height // 2
        away = {w for w in rendered
                if not w.region.intersection(box.region) and w.screen is app.screen}
        assert not away, f"rendered on a key, though not on row {row}: {away}"
        footer = app.screen.query_one("Footer")
        assert footer not in rendered
        # The containers around the box are behind it on its rows: nothing of them shows.
        behind = {w for w in rendered if w in box.ancestors}
        assert not behind, f"rendered on a key, though behind the box: {behind}"


@pytest.mark.parametrize("where", ["name", "answer"])
async def test_a_key_draws_the_same_lines_as_textual_would(make, monkeypatch, where):
    # Each partial update is drawn both ways, on the same compositor: what the lean
    # one writes out (every chop that reaches into a changed span) must be exactly
    # what Textual's own code gives there.
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to(pilot, where)
        compared = []
        original = LeanCompositor.render_partial_update

        def render_partial_update(self):
            dirty = self._dirty_regions.copy()
            lean = original(self)
            self._dirty_regions.update(dirty)
            self.__class__ = Compositor
            try:
                plain = Compositor.render_partial_update(self)
            finally:
                self.__class__ = LeanCompositor
            if lean is None:
                assert plain is None
                return lean
            assert lean.spans == plain.spans
            for y, x1, x2 in lean.spans:
                ends = lean.chop_ends[y]
                shown = [cut for cut, end in zip(lean.chops[y], ends) if cut < x2 and end > x1]
                assert shown
                for cut in shown:
                    assert list(lean.chops[y][cut]) == list(plain.chops[y][cut]), (y, cut)
            compared.append(lean.spans)
            return lean

        monkeypatch.setattr(LeanCompositor, "render_partial_update", render_partial_update)
        await type_keys(pilot, "we talked, then we")
        await pilot.press("backspace", "backspace", "left", "x")
        await pilot.pause()
        assert compared  # the keys were drawn through it


@pytest.mark.parametrize("where", ["name", "answer"])
async def test_a_key_reads_no_styles(make, monkeypatch, where):
    # TextArea read its colours from the stylesheet before every frame, and every
    # refresh dropped the widget's cache of component styles.
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to(pilot, where)
        await type_keys(pilot, "w")
        reads = []
        original = Widget.get_component_styles
        monkeypatch.setattr(Widget, "get_component_styles",
                            lambda self, *names: (reads.append(names), original(self, *names))[1])
        themes = []
        original_apply = TextAreaTheme.apply_css
        monkeypatch.setattr(TextAreaTheme, "apply_css",
                            lambda self, area: (themes.append(area), original_apply(self, area))[1])
        await type_keys(pilot, "e talked")
        assert "we talked" in screen_text(app)
        assert reads == []
        assert themes == []


async def test_the_box_colours_follow_focus_and_theme(make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await _to(pilot, "answer")
        await type_keys(pilot, "we")
        focused = box._theme.cursor_style
        await pilot.press("tab")  # the focus moves on: the box's cursor is no longer drawn as focused
        await pilot.pause()
        assert app.focused is not box
        base = box._theme.base_style
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert box._theme.base_style != base
        assert box._theme.base_style.bgcolor == box.rich_style.bgcolor
        box.focus()
        await pilot.pause()
        assert box._theme.cursor_style != focused  # read again for the light theme


async def test_a_box_drawn_once_more_after_its_removal_draws_and_does_not_crash(make):
    """A turn from another connection can remove a box while the last arrangement
    still lists it; drawing it then must not ask for the colours removal dropped."""
    from textual.geometry import Region

    from trustdialog.ui import lean

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        box = await _to(pilot, "answer")
        await box.remove()
        lean.styles_changed()  # a style change since its last frame: the colours are due again
        assert box.render_lines(Region(0, 0, 10, 1))


async def test_the_step_timer_ticking_redraws_the_status_line_only(make, clock, monkeypatch):
    # The status line (one row high) was updated with a full layout of the screen
    # every second of a timed step.
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await _to(pilot, "answer")
        screen = app.screen
        status = screen.query_one("#status", Static)
        before = str(status.render())
        layouts = []
        original = screen._refresh_layout
        monkeypatch.setattr(screen, "_refresh_layout",
                            lambda *a, **k: (layouts.append(1), original(*a, **k))[1])
        clock.now += 61
        screen._show_status()
        await pilot.pause()
        assert str(status.render()) != before
        assert "1:59 left" in screen_text(app)  # 180 s, a minute and a second gone
        assert layouts == []


async def test_the_same_text_again_redraws_nothing_and_a_growing_note_is_laid_out(make, monkeypatch):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        note = Static("one line", id="note")  # height: auto, as Static is
        await app.screen.mount(note)
        await pilot.pause()
        refreshes = []
        original = Static.refresh
        monkeypatch.setattr(Static, "refresh", lambda self, *a, **k: (
            refreshes.append((self, k.get("layout", False))), original(self, *a, **k))[1])
        note.update("one line")
        assert [r for r in refreshes if r[0] is note] == []
        note.update("a longer note\nthat takes two lines")
        assert (note, True) in refreshes  # its height follows its text: laid out
        await pilot.pause()
        assert note.region.height == 2


def _record_dispatches(monkeypatch) -> tuple[list, list]:
    """The nodes each message (not event) reached, with its sender, and the handlers
    that ran for it."""
    import textual.message_pump as message_pump
    from textual.events import Event

    reached: list = []
    ran: list = []
    original_dispatch = message_pump.MessagePump._dispatch_message
    original_invoke = message_pump.invoke

    async def dispatch(self, message):
        if not isinstance(message, Event):
            reached.append((self, type(message), message._sender))
        return await original_dispatch(self, message)

    async def invoke(callback, *args, **kwargs):
        if args and not isinstance(args[0], Event):
            owner = getattr(callback, "__self__", None)
            message = args[0]
            ran.append((owner, getattr(callback, "__name__", callback), type(message),
                        message._sender))
        return await original_invoke(callback, *args, **kwargs)

    monkeypatch.setattr(message_pump.MessagePump, "_dispatch_message", dispatch)
    monkeypatch.setattr(message_pump, "invoke", invoke)
    return reached, ran


@pytest.mark.parametrize("where", ["name", "answer"])
async def test_a_key_s_messages_reach_only_what_handles_them_and_the_same_handlers_run(
        make, monkeypatch, where):
    # A key in the answer box sent TextArea.Changed and SelectionChanged through all
    # seventeen containers up to the app, each a trip through a message queue that
    # did nothing there. They now go straight to the next node with a handler; the
    # same handlers run for them, in the same order, as when every node is passed
    # through.
    from textual.message import Message

    from trustdialog.ui.lean import _handles

    runs = {}
    for short in (True, False):
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            box = await _to(pilot, where)
            await pilot.pause()
            with monkeypatch.context() as patch:
                if not short:
                    patch.setattr(Message, "_bubble_to", Message._lean_base_bubble_to)
                reached, ran = _record_dispatches(patch)
                await type_keys(pilot, "we talked")
                await pilot.pause()
                reached, ran = list(reached), list(ran)
            assert box.value.endswith("we talked")
            # What the box sent up from itself: Changed, SelectionChanged.
            kinds = {kind for node, kind, sender in reached if sender is box and node is box}
            sent = [(node, kind) for node, kind, sender in reached
                    if sender is box and kind in kinds and kind.bubble]
            assert sent, "the keys sent no bubbling message"
            idle = [(node, kind) for node, kind in sent
                    if node is not box and not _handles(type(node), kind)]
            if short:
                assert not idle, f"reached nodes with nothing to do: {idle[:5]}"
            else:
                assert idle  # Textual's own path: the containers in between
            # The draft is kept as typed: the screen's handler ran.
            assert any(owner is app.screen for owner, _, _, _ in ran)
            # Of what the box sent (other messages may now come before or after them).
            runs[short] = [(type(owner).__name__, name, kind)
                           for owner, name, kind, sender in ran if sender is box and kind in kinds]
    assert runs[True] == runs[False]


async def test_a_callback_s_arguments_are_counted_once_not_per_call(make, monkeypatch):
    # Textual reads a callback's signature to count its arguments; a callback queued
    # with call_later comes wrapped in a new partial each time, so every Backspace
    # (whose binding the app follows up the chain with one call_later per node) read
    # signatures afresh. Kept on the function, the count is read once.
    from textual import _callback

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        field = await _to(pilot, "name")
        await type_keys(pilot, "ab")
        await pilot.press("backspace")  # the first follow-up of a binding: counted here
        await pilot.pause()
        read: list[object] = []
        original = _callback.signature

        def signature(func, *args, **kwargs):
            if not getattr(func, "__module__", "").startswith("textual.pilot"):  # the test's own waits
                read.append(func)
            return original(func, *args, **kwargs)

        monkeypatch.setattr(_callback, "signature", signature)
        await type_keys(pilot, "cdef")
        for _ in range(4):
            await pilot.press("backspace")
        await pilot.pause()
        assert field.value == "a"
        assert read == []


async def test_each_node_finds_the_handlers_textual_would_find_in_the_same_order(make):
    # The plan of who handles what is made once per class; the handlers found with it
    # are Textual's own, node by node and message by message, on the welcome and on a
    # prompt step (selectors, prevent_default and the conventions included).
    from textual import events
    from textual.message_pump import MessagePump
    from textual.widgets import Input

    base = MessagePump._lean_base_get_dispatch_methods
    planned = MessagePump._get_dispatch_methods
    assert planned is not base

    def found(get, node, message):
        return [(cls, method.__func__) for cls, method in get(node, message.handler_name, message)]

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        compared = 0
        for where in ("name", "answer"):
            await _to(pilot, where)
            await pilot.pause()
            nodes = [app, *app.screen.walk_children(with_self=True)]
            field = next((n for n in nodes if isinstance(n, Input)), None)
            for node in nodes:
                messages = [events.Key("backspace", None), events.Idle(), events.Mount(),
                            events.Focus(), events.Callback(callback=lambda: None)]
                if field is not None:
                    messages.append(Input.Changed(field, "x"))
                    messages.append(Input.Submitted(field, "x"))
                for message in messages:
                    assert found(planned, node, message) == found(base, node, message), (node, message)
                    compared += 1
                stopped = events.Key("enter", None)
                stopped.prevent_default()
                assert found(planned, node, stopped) == found(base, node, stopped) == []
        assert compared > 100


async def test_a_letter_builds_no_binding_chain_and_a_bound_key_still_runs_its_binding(make, monkeypatch):
    # Textual built the whole binding chain (every map of the focus chain, copied and
    # filtered) to look up each key; a letter is bound nowhere, so it is not built.
    from textual.screen import Screen

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        field = await _to(pilot, "name")
        built = []
        chain = Screen._binding_chain

        def counted(self):
            built.append(self)
            return chain.fget(self)

        monkeypatch.setattr(Screen, "_binding_chain", property(counted))
        await type_keys(pilot, "abc")
        assert field.value.endswith("abc")
        assert built == []
        await pilot.press("backspace")  # the field's own editing binding (own_keys): no chain
        await pilot.pause()
        assert field.value.endswith("ab")
        assert built == []
        await pilot.press("tab")  # bound by the app: the chain is built, the binding runs
        await pilot.pause()
        assert built
        assert app.focused is not field


EDITS = ["left", "left", "backspace", "x", "home", "delete", "end", "ctrl+w", "y", "ctrl+u", "z",
         "left", "right", "backspace", "backspace", "q"]


async def _edit(make, where, monkeypatch, own: bool):
    """Type and edit in a field; what it holds after, the nodes a key bubbled to from
    it, and the keys the app looked up a binding for once they had climbed to it."""
    from textual import events
    from textual.app import App
    from textual.message import Message

    from trustdialog.ui.widgets import own_keys

    if not own:
        monkeypatch.setattr(own_keys, "EDITING_ACTIONS", frozenset())
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        field = await _to(pilot, where)
        await type_keys(pilot, "we talked")
        climbed: list[object] = []
        bubble_to, check = Message._bubble_to, App._check_bindings

        def counted_bubble(self, node):
            if isinstance(self, events.Key):
                climbed.append(node)
            return bubble_to(self, node)

        async def counted_check(self, key, priority=False):
            if not priority:
                climbed.append((self, key))
            return await check(self, key, priority)

        monkeypatch.setattr(Message, "_bubble_to", counted_bubble)
        monkeypatch.setattr(App, "_check_bindings", counted_check)
        for key in EDITS:
            await pilot.press(key)
        await pilot.pause()
        monkeypatch.undo()
        selection = field.selection
        return field.text if isinstance(field, AnswerBox) else field.value, selection, climbed


@pytest.mark.parametrize("where", ["name", "answer"])
async def test_an_editing_key_runs_in_its_field_with_the_same_result_as_textual_s_way(
        make, monkeypatch, where):
    # Textual sent Backspace, Delete, the arrows and Ctrl+U/W up through every container
    # to the app, which found the field's own binding first in the chain: a Backspace
    # cost a third more than a letter. They now run in the field, to the same effect.
    text, selection, climbed = await _edit(make, where, monkeypatch, own=True)
    plain_text, plain_selection, plain_climbed = await _edit(make, where, monkeypatch, own=False)
    assert (text, selection) == (plain_text, plain_selection)
    assert text.endswith("q") and "we talked" not in text
    assert climbed == []
    assert len([c for c in plain_climbed if isinstance(c, tuple)]) == len(EDITS) - 4  # all but the letters


async def test_an_editing_key_climbs_where_a_node_on_the_way_takes_keys_or_a_keymap_is_set(make):
    from textual.containers import Vertical

    from trustdialog.ui.widgets.own_keys import editing_bindings

    class TakesBackspace(Vertical):
        def key_backspace(self) -> None:
            pass

    class TakesKeys(Vertical):
        def on_key(self, event) -> None:
            pass

    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        field = await _to(pilot, "name")
        assert editing_bindings(field, "backspace")
        assert editing_bindings(field, "left")
        assert not editing_bindings(field, "enter")  # submits: Textual's way
        assert not editing_bindings(field, "ctrl+v")
        for wrapper in (TakesBackspace(), TakesKeys()):
            lone = AnswerInput()
            await app.screen.mount(wrapper)
            await wrapper.mount(lone)
            assert not editing_bindings(lone, "backspace")
            await wrapper.remove()
        app.set_keymap({"delete_left": "backspace"})
        assert not editing_bindings(field, "backspace")


KEYS = ["a", "z", "space", "backspace", "delete", "tab", "shift+tab", "enter", "escape", "up", "down",
        "left", "right", "home", "end", "pageup", "pagedown", "ctrl+a", "ctrl+c", "ctrl+e", "ctrl+q",
        "ctrl+r", "ctrl+s", "ctrl+t", "ctrl+u", "ctrl+w", "ctrl+x", "ctrl+z", "f1", "f2", "f4", "f8"]


async def test_a_key_skipped_as_unbound_is_bound_nowhere_in_textual_s_chain(make):
    # The shortcut is sound only if every binding Textual's chain holds for a key (with
    # that priority) is also declared on a node the key goes to: checked on the welcome
    # and its help, and on a prompt step with its help and its quit question over it.
    checked = 0
    for where, overlays in (("name", ("f1",)), ("answer", ("f1", "ctrl+q"))):
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:

            def check() -> int:
                chain = app.screen._binding_chain
                count = 0
                for key in KEYS:
                    for priority in (True, False):
                        in_chain = any(binding.priority == priority for _, bindings in chain
                                       for binding in bindings.key_to_bindings.get(key, ()))
                        if in_chain:
                            assert app._keys.may_be_bound(key, priority), (app.screen, key, priority)
                        count += 1
                return count

            await _to(pilot, where)
            await pilot.pause()
            checked += check()
            for overlay_key in overlays:
                screen = app.screen
                await pilot.press(overlay_key)
                await pilot.pause()
                assert app.screen is not screen, overlay_key
                checked += check()
                await pilot.press("escape")
                await pilot.pause()
    assert checked == 5 * len(KEYS) * 2
