"""The baseline for the answer box: the bare two-pane app with a plain Textual TextArea in each pane.

Header, two panes with a TextArea each, Footer; nothing else. benchmarks/keystroke.py
compares trustdialog's multi-line answer box against it (`--where box`).
"""

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, TextArea


class BareTextAreaApp(App):
    CSS = """
    Horizontal { height: 1fr; }
    Vertical { width: 1fr; border: round $primary; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="a"):
                yield TextArea(placeholder="partner A", id="input-a")
            with Vertical(id="b"):
                yield TextArea(placeholder="partner B", id="input-b")
        yield Footer()


if __name__ == "__main__":
    BareTextAreaApp().run()
