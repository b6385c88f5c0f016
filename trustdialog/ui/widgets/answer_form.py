"""One partner's answer to a prompt step: template blanks, picks, ratings, lists, a share box."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Static

from trustdialog.exercise.model import SLOT_RE, Field
from trustdialog.ui.widgets.answer_box import AnswerBox
from trustdialog.ui.widgets.answer_input import AnswerInput
from trustdialog.ui.widgets.rating import RatingScale
from trustdialog.ui.widgets.sentence_frame import long_row, short_row, words_between
from trustdialog.ui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from trustdialog.language import Hints

HINT_WINDOW = 4000  # only the end of a long answer is checked for wording: stays cheap


def _pieces(template: str) -> list[tuple[str, str | None]]:
    """An item template as (literal text, None) and ("", slot name) pieces."""
    escaped = template.replace("{{", "\0").replace("}}", "\1")
    out: list[tuple[str, str | None]] = []
    end = 0
    for match in SLOT_RE.finditer(escaped):
        out.append((escaped[end:match.start()], None))
        out.append(("", match.group(1)))
        end = match.end()
    out.append((escaped[end:], None))
    return [(text.replace("\0", "{").replace("\1", "}"), slot) for text, slot in out]


def share_label(other: str, shared: bool) -> Text:
    """The share box says yes or no in words: it must read without colour."""
    return safe(f"Share this with {other}: {'yes' if shared else 'no'} (space)")


def _worded(text: str) -> bool:
    """Is a trailing piece of template worth a line (more than a full stop)?"""
    return any(ch.isalnum() for ch in text)


class PickInput(AnswerInput):
    """A blank that takes a word from a vocabulary: ↓ and ↑ move among the words offered."""

    BINDINGS = [
        Binding("down", "choose(1)", "Next word", show=False),
        Binding("up", "choose(-1)", "Previous word", show=False),
    ]

    class Chosen(Message):
        def __init__(self, box: "PickInput", words: list[str]) -> None:
            super().__init__()
            self.box = box
            self.words = words

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.values: list[str] = []  # the text with each offered word in place
        self.words: list[str] = []
        self.chosen = 0

    def offer(self, choices: list[tuple[str, str]]) -> None:
        """Offer (text with the word in place, the word) pairs; the first is Input's suggestion."""
        self.values = [value for value, _word in choices]
        self.words = [word for _value, word in choices]
        self.chosen = 0

    def action_choose(self, step: int) -> None:
        if len(self.values) < 2:
            return
        self.chosen = (self.chosen + step) % len(self.values)
        # What → takes at the end of the text (Input's own suggestion, drawn dim after it).
        self._suggestion = self.values[self.chosen]
        self.post_message(self.Chosen(self, self.words))


class AddItemButton(Button):
    """The "+ another …" button under a list: it knows which list it adds to."""

    answer_key: str = ""


Keyed = TypeVar("Keyed", AnswerInput, RatingScale, AddItemButton)


def _keyed(widget: Keyed, key: str) -> Keyed:
    """Tag an input with the field (or list item slot) it answers."""
    widget.answer_key = key
    return widget


