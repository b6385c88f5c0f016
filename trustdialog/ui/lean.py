"""What a key costs: Textual work this app does not need on a keystroke, left out at the app's level.

Measured with benchmarks/key_cost.py (CPU per key, in-process, drawing for real);
each saving has a test in tests/ui/test_key_cost.py that counts the work it
leaves out.

* `LeanCompositor` (every screen's compositor, see `lighten`): for a partial
  update Textual renders every widget whose *container* overlaps the changed
  rows, and renders all of its lines, then keeps only the changed rows. A key
  in a name field changed one row and re-rendered eleven widgets in full (the
  footer at the bottom included). Here only the widgets that show on a changed
  row render, and only those rows; a container wholly behind the box or the
  field there is not rendered at all. The same lines reach the terminal.
* `keep_styles` (the answer box and the one-line blanks): TextArea re-reads
  its colours from the stylesheet (six component styles and an ancestor
  walk) before every frame, and every refresh of a widget drops its cache of
  component styles, so each key paid for a style recomputation. Colours change only when styles do (focus,
  theme, classes: the app calls `styles_changed` from `update_styles`, the
  one door of class and pseudo-class changes, and Textual calls the widget's
  `notify_style_update` for its own rules); this app never sets a colour
  inline. So the colours are read again only then.
* `short_bubbles`: a key in the answer box sends Changed and SelectionChanged
  up through every container to the app, a trip through each one's message
  queue though none of them handles it (34 dispatches a key, now 18). A
  message (not a key or mouse event) now goes straight to the next node that
  has a handler for it, or that would drop or mark it on the way; the same
  handlers run.
* `counted_once` (every callback Textual runs): Textual asks how many arguments
  a callback takes before each call, and `call_later`, `call_next` and
  `call_after_refresh` wrap the callback in a new `functools.partial` every
  time, so each of those calls read the function's signature afresh
  (`inspect.signature`, about 25 microseconds). The count is kept on the
  function inside the partial, as Textual already keeps it on a plain one.
* `planned_dispatch` (every message every node handles, and the idle look after
  each): Textual finds a message's handlers by walking the node's classes
  (twenty-odd for a widget) and each one's handler table, per message. Which
  classes have a handler for a message class is fixed once the classes exist,
  so it is worked out once per (node class, message class, handler name); what
  depends on the message itself (a handler's CSS selector, a handler that
  prevents the default) is still looked at per message.

Two more live where the keys go: the app's `_check_bindings` (a key no node
binds is not looked up in Textual's binding chain) and
trustdialog/ui/widgets/own_keys.py (Backspace, Delete, the arrows and Ctrl+U
run the field's own binding in the field, not after a climb to the app).
"""

from __future__ import annotations

from typing import Any, Callable, cast

from rich.text import Text
from textual._compositor import Compositor
from textual.geometry import Region
from textual.events import Event
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.strip import Strip

from textual.widget import Widget


class LeanCompositor(Compositor):
    """A compositor whose partial updates render only the rows that changed, of only
    the widgets that show there."""

    def _render_chops(self, crop: Region, is_rendered_line: Callable[[int], bool]) -> Any:
        if crop == self.size.region:
            return super()._render_chops(crop, is_rendered_line)
        # Textual's own code (above) renders every widget whose container overlaps
        # `crop`, all its rows, and drops what is outside the crop or behind. Here the
        # chops are filled front to back as there (the first strip for a cut wins),
        # but a widget renders only the crop's rows, and not at all when every chop
        # of it that reaches into the crop is filled already: it is behind what was
        # drawn there. Chops wholly outside the crop are never written out.
        cuts = self.cuts
        left, right = crop.x, crop.right
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            if not crop.overlaps(visible):
                continue
            y1, y2 = max(visible.y, top), min(visible.bottom, bottom)
            first_cut, last_cut = visible.column_span
            # Per row it shows on: the cuts it fills (its own edges are cuts).
            rows = [(y, [cut for cut in cuts[y] if first_cut <= cut <= last_cut])
                    for y in range(y1, y2) if is_rendered_line(y)]
            if all(chops[y][cut] is not None for y, row_cuts in rows
                   for cut, end in zip(row_cuts, row_cuts[1:]) if cut < right and end > left):
                continue
            strips = widget.render_lines(
                Region(visible.x - region.x, y1 - region.y, visible.width, y2 - y1))
            for y, row_cuts in rows:
                chops_line = chops[y]
                pieces = strips[y - y1].divide([cut - first_cut for cut in row_cuts[1:]])
                for cut, piece in zip(row_cuts, pieces):
                    if chops_line[cut] is None:
                        chops_line[cut] = piece
        return chops


def lighten(screen: Screen[Any]) -> Screen[Any]:
    """Give `screen` the lean compositor (before it is first arranged; nothing else changes)."""
    compositor = screen._compositor
    if type(compositor) is Compositor:
        compositor.__class__ = LeanCompositor
    return screen


_style_changes = 0  # bumped on every class, pseudo-class or stylesheet change in the app


def styles_changed() -> None:
    """Some node's classes or the stylesheet changed: text areas read their colours again."""
    global _style_changes
    _style_changes += 1


