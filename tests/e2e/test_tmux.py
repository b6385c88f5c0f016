"""The installed `trustdialog` command in a real terminal (tmux), used as a new user would.

A shell runs in a private tmux server; the test types `trustdialog`, then keys,
and reads the screen back with `capture-pane` after each stage. Every wait polls
the screen with a time limit; nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tmux import TmuxError, TmuxSession, installed_command

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 100, 30
EXERCISE = "When it happened, I felt"
WAIT = 30.0  # seconds; generous for a loaded CI machine, never slept through when all is well
# What a person voicing a hurt writes: three sentences, about 300 characters.
LONG_CONCERN = ("On Friday you told me you would be home by seven, and you walked in after ten "
                "without a call or a text. I kept the dinner warm and checked my phone every few "
                "minutes, picturing an accident on the way. When you came in and said it was "
                "nothing, I felt that I did not matter to you at all that night.")
CONCERN = ("On Friday you said you would be home by seven, and you came in after ten. "
           "I sat by the window and kept checking my phone. "
           "I felt I did not matter to you that night.")


class Terminal:
    """A shell in tmux with `trustdialog` on its PATH, and the steps people take in the app."""

    def __init__(self, data_dir: Path, width: int = WIDTH, height: int = HEIGHT) -> None:
        command = installed_command()
        if not command.exists():
            raise TmuxError(f"{command} is not installed (pip install the project first)")
        self.tmux = TmuxSession(width, height, env={
            "TRUSTDIALOG_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color", "PATH": f"{command.parent}:/usr/bin:/bin",
            "HOME": str(data_dir), "PS1": "$ ",
        })
        self.tmux.start(["bash", "--norc", "--noprofile"], cwd=data_dir)
        self.tmux.wait_for("$", WAIT)

    def kill(self) -> None:
        self.tmux.kill()

    # -- reading ---------------------------------------------------------------

    def wait_for(self, text, timeout: float = WAIT, gone: bool = False) -> str:
        return self.tmux.wait_for(text, timeout, gone=gone)

    def keys(self, *keys: str) -> None:
        """Press keys one at a time, letting the app settle after each (see TmuxSession.settle)."""
        for key in keys:
            self.tmux.send(key)
            self.tmux.settle()

    def type(self, text: str) -> None:
        self.tmux.type(text)

    def press(self, key: str) -> None:
        """Press a key that changes the screen, and wait until it has (then until it settles).

        A typed letter lands at once, but Enter, Tab or an arrow act after the
        key has bubbled up from the focused widget: typing on before the screen
        shows the move would put letters in the wrong place.
        """
        before = steady(self.tmux.screen(styles=True))
        self.tmux.send(key)
        self.wait_for(lambda _: steady(self.tmux.screen(styles=True)) != before)
        self.tmux.settle()

    # -- the steps -------------------------------------------------------------

    def launch(self, wait: bool = True) -> str:
        """Start the app; without `wait`, go on at once (keys typed while it starts)."""
        self.type("trustdialog")
        self.tmux.send("Enter")
        return self.wait_for("not therapy") if wait else ""

    def names(self, a: str, b: str) -> None:
        """Type both names on the welcome screen as a quick typist does: no pause between keys.

        The default name is selected when its field takes the focus, so typing
        replaces it; Tab moves on, Enter after the second name opens the picker.
        """
        self.tmux.type(a)
        self.tmux.send("Tab")
        self.tmux.type(b)
        self.wait_for(lambda s: [text for _focused, text in name_fields(s)] == [a, b])
        self.tmux.send("Enter")

    def pick(self, title: str) -> None:
        """Walk the picker until the preview shows `title`, then begin it."""
        self.wait_for("Choose an exercise")
        preview = re.compile(r"│ " + re.escape(title) + r" +│")
        self.keys("Home")
        for _ in range(40):
            try:
                self.wait_for(preview.search, timeout=1.5)
                break
            except TmuxError:
                self.keys("Down")
        else:
            raise TmuxError(f"{title!r} is not in the picker:\n{self.tmux.screen()}")
        self.keys("Enter")

    def ready(self) -> None:
        """Both partners answer "is now a good time?" with yes."""
        self.wait_for("Is now a good time for both of you?")
        self.keys("Enter")  # a: yes, now is good
        self.wait_for("✓ ready")
        self.keys("Enter")  # b: yes
        self.wait_for(lambda s: "YOUR TURN" in s)

    def turn(self, name: str, prompt: str) -> str:
        """Wait until `name` has the floor on a step whose prompt contains `prompt`."""
        def ready(screen: str) -> bool:
            return (prompt.lower() in flat(screen).lower()
                    and f"─ {name} ─" in screen.replace("━", "─"))
        return self.wait_for(ready)

    def answer(self, *blanks: str) -> None:
        """Fill the blanks of the focused form in order: Tab goes to the next, ctrl+s sends.

        Free-text answers are multi-line boxes, where Enter is a new line, so
        ctrl+s sends (Enter still sends from a last blank of one line, a feeling).
        """
        self.focused_form()
        for i, text in enumerate(blanks):
            tail = text[-12:]
            before = by_pane(self.tmux.screen()).count(tail)
            self.type(text)
            self.wait_for(lambda s: by_pane(s).count(tail) > before)
            self.press("Tab" if i + 1 < len(blanks) else "C-s")

    def focused_form(self) -> None:
        """Wait until the form is drawn and its first blank has the focus.

        The form is built and focused just after the prompt shows; letters typed
        before that would be lost. A focused box says "ctrl+s sends" under it.
        """
        self.wait_for(lambda s: "ctrl+s sends" in s or "Enter on the last blank" in flat(s))
        self.tmux.settle()

    def choose(self, label: str) -> None:
        """Press the choice button whose label starts with `label` (Down walks the choices)."""
        self.tmux.settle()  # the buttons are drawn and focused after the prompt
        for _ in range(6):
            if self._focused(label):
                break
            self.press("Down")
        else:
            raise TmuxError(f"no choice {label!r} to focus:\n{self.tmux.screen()}")
        self.press("Enter")

    def _focused(self, label: str) -> bool:
        # The focused choice is drawn in reverse video; read the pane with its attributes.
        # Each pane may show a choice of that label (a "both" step), on rows of their own
        # when the panes' histories differ in length: any of them may be the focused one.
        return any(re.search(r"\x1b\[(?:[0-9;]*;)?7[;m]", line)
                   for line in self.tmux.screen(styles=True).splitlines()
                   if "▸ " + label in re.sub(r"\x1b\[[0-9;]*m", "", line))


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.kill()  # the whole private tmux server, and the app in it


def name_fields(screen: str) -> tuple[tuple[bool, str], tuple[bool, str]]:
    """The two name fields under the "left pane / right pane" labels: (focused, text) each.

    A focused field is drawn with a full block at its left edge.
    """
    lines = screen.splitlines()
    for i, line in enumerate(lines[:-1]):
        if "left pane" in line and "right pane" in line:
            row = lines[i + 1]
            half = line.index("right pane")
            half = line.rfind("  ", 0, half) + 2 if "  " in line[:half] else half
            fields = []
            for part in (row[:half], row[half:]):
                part = part.strip()
                fields.append((part.startswith("█"), part.lstrip("█▌▐ ").strip()))
            return fields[0], fields[1]
    return (False, ""), (False, "")


def steady(screen: str) -> str:
    """The screen without the step timer, which ticks on its own every second."""
    return re.sub(r"⏱[^\n]*", "", screen)


def left_pane(screen: str) -> str:
    """The left half of the screen: partner A's pane, side by side at this width."""
    return "\n".join(line[:WIDTH // 2] for line in screen.splitlines())


def by_pane(screen: str) -> str:
    """A's pane, then B's, each as one line of words: text wrapped in a box reads whole."""
    right = "\n".join(line[WIDTH // 2:] for line in screen.splitlines())
    return flat(left_pane(screen)) + " | " + flat(right)


def flat_rows(screen: str) -> str:
    """Each row of the screen without borders and edge spaces."""
    return "\n".join(re.sub(r"[│┃╭╮╰╯─━┏┓┗┛]", " ", line).strip() for line in screen.splitlines())


def flat(screen: str) -> str:
    """The screen as one line of words (wrapped prompts read as one sentence)."""
    return " ".join(re.sub(r"[│┃╭╮╰╯─━┏┓┗┛]", " ", screen).split())


def test_a_new_user_goes_through_a_whole_exercise(terminal):
    t = terminal
    welcome = t.launch()
    assert "not therapy" in welcome and "Quick exit" in welcome
    t.names("Robin", "Sasha")
    t.pick(EXERCISE)
    t.ready()

    # Round 1: Robin speaks, Sasha listens.
    t.turn("Robin", "Robin, ask Sasha")
    t.choose("Continue")
    screen = t.turn("Robin", "think of one moment that hurt")
    assert "When" in screen and ", I felt" in screen  # the sentence frame, blank by blank
    # A few sentences in the first blank: the box wraps and grows, and all of it stays in view.
    t.focused_form()
    t.type(CONCERN)
    t.wait_for(lambda s: CONCERN in flat(left_pane(s)))
    t.press("Tab")  # on to the feeling: a one-line blank, where Enter sends
    t.type("let down")
    t.wait_for("let down")
    t.press("Enter")
    screen = t.turn("Sasha", "say it back")
    # The concern ends with a full stop; the frame's comma takes its place.
    assert f"When {CONCERN[:-1]}, I felt let down." in flat(screen)
    assert CONCERN[:-1] in flat(left_pane(screen))  # and in Robin's pane, whole
    t.answer("If I got it, the late change of plans let you down")
    t.turn("Robin", "did Sasha get it")
    t.choose("Not quite")  # the "not quite" loop
    t.turn("Robin", "say what was missed")
    t.answer("And I had told my friends we would come")
    t.turn("Sasha", "say it back")
    t.answer("You had told your friends, and the change let you down")
    t.turn("Robin", "did Sasha get it")
    t.choose("Yes")
    t.turn("Sasha", "sum it all up")
    t.answer("The change of plans let you down, and your friends were waiting")
    t.turn("Sasha", "what makes sense to you")
    t.answer("you had made a promise to your friends")
    t.turn("Sasha", "imagine being in Robin's place")
    t.answer("embarrassed")
    t.turn("Robin", "Is that close")
    t.choose("Yes")
    t.wait_for(lambda s: "Thank each other" in flat(s))
    t.choose("Continue")

    # Round 2: the roles swap; Sasha speaks.
    t.turn("Sasha", "Sasha, ask Robin")
    t.choose("Continue")
    t.turn("Sasha", "think of one moment that hurt")
    t.answer("the phone rang during dinner", "ignored")
    t.turn("Robin", "say it back")
    t.answer("If I got it, the call at dinner left you feeling ignored")
    t.turn("Sasha", "did Robin get it")
    t.choose("Yes")
    t.turn("Robin", "sum it all up")
    t.answer("Dinner mattered and the call got in the way")
    t.turn("Robin", "what makes sense to you")
    t.answer("dinner is our time together")
    t.turn("Robin", "imagine being in Sasha's place")
    t.answer("lonely")
    t.turn("Sasha", "Is that close")
    t.choose("Yes")
    t.wait_for(lambda s: "Thank each other" in flat(s))
    t.choose("Continue")

    # The summary: both partners' words, step by step.
    summary = flat(t.wait_for(lambda s: "ignored" in s and "Continue" not in s))
    for words in ("Robin", "Sasha", "let down", "ignored", "lonely"):
        assert words in summary

    # Quit: with the exercise finished, nothing is left to ask about.
    t.keys("C-q")
    shell = t.wait_for(lambda s: s.rstrip().endswith("$"))
    assert "Traceback" not in shell
    t.type("echo exit=$?")
    t.keys("Enter")
    t.wait_for("exit=0")


def test_typed_text_shows_literally_and_quick_exit_leaves_none_of_it(terminal):
    """Markup and escape codes in an answer are shown as text; then ctrl+x wipes it all.

    One test for both, since both need the same way in (it saves a minute of CI).
    """
    t = terminal
    # The names are typed straight after the command, while the app is still starting:
    # nothing typed then is lost, and each name lands in its own field.
    t.launch(wait=False)
    t.names("Robin", "Sasha")
    t.pick(EXERCISE)
    t.ready()
    t.turn("Robin", "Robin, ask Sasha")
    t.choose("Continue")
    t.turn("Robin", "think of one moment that hurt")

    t.focused_form()
    t.type("[bold]x[/]")
    assert "\nWhen …\n" in flat_rows(left_pane(t.wait_for("x[/]")))  # the frame's first words, on the box
    assert "[bold]x[/]" in t.tmux.screen()  # the focused box, markup as typed
    t.type(" [link=http://example.org]y[/link]")
    assert "[link=http://example.org]y[/link]" in t.wait_for("y[/link]")
    # Escape sequences and control characters arrive as raw bytes, the way a
    # terminal delivers pasted text. The answer box shows each control
    # character as a visible symbol (ESC as ␛), and keeps them all.
    t.tmux.paste(" \x1b[31mred\x1b[0m \x07bell")
    screen = t.wait_for("bell")
    assert "␛[31mred␛[0m ␇bell" in screen  # shown as text, not obeyed
    assert "\x1b[31mred" not in t.tmux.screen(styles=True)  # no red reached the terminal

    t.press("Tab")  # on to the feeling blank (Enter would be a new line in the box)
    t.type("[i]sad[/i]")
    t.wait_for("[i]sad[/i]")
    t.press("Enter")
    # Sent: the listener's prompt quotes it, markup and all, never obeyed.
    screen = flat(t.turn("Sasha", "say it back"))
    assert 'Robin said: "When [bold]x[/] [link=http://example.org]y[/link]' in screen
    # Shown elsewhere, the escape sequences are left out (stored as sent, never obeyed).
    assert "y[/link] red bell, I felt [i]sad[/i]." in screen
    assert "\x1b[31mred" not in t.tmux.screen(styles=True)

    # Quick exit, halfway through Sasha's answer: the screen and the scrollback
    # are wiped; only the shell's prompt is left.
    t.focused_form()
    t.type("a private sentence")
    t.wait_for("a private sentence")
    t.tmux.send("C-x")
    screen = t.wait_for(lambda s: s.strip() == "$")
    everything = t.tmux.screen(history=True)
    for typed in ("private sentence", "[bold]x[/]", "Robin", "Sasha", "trustdialog", EXERCISE):
        assert typed not in screen
        assert typed not in everything  # not in the scrollback either


@pytest.fixture
def small_terminal(tmp_path):
    term = Terminal(tmp_path, 80, 24)
    try:
        yield term
    finally:
        term.kill()


def test_a_concern_of_three_sentences_stays_in_view_at_80x24(small_terminal):
    """The smallest supported terminal: the whole concern shows while it is typed and once sent."""
    t = small_terminal
    t.launch()
    t.names("Robin", "Sasha")
    t.pick(EXERCISE)
    t.ready()
    t.turn("Robin", "Robin, ask Sasha")
    t.choose("Continue")
    t.turn("Robin", "think of one moment that hurt")
    t.focused_form()
    t.wait_for(lambda s: "When …" in s and "…, I felt" in s)  # one sentence, its blanks in it
    assert len(LONG_CONCERN) >= 295 and LONG_CONCERN.count(". ") == 2
    first, rest = LONG_CONCERN[:150], LONG_CONCERN[150:]
    t.type(first)
    t.wait_for(lambda s: first in flat(s))  # halfway: all of it so far
    t.type(rest)
    screen = t.wait_for(lambda s: LONG_CONCERN in flat(s))  # every word, wrapped in the box
    assert "Quick exit" in screen.splitlines()[-1] and "Time-out" in screen.splitlines()[-1]
    t.press("Tab")
    t.type("let down")
    t.wait_for("let down")
    t.press("Enter")
    # Sent: the listener's prompt quotes the whole sentence, nothing cut off.
    screen = t.turn("Sasha", "say it back")
    assert f"When {LONG_CONCERN[:-1]}, I felt let down." in flat(screen)
