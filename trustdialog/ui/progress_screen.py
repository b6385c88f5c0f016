"""The progress view: follow-through over time against the 80% mark, and the session history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from trustdialog import progress
from trustdialog.text import clean
from trustdialog.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from trustdialog.exercise.model import Exercise
    from trustdialog.store.protocol import Store

INTRO = ("How the promises from \"Small promises\" went, session by session. A promise partly "
         "kept counts half. Following through about 80% of the time is enough to feel secure; "
         "nobody keeps every promise.")
NO_PROMISES = ("No promises marked yet. After a \"Small promises\" session, come back at the "
               "next check-in and mark how each one went.")
BAR, REST, GOAL_MARK = "█", "░", "┃"


def _date(at: float) -> str:
    return dt.datetime.fromtimestamp(at).strftime("%d %b %Y")


def chart(points: list[progress.Point], width: int) -> Text:
    """One bar per session of promises, with the 80% mark drawn through every bar."""
    out = Text()
    marked = [p for p in points if p.rate is not None]
    if not marked:
        return out.append(NO_PROMISES, style="italic")
    bar = max(10, width - 12 - 16)  # date label, then the bar, then the figures
    goal = round(progress.GOAL * bar)
    out.append(" " * 12 + " " * goal + "80%\n", style="dim")
    for p in marked:
        rate = p.rate or 0.0  # never None here: `marked` holds only rated points
        filled = round(rate * bar)
        out.append(f"{_date(p.made_at):<12}")
        for i in range(bar):
            if i == goal:
                out.append(GOAL_MARK, style="bold yellow")
            elif i < filled:
                out.append(BAR, style="green" if rate >= progress.GOAL else "cyan")
            else:
                out.append(REST, style="dim")
        out.append(f" {rate:4.0%}", style="bold")
        out.append(f" {p.kept}/{p.partly}/{p.not_kept}\n", style="dim")
    out.append(" " * 12 + "kept/partly/not kept per session\n", style="dim")
    return out


class FollowThroughChart(Widget):
    """The chart, redrawn to the width it is given."""

    DEFAULT_CSS = "FollowThroughChart { height: auto; }"

    def __init__(self, points: list[progress.Point], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.points = points

    def render(self) -> Text:
        return chart(self.points, self.size.width or 60)

    def get_content_height(self, container, viewport, width: int) -> int:
        # Wrapped lines, not text lines: at 80 columns the "no promises yet" note takes two.
        text = chart(self.points, width)
        text.rstrip()
        return len(text.wrap(self.app.console, max(1, width)))


class ProgressScreen(Screen):
    """Follow-through over time and every session so far; read-only."""

    DEFAULT_CSS = """
    ProgressScreen { align: center top; }
    ProgressScreen #progress-body { width: 100%; max-width: 110; padding: 1 2; }
    ProgressScreen .progress-title { text-style: bold; margin-bottom: 1; }
    ProgressScreen .progress-heading { text-style: bold; margin-top: 1; }
    ProgressScreen #progress-overall { margin-top: 1; }
    ProgressScreen #progress-history { height: auto; max-height: 16; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="progress_close"),
        Binding("c", "check_in", "Check in", id="progress_check_in"),
    ]

    def __init__(self, store: Store, owner: str | None, *,
                 exercises: Mapping[str, Exercise]) -> None:
        super().__init__()
        self.store = store
        self.owner = owner
        self.exercises = exercises

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="progress-body"):
            yield Static("Your follow-through", classes="progress-title")
            yield Static(Text(INTRO), id="progress-intro")
            yield FollowThroughChart([], id="progress-chart")
            yield Static("", id="progress-overall")
            yield Static("Sessions", classes="progress-heading")
            yield DataTable(id="progress-history", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Date", "Exercise", "Partners", "Finished")
        self.refresh_data()

    def refresh_data(self) -> None:
        found = progress.promises(self.store, self.owner, self.exercises)
        points = progress.follow_through(found)
        self.query_one(FollowThroughChart).points = points
        self.query_one(FollowThroughChart).refresh(layout=True)
        overall = progress.overall(points)
        waiting = sum(1 for p in found if p.mark is None)
        line = Text()
        if overall is not None:
            line.append(f"Overall {overall:.0%}", style="bold")
            line.append(" — at or above the 80% mark." if overall >= progress.GOAL
                        else " — below 80% for now; small, concrete promises are easier to keep.")
        if waiting:
            line.append(f"\n{waiting} promise{'s' if waiting != 1 else ''} waiting for a check-in (press c).")
        self.query_one("#progress-overall", Static).update(line)
        table = self.query_one(DataTable)
        table.clear()
        rows = progress.history(self.store, self.owner)
        for row in rows:
            names = " & ".join(clean(row.names.get(p, p)).replace("\n", " ") for p in ("a", "b"))
            table.add_row(Text(_date(row.date)), Text(clean(row.title)), Text(names),
                          Text("yes" if row.finished else "not yet"), key=row.session_id)
        if not rows:
            table.add_row(Text("No sessions yet."), Text(""), Text(""), Text(""))

    def action_close(self) -> None:
        self.dismiss()

    def action_check_in(self) -> None:
        from trustdialog.ui.checkin_screen import CheckinScreen

        self.app.push_screen(CheckinScreen(self.store, self.owner, exercises=self.exercises),
                             lambda _: self.refresh_data())