class VocabSuggester(Suggester):
    """Completes the word being typed in a pick blank (the partner may still write any word)."""

    def __init__(self, words: Iterable[str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.words = list(dict.fromkeys(words))

    async def get_suggestion(self, value: str) -> str | None:
        choices = completions(value, self.words)
        return choices[0][0] if choices else None


# The word being typed: letters (any script), digits, inner apostrophes and hyphens.
_LAST_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?[\w'’-]*$")


def complete(text: str, words: list[str], limit: int = 6) -> list[str]:
    """Vocabulary words that complete the word being typed at the end of `text`.

    "scared and unimp" offers "unimportant"; the whole text is tried first, so
    that a vocabulary entry of several words ("left out") completes as well.
    """
    from trustdialog.language import complete as language_complete

    found: list[str] = []
    for n, start in enumerate(_starts(text)):
        typed = text[start:]
        for word in language_complete(typed, words):
            # For a later word, only words that begin with it: "o" is in half of them.
            if n and not word.casefold().startswith(typed.casefold()):
                continue
            if word.casefold() != typed.casefold() and word not in found:
                found.append(word)
    return found[:limit]


def completions(text: str, words: list[str], limit: int = 6) -> list[tuple[str, str]]:
    """(`text` with its last word completed, that word), for each word `complete` offers."""
    out = []
    for word in complete(text, words, limit):
        start = next(i for i in _starts(text) if _completes(text[i:], word))
        out.append((text[:start] + word, word))
    return out


def _starts(text: str) -> list[int]:
    """Where the text being completed may begin: the whole text, then its last word."""
    if not text.strip():
        return []
    starts = [len(text) - len(text.lstrip())]
    last = _LAST_WORD.search(text)
    if last is not None and last.start() not in starts:
        starts.append(last.start())
    return starts


def _completes(typed: str, word: str) -> bool:
    from trustdialog.language import complete as language_complete

    return word in language_complete(typed, [word])


def hint_for(text: str, hints: Hints) -> str | None:
    """A gentle wording suggestion for the end of `text`, or None."""
    found = hints.first(text[-HINT_WINDOW:])
    return found.suggestion if found else None


# What the last line of a form says about keys. A form with a multi-line box
# says what Enter does there, so that nobody expects it to send.
KEYS_ONE_LINE = "Enter on the last blank, or ctrl+s, sends."
KEYS_WITH_BOX = "Enter makes a new line; Tab goes on; ctrl+s sends."


class AnswerForm(Vertical):
    """The inputs of one prompt step for one partner; ctrl+s (or Enter on a last one-line blank) sends."""

    class Send(Message):
        def __init__(self, form: "AnswerForm") -> None:
            super().__init__()
            self.form = form

    def __init__(self, state: Any, partner: str, vocab: Mapping[str, Any],
                 drafts: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.step = state.step
        self.partner = partner
        self.vocab = vocab
        self.drafts = drafts
        self.prefix = f"{self.step.id}:{state.round}:{partner}:"
        self.list_items: dict[str, int] = {}  # list field -> items shown

    # -- building ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        step, state = self.step, self.state
        other = state.names["b" if self.partner == "a" else "a"]
        name = state.names[self.partner]
        if step.private:
            yield Static(safe(f"Private: only for you, {name}; not in the summary unless you "
                              f"share it. {other}, please look away."),
                         classes="form-note private")
        elif step.by == "both" and step.hidden:
            yield Static(safe(f"Hidden until you have both answered. {other}, please look away."),
                         classes="form-note hidden")
        parts = state.template_parts
        placed = {p.name for p in parts if isinstance(p, Field)}
        before, after_blank = "", False
        for part in parts:
            if isinstance(part, str):
                before += part
                continue
            yield from self._field(part, words_between(before, after_blank))
            before, after_blank = "", True
        if _worded(before):
            yield Static(safe(words_between(before, after_blank)), classes="template-text")
        for field in step.fields:
            if field.name not in placed:
                label = field.label or ("" if len(step.fields) == 1 else field.name)
                yield from self._field(field, label, labelled=True)
        if step.private:
            shared = self._draft("shared") == "1"
            yield Checkbox(share_label(other, shared), value=shared, compact=True,
                           id=f"share-{self.partner}", classes="share")
        yield Static("", classes="form-words")
        yield Static("", classes="form-hint")
        yield Static("", classes="form-message")
        keys = KEYS_WITH_BOX if any(f.kind == "text" for f in step.fields) else KEYS_ONE_LINE
        yield Static(Text(keys, style="dim"), classes="form-keys")

    def _draft(self, key: str) -> str:
        return self.drafts.get(self.prefix + key, "")

    def _field(self, field: Field, before: str, labelled: bool = False) -> Iterable[Widget]:
        if field.kind == "rating":
            if before:
                yield Static(safe(before), classes="field-label")
            if field.label and not labelled:
                yield Static(safe(field.label), classes="field-label")
            draft = self._draft(field.name)
            yield _keyed(RatingScale(field.min, field.max, field.low, field.high,
                                     value=int(draft) if draft.isdigit() else None,
                                     classes="answer-widget"), field.name)
            return
        if field.kind == "list":
            if before and not labelled:
                yield Static(safe(before), classes="field-label")
            shown = max(1, field.min)
            for i in range(field.max):
                if any(k.startswith(f"{self.prefix}{field.name}.{i}") and v
                       for k, v in self.drafts.items()):
                    shown = max(shown, i + 1)
            self.list_items[field.name] = shown
            label = field.label or field.name
            count = f"{field.min}" if field.min == field.max else f"{field.min} to {field.max}"
            yield Static(safe(f"{label} ({count}):"), classes="field-label")
            for i in range(shown):
                yield self._list_item(field, i)
            if shown < field.max:
                # "a promise" reads "+ another promise", not "+ another a promise".
                noun = label.split(" ", 1)[1] if label.lower().startswith(("a ", "an ")) else label
                yield _keyed(AddItemButton(safe(f"+ another {noun}"), classes="add-item", compact=True,
                                    id=f"add-{self.partner}-{field.name}"), field.name)
            return
        placeholder = field.label or ("a word" if field.kind == "pick" else "write here")
        # Free text takes a few sentences (a hurt is rarely one line): a box that
        # wraps and grows. A pick is one word or two and keeps its one-line blank.
        yield self._text_row(field, field.name, before, placeholder, long=field.kind != "pick")

    def _text_row(self, field: Field, key: str, before: str, placeholder: str,
                  long: bool = False) -> Widget:
        box: AnswerInput | AnswerBox
        if long:
            box = AnswerBox(self._draft(key), placeholder=clean(placeholder), classes="answer-widget")
        else:
            suggester = None
            if field.kind == "pick" and field.vocab is not None and field.vocab in self.vocab:
                suggester = VocabSuggester(self.vocab[field.vocab].words)
            kind = PickInput if field.kind == "pick" else AnswerInput
            box = kind(value=self._draft(key), placeholder=clean(placeholder),
                       suggester=suggester, compact=True, classes="answer-widget")
            if field.kind == "pick":
                box.add_class("pick")
        box.answer_key = key
        # How the frame's words sit around the blank: see sentence_frame.
        return long_row(before, box) if long else short_row(before, box)

    def _list_item(self, field: Field, i: int) -> Widget:
        widgets: list[Widget] = [Static(Text(f"{i + 1}.", style="bold"), classes="item-number")]
        if not field.item:
            widgets.append(self._text_row(Field(name=field.name), f"{field.name}.{i}", "",
                                          field.label or field.name))
        else:
            before, after_blank = "", False
            for piece, slot in _pieces(field.item):
                if slot is None:
                    before += piece
                    continue
                widgets.append(self._text_row(Field(name=slot), f"{field.name}.{i}.{slot}",
                                              words_between(before, after_blank), "…"))
                before, after_blank = "", True
            if _worded(before):
                widgets.append(Static(safe(words_between(before, after_blank)), classes="template-text"))
        return Vertical(*widgets, classes="list-item")

    async def add_item(self, name: str) -> None:
        field = self.step.field(name)
        shown = self.list_items.get(name, 1)
        if shown >= field.max:
            return
        button = self.query_one(f"#add-{self.partner}-{name}", Button)
        item = self._list_item(field, shown)
        await self.mount(item, before=button)
        self.list_items[name] = shown + 1
        if shown + 1 >= field.max:
            button.display = False
        item.query(AnswerInput).first().focus()

    # -- reading -------------------------------------------------------------------

    def answer_widgets(self) -> list[AnswerInput | AnswerBox | RatingScale]:
        return [w for w in self.query(".answer-widget")
                if isinstance(w, (AnswerInput, AnswerBox, RatingScale))]

    def values(self) -> dict[str, Any]:
        widgets = {w.answer_key: w for w in self.answer_widgets()}
        out: dict[str, Any] = {}
        for field in self.step.fields:
            if field.kind == "rating":
                value = widgets[field.name].value
                if value is not None:
                    out[field.name] = value
            elif field.kind == "list":
                items: list[Any] = []
                for i in range(self.list_items.get(field.name, 1)):
                    if field.item:
                        items.append({slot: widgets[f"{field.name}.{i}.{slot}"].value
                                      for slot in field.item_slots})
                    else:
                        items.append(widgets[f"{field.name}.{i}"].value)
                out[field.name] = items
            else:
                out[field.name] = widgets[field.name].value
        return out

    @property
    def shared(self) -> bool:
        boxes = self.query(Checkbox)
        return bool(boxes) and boxes.first().value

    def draft_items(self) -> dict[str, str]:
        """Full draft key -> text, for every blank of this form."""
        out = {}
        for w in self.answer_widgets():
            value = w.value
            out[self.prefix + w.answer_key] = "" if value is None else str(value)
        if self.step.private:
            out[self.prefix + "shared"] = "1" if self.shared else ""
        return out

    def typed_text(self) -> str:
        return " ".join(w.value for w in self.answer_widgets()
                        if isinstance(w, (AnswerInput, AnswerBox)))

    def is_last(self, widget: Widget) -> bool:
        widgets = self.answer_widgets()
        return bool(widgets) and widgets[-1] is widget

    def focus_after(self, widget: Widget) -> None:
        widgets = self.answer_widgets()
        if widget in widgets:
            i = widgets.index(widget)
            if i + 1 < len(widgets):
                widgets[i + 1].focus()

    def focus_first(self) -> None:
        """Focus the first blank with the form shown from its top (its first question in view)."""
        widgets = self.answer_widgets()
        if widgets:
            # Not Textual's scroll on focus: it centres the widget, animated, from the
            # layout before this form was laid out, and could leave a new form scrolled
            # to its end with the first question off the top.
            widgets[0].focus(scroll_visible=False)
            self.call_after_refresh(self._show_start)

    def _show_start(self) -> None:
        # Scrolled to the end, then back as far as the form's top needs: what came
        # before it (the pane's history) fills the room a short form leaves.
        node: Widget = self
        top = 0
        while isinstance(node.parent, Widget):
            top += node.virtual_region.y  # relative to its parent
            if node.parent.is_scrollable:
                scroller = node.parent
                scroller.scroll_to(y=min(scroller.max_scroll_y, top), animate=False, immediate=True)
                return
            node = node.parent

    def _note(self, selector: str, text: Text | None) -> None:
        # Empty notes take no room: the form stays short enough for 80x24.
        note = self.query_one(selector, Static)
        note.update(text or "")
        note.display = bool(text)

    def show_message(self, text: str) -> None:
        self._note(".form-message", safe(text) if text else None)
        if text:
            self.query_one(".form-message", Static).scroll_visible(animate=False)

    def show_hint(self, text: str | None) -> None:
        self._note(".form-hint", safe(f"A thought: {text}", style="italic") if text else None)

    def show_words(self, box: PickInput, choices: list[tuple[str, str]]) -> None:
        """The words that complete the last word typed; ↓ ↑ choose one, → takes it."""
        box.offer(choices)
        self._show_choice(box, box.words)

    def _show_choice(self, box: PickInput, words: list[str]) -> None:
        if not words:
            self._note(".form-words", None)
            return
        note = Text("Words: ", style="dim")
        for i, word in enumerate(words):
            if i:
                note.append(", ", style="dim")
            note.append(f"▸{word}" if i == box.chosen else word,
                        style="bold" if i == box.chosen else "dim")
        note.append("  (↓ ↑ choose, → takes it)" if len(words) > 1 else "  (→ takes it)", style="dim")
        self._note(".form-words", note)

    @on(PickInput.Chosen)
    def _on_chosen_word(self, event: PickInput.Chosen) -> None:
        self._show_choice(event.box, event.words)

    def on_mount(self) -> None:
        for selector in (".form-words", ".form-hint", ".form-message"):
            self.query_one(selector, Static).display = False
