"""The end: both partners' words step by step, a gentle close, export, back to the picker."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from trustdialog.ui.messages import ChooseAnother
from trustdialog.ui.widgets.key_footer import KeyFooter
from trustdialog.ui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from trustdialog.session import Session
    from trustdialog.ui.app import TrustDialogApp

CLOSE = (
    "Thank you both. Listening without defending and speaking without blaming are hard, and "
    "you did both. Take a moment before you move on; there is no need to solve anything now."
)
CHECK_IN = (
    "Your promises are kept with this session. The next time you open this exercise it "
    "begins by asking how each one went; Progress (F4) shows them, and how they went, "
    "at any time. A week is a good time to come back to them."
)
ENDED_EARLY = (
    "You stopped before the end, and that is fine. Stopping when it is too much is a skill "
    "too. You can come back to this another time."
)


def transcript(state: Any) -> Text:
    """Public answers, step by step, each with who said it."""
    out = Text()
    last_round = None
    for answer in state.transcript():
        if state.exercise.rounds > 1 and answer.round != last_round:
            out.append(f"\nRound {answer.round}\n", style="bold underline")
            last_round = answer.round
        name = clean(state.names[answer.partner])
        label = " ".join(state.exercise.step(answer.step).label.split())  # never the step id
        out.append(f"{name} ({answer.role}), {clean(label)}: " if label else f"{name} ({answer.role}): ",
                   style="bold")
        out.append(clean(answer.text) + "\n")
    if not out:
        out.append("No written answers in this session.", style="italic")
    return out


class SummaryScreen(Screen):
    """What was said, a gentle close, and what to do next."""

    BINDINGS = [
        Binding("e", "export", "Export", id="export"),
        Binding("p", "picker", "Another exercise", id="picker"),
        # In the footer where there is room (the key line drops it first at 80 columns;
        # the check-in note above says F4 in words).
        Binding("f4", "progress", "Progress", id="progress"),
    ]

    @property
    def trust(self) -> TrustDialogApp:
        return cast("TrustDialogApp", self.app)

    @property
    def session(self) -> Session:
        session = self.trust.session
        assert session is not None, "the summary is shown only for a session"
        return session

    def compose(self) -> ComposeResult:
        state = self.session.state
        with VerticalScroll(id="summary"):
            yield Static(safe(f"{state.exercise.title}: done", style="bold"), id="summary-title")
            yield Static(Text(ENDED_EARLY if state.ended_early else CLOSE), classes="para close")
            yield Static(transcript(state), id="transcript")
            if state.exercise.promises:
                yield Static(Text(CHECK_IN), classes="para")
            from trustdialog.ui.screens.exercise import saving_note

            # Saving stopped on the way here: say so, and export offers a path that can be written.
            note = saving_note(self.session)
            yield Static(note or "", id="export-note", classes="note")
            with Horizontal(classes="buttons"):
                yield Button("Export (e)", id="export")
                yield Button("Another exercise (p)", id="another", variant="primary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#another", Button).focus(scroll_visible=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.action_export()
        elif event.button.id == "another":
            self.action_picker()

    def action_progress(self) -> None:
        from trustdialog.ui.progress_screen import ProgressScreen

        app = self.trust
        app.push_screen(ProgressScreen(app.store, None if app.sees_everyone else app.owner,
                                       exercises=app.library.exercises))

    def action_picker(self) -> None:
        self.post_message(ChooseAnother())

    def action_export(self) -> None:
        session = self.session
        if session.warning:
            from trustdialog.ui.overlays.save_elsewhere import SaveElsewhereScreen

            self.trust.push_screen(SaveElsewhereScreen(session), self._copied)
            return
        note = self.query_one("#export-note", Static)
        note.update(safe(self._export()))

    def _copied(self, path: str | None) -> None:
        if path is not None:
            self.query_one("#export-note", Static).update(safe(f"Saved to {path}"))

    def _export(self) -> str:
        app = self.trust
        session = self.session
        if app.no_save or not session.persistent:
            return "Saving is off, so nothing is written to disk."
        from trustdialog.export import to_markdown
        from trustdialog.locations import data_dir, ensure_private_dir

        try:
            folder = ensure_private_dir(Path(data_dir(app.data_dir)) / "exports")
            path = folder / f"{session.id}.md"
            text = to_markdown(session.store.info(session.id), session.state, session.events)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
        except Exception as error:  # promise: a failed export is one calm line, never a crash
            return f"Could not export: {' '.join(str(error).split())}"
        return f"Saved to {path}"
