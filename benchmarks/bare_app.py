"""The baseline every benchmark compares against: a bare two-pane Textual app.

Header, two panes with an Input each, Footer; nothing else. Run it directly
(`python benchmarks/bare_app.py`) the way the benchmarks launch trustdialog;
`--text-area` puts a plain TextArea in each pane instead (the baseline for the
multi-line answer box, `benchmarks/keystroke.py --where box`).
"""

import sys

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, TextArea


class BareApp(App):
    EDITOR: type[Input] | type[TextArea] = Input

    CSS = """
    Horizontal { height: 1fr; }
    Vertical { width: 1fr; border: round $primary; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="a"):
                yield self.EDITOR(placeholder="partner A", id="input-a")
            with Vertical(id="b"):
                yield self.EDITOR(placeholder="partner B", id="input-b")
        yield Footer()


if __name__ == "__main__":
    if "--text-area" in sys.argv:
        BareApp.EDITOR = TextArea
    BareApp().run()
