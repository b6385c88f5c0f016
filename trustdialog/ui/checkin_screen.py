"""The check-in: the promises of earlier sessions come back, and the partners mark how each went."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, ListItem, ListView, Static

from trustdialog import progress
from trustdialog.text import clean
from trustdialog.store import KEPT, NOT_KEPT, PARTLY, StoreError
from trustdialog.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from trustdialog.exercise.model import Exercise
    from trustdialog.store.protocol import Store

INTRO = ("Here are the promises you made earlier. Together, mark how each one went. "
         "This is about noticing, not blaming: keeping most of them is plenty, and a promise "
         "that slipped is something to learn from together.")
NOTHING_OPEN = "No promises are waiting. Make some in \"Small promises\", then look back here."
ALL_DONE = "All marked. Thank you both for looking back honestly."
# How each mark reads on screen: plain and without judgement.
SHOWN = {KEPT: "kept", PARTLY: "partly kept", NOT_KEPT: "not this time"}


class PromiseItem(ListItem):
    """One promise: who made it, when, its words, and its mark once given."""

    def __init__(self, promise: progress.Promise) -> None:
        super().__init__()
        self.promise = promise
        self.mark: str | None = promise.mark

    def compose(self) -> ComposeResult:
        yield Static(self._text())

    def set_mark(self, mark: str) -> None:
        self.mark = mark
        self.query_one(Static).update(self._text())

    def _text(self) -> Text:
        p = self.promise
        when = dt.datetime.fromtimestamp(p.made_at).strftime("%d %b")
        out = Text()
        out.append(f"{clean(p.name)}, {when}: ", style="bold")
        out.append(clean(p.text).replace("\n", " "))
        # In words after a dash: square brackets would read as markup.
        out.append(f" — {SHOWN[self.mark]}" if self.mark else " — not marked yet",
                   style="bold green" if self.mark else "dim italic")
        return out


class CheckinScreen(Screen):
    """Mark each open promise kept, partly kept or not this time; dismisses with how many were marked."""

    DEFAULT_CSS = """
    CheckinScreen { align: center top; }
    CheckinScreen #checkin-body { width: 100%; max-width: 110; padding: 1 2; }
    CheckinScreen .checkin-title { text-style: bold; margin-bottom: 1; }
    CheckinScreen #checkin-list { height: auto; max-height: 14; margin: 1 0; }
    CheckinScreen #checkin-list > ListItem { padding: 0 1; }
    CheckinScreen #checkin-buttons { height: auto; }
    CheckinScreen #checkin-buttons Button { margin-right: 1; }
    CheckinScreen #checkin-note { margin-top: 1; }
    """
    BINDINGS = [
        Binding("k", "mark('kept')", "Kept", id="checkin_kept"),
        Binding("p", "mark('partly')", "Partly", id="checkin_partly"),
        Binding("n", "mark('not kept')", "Not this time", id="checkin_not_kept"),
        Binding("escape", "close", "Done", id="checkin_close"),
    ]

    def __init__(self, store: Store, owner: str | None = None, *,
                 exercises: Mapping[str, Exercise], checkin_session: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.store = store
        self.owner = owner
        self.checkin_session = checkin_session
        self.clock = clock
        self.promises = progress.open_promises(store, owner, exercises, before=checkin_session)
        self.marked = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="checkin-body"):
            yield Static("Looking back at your promises", classes="checkin-title")
            yield Static(Text(INTRO), id="checkin-intro")
            if self.promises:
                yield ListView(*[PromiseItem(p) for p in self.promises], id="checkin-list")
                with Horizontal(id="checkin-buttons"):
                    yield Button("Kept (k)", id="mark-kept", variant="success")
                    yield Button("Partly (p)", id="mark-partly")
                    yield Button("Not this time (n)", id="mark-not-kept")
                    yield Button("Done (esc)", id="checkin-done", variant="primary")
            yield Static(Text("" if self.promises else NOTHING_OPEN, style="italic"), id="checkin-note")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.promises:
            self.query_one(ListView).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        marks = {"mark-kept": KEPT, "mark-partly": PARTLY, "mark-not-kept": NOT_KEPT}
        if event.button.id in marks:
            self.action_mark(marks[event.button.id])
        elif event.button.id == "checkin-done":
            self.action_close()

    def action_mark(self, mark: str) -> None:
        """Mark the highlighted promise, then move on to the next one not yet marked."""
        if not self.promises:
            return
        view = self.query_one(ListView)
        item = view.highlighted_child
        if not isinstance(item, PromiseItem):
            return
        p = item.promise
        try:
            self.store.set_mark(p.session_id, p.key, mark, at=self.clock(),
                                checkin_session=self.checkin_session)
        except StoreError as error:
            self.notify(" ".join(str(error).split()), title="Check-in", severity="warning")
            return
        if item.mark is None:
            self.marked += 1
        item.set_mark(mark)
        items = list(view.query(PromiseItem))
        later = [i for i, it in enumerate(items) if it.mark is None]
        note = self.query_one("#checkin-note", Static)
        if later:
            view.index = next((i for i in later if i > items.index(item)), later[0])
            note.update("")
        else:
            note.update(Text(ALL_DONE, style="italic"))
        view.focus()

    def action_close(self) -> None:
        self.dismiss(self.marked)
