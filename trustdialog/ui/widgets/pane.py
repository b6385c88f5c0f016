"""One partner's pane: who they are, whether they have the floor, what they said, what to do."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from trustdialog.ui.widgets.safe_text import clean, safe

HIDDEN_NOTE = "answered, hidden until both have answered"


class ActionArea(Vertical):
    """What the partner can do now; ↑ ↓ walk its choice buttons (Tab works too), or scroll the pane."""

    BINDINGS = [
        Binding("up", "step(-1)", show=False),
        Binding("down", "step(1)", show=False),
    ]

    def action_step(self, delta: int) -> None:
        focused = self.screen.focused
        choices = list(self.query(".choice"))
        if focused in choices:
            choices[(choices.index(focused) + delta) % len(choices)].focus()
        elif isinstance(self.parent, VerticalScroll):
            if delta < 0:
                self.parent.scroll_up()
            else:
                self.parent.scroll_down()


class PartnerPane(Vertical):
    """Partner A's (left) or B's (right) pane; `-floor` marks the one who acts now."""

    def __init__(self, partner: str, **kwargs: Any) -> None:
        super().__init__(id=f"pane-{partner}", **kwargs)
        self.partner = partner
        # What is drawn now: redrawing only what changed keeps a turn cheap, and
        # leaves the other partner's half-typed answer alone.
        self.history_shown: tuple | None = None
        self.action_shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="badge")
        # What was said and what to do now scroll together: one scrollbar, and the
        # history takes whatever room the action leaves (see follow_newest).
        with VerticalScroll(classes="body", can_focus=False):
            yield Vertical(classes="history")
            yield ActionArea(classes="action")

    @property
    def action(self) -> ActionArea:
        return self.query_one(ActionArea)

    def show_status(self, state: Any, later: bool = False) -> None:
        """Title, badge and border for this partner at this moment.

        `later`: at one screen, this partner answers the hidden step after the other.
        """
        p = self.partner
        name = clean(state.names[p])
        role = state.roles[p]
        on_floor = p in state.floor and not later
        done = p in state.answered
        self.set_class(on_floor, "-floor")
        self.set_class(not on_floor, "-waiting")
        self.border_title = Text(f"{'A' if p == 'a' else 'B'} · {name}")
        if on_floor:
            badge = Text(f" ▶ YOUR TURN · {role} ", style="bold reverse")
            self.border_subtitle = Text("▶ your turn")
        elif later:
            badge = Text(f" next · {role} ", style="italic")
            self.border_subtitle = Text("next")
        elif done:
            badge = Text(f" ✓ answered · {role} ", style="bold")
            self.border_subtitle = Text("answered")
        else:
            badge = Text(f" listening · {role} ", style="italic")
            self.border_subtitle = Text("listening")
        self.query_one(".badge", Static).update(badge)

    async def show_history(self, state: Any) -> None:
        """What this partner has said in this exercise (sealed answers stay covered)."""
        history = self.query_one(".history", Vertical)
        said = [a for a in state.visible_answers(self.partner) if a.partner == self.partner]
        shown = tuple((a.step, a.round, a.sealed, a.text) for a in said)
        if shown == self.history_shown:
            return
        self.history_shown = shown
        await history.remove_children()
        lines = []
        for answer in said:
            line = Text()
            # The step's label, never its id; in a partner's own pane a step without
            # one needs no name at all (whose words they are is the pane's title).
            label = " ".join(state.exercise.step(answer.step).label.split())
            if label:
                line.append(clean(label), style="bold")
            if answer.round > 1 or state.exercise.rounds > 1:
                line.append(f"{' ' if label else ''}(round {answer.round})", style="dim")
            if line:
                line.append(": ")
            if answer.sealed:
                line.append(HIDDEN_NOTE, style="italic")
            else:
                if answer.private:
                    line.append("(private" + (", shared" if answer.shared else "") + ") ",
                                style="italic")
                line.append(clean(answer.text))
            lines.append(Static(line, classes="said"))
        # Nothing said yet takes no room (80x24 is tight).
        history.set_class(not lines, "-empty")  # a class, so a screen's rule may fold it too
        await history.mount_all(lines)
        self.follow_newest()

    def follow_newest(self) -> None:
        """Once laid out, show the newest answer and what to do now, from its top."""
        self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        body = self.query_one(".body", VerticalScroll)
        # The end, unless the action is taller than the pane: then the action's top
        # (a form opens at its first question, not at its end).
        top = self.action.virtual_region.y
        body.scroll_to(y=min(body.max_scroll_y, top), animate=False, immediate=True)

    def comes_next(self, state: Any) -> Text:
        """The folded pane of the partner who answers a hidden step after the other."""
        other = state.names["b" if self.partner == "a" else "a"]
        return safe(f"{other} answers now; {state.names[self.partner]}, your turn comes next.",
                    style="italic")

    def guide(self, state: Any) -> Text:
        """What this partner is asked to do while the other has the floor."""
        step = state.step
        role = state.roles[self.partner]
        other = state.names["b" if self.partner == "a" else "a"]
        if self.partner in state.answered:
            return safe(f"You have answered. Waiting for {other}.", style="italic")
        text = (step.guide if step is not None and step.guide else None) \
            or state.exercise.guides.get(role) or "Listen to understand."
        return safe(state.fill(text), style="italic")
