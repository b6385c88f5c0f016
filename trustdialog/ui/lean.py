"""What a key costs: Textual work this app does not need on a keystroke, left out at the app's level.

Measured with benchmarks/key_cost.py (CPU per key, in-process, drawing for real);
each saving has a test in tests/ui/test_key_cost.py that counts the work it
leaves out.

* `LeanCompositor` (every screen's compositor, see `lighten`): for a partial
  update Textual renders every widget whose *container* overlaps the changed
  rows, and renders all of its lines, then keeps only the changed rows. A key
  in a name field changed one row and re-rendered eleven widgets in full (the
  footer at the bottom included). Here only the widgets that cover a changed
  row render, and only those rows: the same lines reach the terminal.
* `keep_styles` (the answer box and the one-line blanks): TextArea re-reads
  its colours from the stylesheet (six component styles and an ancestor
  walk) before every frame, and every refresh of a widget drops its cache of
  component styles, so each key paid for a style recomputation. Colours change only when styles do (focus,
  theme, classes: the app calls `styles_changed` from `update_styles`, the
  one door of class and pseudo-class changes, and Textual calls the widget's
  `notify_style_update` for its own rules); this app never sets a colour
  inline. So the colours are read again only then.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, cast

from rich.text import Text
from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

from textual.widget import Widget


class LeanCompositor(Compositor):
    """A compositor whose partial updates render only the rows that changed."""

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None or crop == self.size.region:
            yield from super()._get_renders(crop)
            return
        # Textual's own code (above) also lays out the rows outside `crop` and drops them.
        # Narrowing each clip to the crop's rows keeps `_render_chops` exact: it places
        # strips from the top of region & clip, which is now the first changed row.
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            if not crop.overlaps(visible):
                continue
            y1, y2 = max(visible.y, top), min(visible.bottom, bottom)
            narrowed = Region(visible.x, y1, visible.width, y2 - y1)
            yield region, narrowed, widget.render_lines(
                Region(narrowed.x - region.x, narrowed.y - region.y, narrowed.width, narrowed.height))


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
    _installed = True