class _KeptStyles:
    """Per text area: what its colours were last read for."""

    __slots__ = ("theme", "changes")

    def __init__(self) -> None:
        self.theme: object = None  # a text area's TextAreaTheme the colours were read into
        self.changes = -1  # the value of _style_changes then


def keep_styles(cls: type[Widget]) -> None:
    """Make `cls` read its colours once per style change, not once per frame (for a
    TextArea, its theme's colours too)."""
    from textual.widgets import TextArea

    if getattr(cls, "_lean_kept_styles", False):
        return
    text_area = issubclass(cls, TextArea)
    if text_area and cls.render_lines is not TextArea.render_lines:
        return  # the class draws its own way: left alone
    # For a TextArea, ScrollView's render_lines: TextArea's without the stylesheet read in front.
    base_render_lines: Callable[[Widget, Region], list[Strip]] = (
        super(TextArea, TextArea).render_lines if text_area else cls.render_lines)  # type: ignore[assignment]
    base_refresh = cls.refresh
    base_notify = cls.notify_style_update

    def render_lines(self: Widget, crop: Region) -> list[Strip]:
        kept = _kept(self)
        theme = getattr(self, "_theme", None) if text_area else None
        if kept.theme is not theme or kept.changes != _style_changes:
            # An ancestor's class may have changed the colours without touching this
            # widget's own rules (Textual then skips notify_style_update here).
            self._rich_style_cache.clear()
            # A box just removed (a turn from elsewhere moved the step on) may still be
            # in the last arrangement for one frame; removal dropped its component
            # styles, so there are no colours to read: it draws as it was.
            if theme is not None and self._component_styles:
                theme.apply_css(cast(TextArea, self))
            kept.theme, kept.changes = theme, _style_changes
        return base_render_lines(self, crop)

    def refresh(self: Widget, *regions: Region, **kwargs: Any) -> Any:
        # Textual's refresh clears the component-style cache on every repaint; a
        # repaint for new text changes no colour, so the cache is kept across it.
        cache = self._rich_style_cache
        self._rich_style_cache = {}
        try:
            return base_refresh(self, *regions, **kwargs)
        finally:
            self._rich_style_cache = cache

    def notify_style_update(self: Widget) -> None:
        _kept(self).changes = -1
        base_notify(self)

    cls.render_lines = render_lines  # type: ignore[method-assign]
    cls.refresh = refresh  # type: ignore[method-assign]
    cls.notify_style_update = notify_style_update  # type: ignore[method-assign]
    cls._lean_kept_styles = True  # type: ignore[attr-defined]


def _kept(widget: Widget) -> _KeptStyles:
    kept: _KeptStyles | None = widget.__dict__.get("_lean_styles")
    if kept is None:
        kept = widget.__dict__["_lean_styles"] = _KeptStyles()
    return kept


def quiet_static_updates() -> None:
    """Make Static.update skip what cannot change: a layout when its size is fixed, all
    work when the content is the same."""
    from textual.widgets import Static

    if getattr(Static, "_lean_quiet", False):
        return
    base_update = Static.update

    def update(self: Static, content: Any = "", *, layout: bool = True) -> None:
        old = self.content
        # The same text again: nothing to draw. An object is compared only with
        # another one (the caller may have changed this one in place).
        if type(content) is type(old) and content == old and (
                isinstance(content, str) or (isinstance(content, Text) and content is not old)):
            return
        if layout and not self.styles.auto_dimensions:
            layout = False  # its size does not follow its content: only it is redrawn
        base_update(self, content, layout=layout)

    Static.update = update  # type: ignore[method-assign]
    Static._lean_quiet = True  # type: ignore[attr-defined]


_installed = False


def install() -> None:
    """Apply the savings to the app's text widgets (once; cheap to call again)."""
    global _installed
    if _installed:
        return
    from trustdialog.ui.widgets.answer_box import AnswerBox
    from trustdialog.ui.widgets.answer_input import AnswerInput

    keep_styles(AnswerBox)
    keep_styles(AnswerInput)
    quiet_static_updates()
    short_bubbles()
    counted_once()
    planned_dispatch()
    _installed = True


def _handles(pump_class: type, message_class: type) -> bool:
    """Whether a node of `pump_class` may do anything with a `message_class` it is sent:
    a handler for it (decorated or named), or its own way of taking messages."""
    key = (pump_class, message_class)
    found = _handler_cache.get(key)
    if found is None:
        message_mro = [c for c in message_class.__mro__ if issubclass(c, Message)]
        method_name = message_class.handler_name  # type: ignore[attr-defined]
        found = False
        for cls in pump_class.__mro__:
            if cls is MessagePump:
                break
            own = cls.__dict__
            decorated = own.get("_decorated_handlers")
            if (decorated and any(decorated.get(m) for m in message_mro)) or (
                    own.get(f"_{method_name}") or own.get(method_name)
                    or "_on_message" in own or "_dispatch_message" in own):
                found = True
                break
        _handler_cache[key] = found
    return found


_handler_cache: dict[tuple[type, type], bool] = {}


