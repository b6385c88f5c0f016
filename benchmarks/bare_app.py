"""The baseline every benchmark compares against: a bare two-pane Textual app.

Header, two panes with an Input each, Footer; nothing else. Run it directly
(`python benchmarks/bare_app.py`) the way the benchmarks launch trustdialog.
"""

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input


class BareApp(App):
    CSS = """
    Horizontal { height: 1fr; }
    Vertical { width: 1fr; border: round $primary; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="a"):
                yield Input(placeholder="partner A", id="input-a")
            with Vertical(id="b"):
                yield Input(placeholder="partner B", id="input-b")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
