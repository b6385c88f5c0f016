"""Editing keys a text field binds itself (Backspace, Delete, arrows, Ctrl+U) run in the field.

Textual sends a key a field does not take as a character up through every
ancestor's message queue to the app, which looks it up in the binding chain
and finds the field's own binding first (the focused widget heads the chain).
That trip (a queue hop per container, the chain built afresh, and the key
order's follow-up behind it, see trustdialog/ui/key_order.py) made a Backspace
cost a third more than a letter. Here the field runs that same binding as soon
as the key reaches it, when nothing on the way up could have taken the key
first: no node between the field and the app handles keys, and there is no
keymap. Only bindings that edit or move within the field itself are run so;
Enter, copy and paste, scrolling and anything bound elsewhere take Textual's way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.widget import Widget

from trustdialog.ui.lean import _dispatch_plan

if TYPE_CHECKING:
    from textual.dom import DOMNode

# Actions that change or move within the focused field and nothing else.
EDITING_ACTIONS = frozenset({
    "delete_left", "delete_right", "delete_left_word", "delete_right_word",
    "delete_left_all", "delete_right_all", "delete_word_left", "delete_word_right",
    "delete_to_start_of_line", "delete_to_end_of_line", "delete_to_end_of_line_or_delete_line",
    "delete_line", "cursor_left", "cursor_right", "cursor_left_word", "cursor_right_word",
    "cursor_word_left", "cursor_word_right", "cursor_up", "cursor_down",
    "home", "end", "cursor_line_start", "cursor_line_end",
})


def editing_bindings(widget: Widget, key: str) -> list[Binding]:
    """The widget's own bindings for `key`, in Textual's order, when the widget runs them
    itself (its `_on_key` calls run_own_key and it says so with `runs_own_editing_keys`),
    every one is an editing action, and nothing above the widget may take the key."""
    if not getattr(widget, "runs_own_editing_keys", False):
        return []
    bindings = [binding for binding in widget._bindings.key_to_bindings.get(key, ())
                if not binding.priority]
    if not bindings or widget.app._keymap:
        return []
    for binding in bindings:
        action = binding.action
        if "." in action or action.partition("(")[0] not in EDITING_ACTIONS:
            return []
    ancestors = tuple(type(node) for node in widget.ancestors if not isinstance(node, App))
    if not _climb_is_bare(ancestors, key):
        return []
    return bindings


def _climb_is_bare(classes: tuple[type[DOMNode], ...], key: str) -> bool:
    """Whether nodes of these classes only pass a Key on (Widget's own handler, which
    finds no key_ method for it)."""
    found = _bare_climbs.get((classes, key))
    if found is None:
        aliases = events.Key(key, None).name_aliases
        found = True
        for cls in classes:
            handlers = [method for _cls, entries in _dispatch_plan(cls, "on_key", events.Key)
                        for method, _selectors in entries]
            if any(method is not _PASS_ON for method in handlers) or any(
                    hasattr(cls, f"key_{alias}") or hasattr(cls, f"_key_{alias}")
                    for alias in aliases):
                found = False
                break
        _bare_climbs[(classes, key)] = found
    return found


_bare_climbs: dict[tuple[tuple[type, ...], str], bool] = {}
_PASS_ON = Widget._on_key  # a node's own handler for a Key that only looks for key_ methods


async def run_own_key(widget: Widget, event: events.Key) -> bool:
    """Run the widget's own editing binding for the key, as App._check_bindings would
    once the key had climbed to it; True (and the key stopped there) if one ran."""
    for binding in editing_bindings(widget, event.key):
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False