def short_bubbles() -> None:
    """Make a bubbling message (not an event) skip the ancestors that have nothing to do
    with it."""
    if getattr(Message, "_lean_short", False):
        return
    base_bubble_to = Message._bubble_to

    def bubble_to(self: Message, widget: MessagePump) -> None:
        if isinstance(self, Event):
            base_bubble_to(self, widget)  # keys and the mouse: Textual's own path
            return
        node = widget
        message_class = type(self)
        # A node is passed over only where being sent the message would do nothing
        # but send it on: no handler, nothing that drops or marks it on the way.
        while (not _handles(type(node), message_class) and not node._disabled_messages
               and not node._get_prevented_messages() and not node._next_callbacks
               and not node._closing and not node._closed):
            # What MessagePump._on_message does after its (here, no) handlers ran.
            parent = node._parent
            if parent is None or self._stop_propagation or not self.bubble:
                return
            if self._sender is not None and self._sender == parent:
                self.stop()
            if not (node.is_parent_active and node.is_attached):
                return
            node = parent
        base_bubble_to(self, node)

    Message._bubble_to = bubble_to  # type: ignore[method-assign]
    Message._lean_base_bubble_to = base_bubble_to  # type: ignore[attr-defined]
    Message._lean_short = True  # type: ignore[attr-defined]


def counted_once() -> None:
    """Make the argument count of a callback in a `partial` come from the count kept on
    the function inside it, not a fresh `inspect.signature` each call."""
    from functools import partial

    from textual import _callback

    if getattr(_callback, "_lean_counted", False):
        return
    base_count = _callback.count_parameters

    def count_parameters(func: Callable[..., Any]) -> int:
        if isinstance(func, partial):
            # What Textual computes for a partial, from the inner function's count
            # (which Textual keeps on that function, or on a bound method's function).
            return base_count(func.func) - (len(func.args) + len(func.keywords))
        return base_count(func)

    # _invoke looks the name up in its module at each call.
    _callback.count_parameters = count_parameters
    _callback._lean_counted = True  # type: ignore[attr-defined]


# (node class, handler name, message class) -> per class with handlers for it, in MRO
# order: the class, and each handler (its function, and its selectors where it has any).
_Plan = tuple[tuple[type, tuple[tuple[Any, Any], ...]], ...]
_dispatch_plans: dict[tuple[type, str, type], _Plan] = {}


def _dispatch_plan(pump_class: type, method_name: str, message_class: type) -> _Plan:
    """What Textual's MessagePump._get_dispatch_methods looks at, class by class, that does
    not depend on the message: decorated handlers first, then the one named by convention."""
    key = (pump_class, method_name, message_class)
    plan = _dispatch_plans.get(key)
    if plan is None:
        message_mro = [c for c in message_class.__mro__ if issubclass(c, Message)]
        found = []
        for cls in pump_class.__mro__:
            entries: list[tuple[Any, Any]] = []
            decorated = cls.__dict__.get("_decorated_handlers")
            if decorated:
                for handled in message_mro:
                    entries.extend(decorated.get(handled, []))
            method = cls.__dict__.get(f"_{method_name}") or cls.__dict__.get(method_name)
            if method is not None and not getattr(method, "_textual_on", None):
                entries.append((method, None))
            if entries:
                found.append((cls, tuple(entries)))
        plan = _dispatch_plans[key] = tuple(found)
    return plan


def planned_dispatch() -> None:
    """Make a node find a message's handlers from a plan made once per (node class,
    handler name, message class), with Textual's own rules applied per message."""
    from textual.css.match import match
    from textual.message_pump import OnNoWidget

    if getattr(MessagePump, "_lean_planned", False):
        return

    def get_dispatch_methods(self: MessagePump, method_name: str, message: Message) -> Any:
        # Textual's MessagePump._get_dispatch_methods, with the walk over every class
        # and its handler tables replaced by the plan (classes with nothing are left out
        # of it; Textual's check of prevent_default before each class stays).
        dispatched: set[Any] = set()
        for cls, entries in _dispatch_plan(type(self), method_name, type(message)):
            if message._no_default_action:
                break
            for method, selectors in entries:
                if selectors is None:  # the handler named by convention
                    yield cls, method.__get__(self, cls)
                    continue
                if method in dispatched:
                    continue
                if not selectors:
                    yield cls, method.__get__(self, cls)
                    dispatched.add(method)
                    continue
                if not message._sender:
                    continue
                for attribute, selector in selectors.items():
                    node = getattr(message, attribute)
                    if node is None:
                        break
                    if not isinstance(node, Widget):
                        raise OnNoWidget(
                            f"on decorator can't match against {attribute!r} as it is not a widget.")
                    if not match(selector, node):
                        break
                else:
                    yield cls, method.__get__(self, cls)
                    dispatched.add(method)

    base = MessagePump._get_dispatch_methods
    MessagePump._get_dispatch_methods = get_dispatch_methods  # type: ignore[method-assign]
    MessagePump._lean_base_get_dispatch_methods = base  # type: ignore[attr-defined]
    MessagePump._lean_planned = True  # type: ignore[attr-defined]
