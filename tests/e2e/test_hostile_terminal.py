"""The hostile corpus through a real terminal: each case pasted (bracketed, by tmux) or typed
into an answer of the installed app, then read back from the screen and from the SQLite file.

A case holds when it is stored exactly (the draft, and the sent answer, equal the text), is
shown literally (control characters as visible symbols, never obeyed: no red, no cleared
screen, no clipboard), and takes no action (the app stays on the same step, sends nothing,
opens no dialog and does not quit).
"""

from __future__ import annotations

import re

import pytest
from hostile import PASTED_CONTROLS, PASTED_ESCAPES, TYPED_FORMAT, as_stored
from test_tmux import EXERCISE, Terminal, flat

from trustdialog.store import open_store
from trustdialog.ui.widgets.safe_text import pictures

pytestmark = pytest.mark.e2e


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.kill()


def saved(data_dir) -> tuple[list[str], list]:
    """The drafts' texts and the events of the one session in `data_dir`, read as `sessions` does."""
    store = open_store(data_dir, create=False)
    try:
        [info] = store.sessions()
        return list(store.drafts(info.id).values()), store.events(info.id)
    finally:
        store.close()


def answer_texts(events) -> list[str]:
    """Every text a partner sent, from every step's event (answers are nested by field)."""
    def texts(value) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [text for inner in value.values() for text in texts(inner)]
        return []

    return [text for e in events if e.step for text in texts(e.data)]


def test_every_hostile_paste_and_typed_character_is_kept_shown_and_inert(terminal, tmp_path):
    t = terminal
    t.launch(wait=False)
    t.names("Robin", "Sasha")
    t.pick(EXERCISE)
    t.ready()
    t.turn("Robin", "Robin, ask Sasha")
    t.choose("Continue")
    t.turn("Robin", "think of one moment that hurt")
    t.tmux.settle()
    _drafts, before = saved(tmp_path)
    # Case by case in the one-line blank (the feeling); then all of it in the long box.
    t.press("Tab")

    held: dict[str, list[str]] = {"pasted": [], "typed": []}
    cases = [("pasted", text) for text in PASTED_ESCAPES + PASTED_CONTROLS]
    cases += [("typed", text) for text in TYPED_FORMAT]
    for how, text in cases:
        expected = as_stored(text)
        if how == "pasted":
            t.tmux.paste(text)
        else:
            t.type(text)
        # Stored exactly: the draft (saved on a pause in typing) is the text itself.
        t.wait_for(lambda _s: expected in saved(tmp_path)[0], timeout=15)
        screen = t.tmux.screen()
        styled = t.tmux.screen(styles=True)
        # Shown literally: the answer box shows the visible form of every character.
        shown = pictures(expected).replace("\U0001f468\u200d\U0001f469\u200d\U0001f467 ", "")
        literal = shown in screen.replace("\u200d", "")
        # Inert: same step, nothing sent, no dialog, no colour from the text, still running.
        inert = ("think of one moment that hurt" in flat(screen).lower()
                 and len(saved(tmp_path)[1]) == len(before)
                 and "Quit now?" not in screen and "leave" not in flat(screen).lower()
                 and not re.search(r"\x1b\[(?:[0-9;]*;)?31m", styled)
                 and not t.tmux.pane_dead())
        assert literal and inert, f"{how} {text!r} did not hold:\n{screen}"
        held[how].append(text)
        t.keys("C-e", "C-u")  # clear the blank for the next case
        t.wait_for(lambda s: shown not in s)

    # Sent as one answer, all of it together, from the long box (where Enter is a new
    # line): the event holds it exactly, and nothing of it acted on the terminal.
    everything = " | ".join(text for _how, text in cases)
    t.press("BTab")  # back to the box
    t.tmux.paste(everything)
    t.wait_for(lambda _s: as_stored(everything) in saved(tmp_path)[0], timeout=15)
    assert not re.search(r"\x1b\[(?:[0-9;]*;)?31m", t.tmux.screen(styles=True))
    assert "think of one moment that hurt" in flat(t.tmux.screen()).lower()
    t.press("Tab")  # on to the feeling blank
    t.type("hurt")
    t.press("Enter")
    t.turn("Sasha", "say it back")
    assert as_stored(everything) in answer_texts(saved(tmp_path)[1])
    print(f"\nhostile cases through tmux: pasted {len(held['pasted'])}/"
          f"{len(PASTED_ESCAPES + PASTED_CONTROLS)} held, typed {len(held['typed'])}/{len(TYPED_FORMAT)} held")
