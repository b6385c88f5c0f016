"""The real app over the real OpenSSH client: a dropped connection leaves no app behind and
the session (answers and unsent draft) is there to resume; clients see only their own sessions."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
from ssh_helpers import START_PATHS, RunningServer, Tmux, children_of, pid_alive, ssh_command, wait_for

from trustdialog.exercise import load_library
from trustdialog.session import Session
from trustdialog.ssh.access import AccessList, read_key_file
from trustdialog.store import open_store

EXERCISE = "When it happened, I felt"
EVENT, FEELING = "the dishes waited all week", "lonely"
DRAFT = "If I got it, you felt alone"


# -- a real `trustdialog serve`, and a terminal for each connection ---------------------


@pytest.fixture(scope="module")
def people(tmp_path_factory, keys) -> Path:
    """An access file: alice (facilitator), bob and carol (two different clients)."""
    folder = tmp_path_factory.mktemp("resume-access")
    carol = folder / "carol"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "carol@test", "-f", str(carol)],
                   check=True)
    access = AccessList()
    for name, role, key in (("alice", "facilitator", keys["alice"]), ("bob", "client", keys["bob"]),
                            ("carol", "client", carol)):
        access.add(name, role, read_key_file(key.with_suffix(".pub")))
    path = folder / "access.toml"
    access.save(path)
    return path


@pytest.fixture(params=START_PATHS)
def serve(request, tmp_path, people):
    """`trustdialog serve`, twice over: apps forked from the template, and with --no-template."""
    server = RunningServer.serve_command(tmp_path / "data", people, request.param)
    server.path = request.param
    yield server
    server.stop()


@pytest.fixture
def terminals(tmp_path):
    """Factory: connect(port, key) -> a fresh tmux (own socket) running ssh; all killed after."""
    made: list[Tmux] = []
    sockets: list[Path] = []

    def connect(port: int, key: Path) -> Tmux:
        tmux = Tmux(f"td-resume-{uuid.uuid4().hex[:8]}", tmp_path)
        made.append(tmux)
        tmux.start(ssh_command(port, key), width=100, height=30)
        sockets.append(Path(tmux.run("display", "-p", "#{socket_path}").strip()))
        return tmux

    try:
        yield connect
    finally:
        for tmux in made:
            tmux.kill()
        for socket in sockets:  # kill-server leaves its socket file behind
            socket.unlink(missing_ok=True)


# -- driving the app by keys, always waiting for what the screen shows --------------------


def expect(tmux: Tmux, needle: str, timeout: float = 15.0) -> str:
    """Wait for `needle` on screen; fail showing the screen if it never comes."""
    screen = tmux.wait_screen(needle, timeout)
    assert needle in screen, f"{needle!r} never showed; the screen was:\n{screen}"
    return screen


def flat(screen: str) -> str:
    """The screen's words on one line: box edges dropped, so wrapped sentences read whole."""
    words = []
    for line in screen.splitlines():
        words += [part for part in re.split(r"[│┃]", line) if part.strip()]
    return " ".join(" ".join(words).split())


def shows(screen: str, text: str) -> None:
    assert text in flat(screen), f"{text!r} is not on the screen:\n{screen}"


def type_text(tmux: Tmux, text: str) -> None:
    tmux.run("send-keys", "-t", "t", "-l", text)  # literal: never read as key names


def name_row(screen: str) -> str:
    """The line holding both name inputs (the one under their labels)."""
    lines = screen.splitlines()
    at = next(i for i, line in enumerate(lines) if "Partner A, left pane:" in line)
    return lines[at + 1]


def attributes(tmux: Tmux) -> str:
    """The screen with its colours and styles as escape codes (focus often shows only there)."""
    return tmux.run("capture-pane", "-e", "-p", "-t", "t")


def row_with_attributes(tmux: Tmux, text: str) -> str:
    """The screen line holding `text`, with its escape codes."""
    lines = attributes(tmux).splitlines()
    return next((line for line in lines if text in re.sub(r"\x1b\[[\d;]*m", "", line)), "")


def drawn_bold(tmux: Tmux, text: str) -> bool:
    """Is the line holding `text` drawn bold anywhere (how the focused list shows its row)?
    tmux writes bold as its own code or joined to others ("\x1b[0;1m"), as the line before it needs."""
    return re.search(r"\x1b\[(?:\d+;)*1(?:;\d+)*m", row_with_attributes(tmux, text)) is not None


def drawn_reversed(tmux: Tmux, text: str) -> bool:
    """Is `text` drawn in reverse video (how a focused choice button shows)?"""
    pattern = r"\x1b\[(?:\d+;)*7(?:;\d+)*m(?:\x1b\[[\d;]*m)*\s*" + re.escape(text)
    return re.search(pattern, row_with_attributes(tmux, text)) is not None


def move_focus(tmux: Tmux, key: str) -> None:
    """Press a key that moves the focus, and wait until the screen shows it moved.

    A binding like Tab is run after the key has been through the focused widget, so
    keys sent straight after it can still reach the old widget: wait before typing on.
    """
    before = attributes(tmux)
    tmux.keys(key)
    assert wait_for(lambda: attributes(tmux) != before, 5), f"{key} changed nothing:\n{tmux.screen()}"


def names_shown(screen: str) -> list[str]:
    """What the two name inputs hold, A then B (each starts at its left edge, ▌ or █ if focused)."""
    names = [name.strip() for name in re.findall(r"[▌█]([^▌█]*)", name_row(screen))]
    return names if len(names) == 2 else ["?", "?"]  # caught mid-draw


def name_focused(screen: str) -> str | None:
    """Which name input has the focus ("a" or "b"): its left edge is drawn thick."""
    edges = re.findall(r"[▌█]", name_row(screen))
    return "ab"[edges.index("█")] if "█" in edges else None


def type_name(tmux: Tmux, partner: str, name: str) -> None:
    """Clear the focused name input and type `name`, with no pause between keys."""
    which = "ab".index(partner)
    wait_for(lambda: name_focused(tmux.screen()) == partner, 5)
    assert name_focused(tmux.screen()) == partner, f"partner {partner}'s name is not focused:\n{tmux.screen()}"
    tmux.keys("C-e", "C-u")
    type_text(tmux, name)
    assert wait_for(lambda: names_shown(tmux.screen())[which] == name, 10), tmux.screen()


def preview_title(screen: str) -> str:
    """The first line of the picker's preview box: the highlighted exercise's title."""
    lines = screen.splitlines()
    top = next((i for i, line in enumerate(lines) if "╭" in line), None)
    found = re.findall(r"│([^│]*)│", lines[top + 1]) if top is not None and top + 1 < len(lines) else []
    return found[-1].strip() if found else ""


def pick_exercise(tmux: Tmux, title: str) -> None:
    """Walk down the picker's list until the preview shows `title`, then open it.

    The preview follows the highlight a frame later, so each step waits for the preview
    to change before looking: an extra Down past the last exercise would wrap round.
    """
    expect(tmux, "Choose an exercise (")
    wait_for(lambda: preview_title(tmux.screen()), 5)
    shown = preview_title(tmux.screen())
    for _ in range(30):
        if shown == title:
            break
        tmux.keys("Down")
        wait_for(lambda: preview_title(tmux.screen()) not in ("", shown), 5)
        shown = preview_title(tmux.screen())
    assert shown == title, f"{title!r} not found in the picker:\n{tmux.screen()}"
    tmux.keys("Enter")


def submitted(events, kind: str, step: str | None = None) -> list:
    return [e for e in events if e.kind == kind and (step is None or e.step == step)]


# -- the tests ------------------------------------------------------------------------------


def test_a_dropped_connection_ends_its_app_and_the_session_resumes_with_its_draft(serve, keys, terminals):
    first = terminals(serve.port, keys["bob"])
    # Welcome: the cursor starts in partner A's name; Tab goes to B, Enter on B opens the picker.
    expect(first, "Partner A, left pane:", timeout=20)
    type_name(first, "a", "Ana")
    move_focus(first, "Tab")
    type_name(first, "b", "Ben")
    assert names_shown(first.screen()) == ["Ana", "Ben"], first.screen()
    first.keys("Enter")
    pick_exercise(first, EXERCISE)

    # The ready check, each partner for themself.
    expect(first, "Is now a good time for both of you?")
    first.keys("Enter")
    expect(first, "✓ ready")
    first.keys("Enter")
    expect(first, "step 1 of 10")
    # Step 1 (read together): Continue, once the button has the focus. Step 2: Ana's sentence.
    expect(first, "▸ Continue")
    assert wait_for(lambda: drawn_reversed(first, "▸ Continue"), 5), first.screen()
    first.keys("Enter")
    expect(first, "step 2 of 10")
    expect(first, "ctrl+s sends")  # the first blank, a long box, has the focus (it says so)
    type_text(first, EVENT)
    expect(first, EVENT)
    first.keys("Tab")  # Enter would start a new line in the box: Tab goes on to the feeling
    expect(first, "█a feeling")
    type_text(first, FEELING)
    expect(first, f"█{FEELING}")
    first.keys("Enter")
    screen = expect(first, "step 3 of 10")
    shows(screen, "Say it back in your own words")

    # Ben starts his mirror and does not send it; wait until the draft is saved.
    expect(first, "ctrl+s sends")  # Ben's mirror box has the focus
    type_text(first, DRAFT)
    expect(first, DRAFT)
    store = open_store(serve.data_dir)
    [info] = store.sessions("bob")
    assert info.names == {"a": "Ana", "b": "Ben"} and not info.finished

    def draft_saved() -> bool:
        return DRAFT in store.drafts(info.id).values()

    assert wait_for(draft_saved, 10), f"the draft was never saved: {store.drafts(info.id)}"

    # The client vanishes without a word: its app must go too (and nothing it started).
    [app] = serve.children()
    # Forked from the template (whose command line a fork keeps), or a fresh interpreter.
    forked = "trustdialog.ssh.forkserver" in open(f"/proc/{app}/cmdline").read()
    assert forked is (serve.path == "template")
    family = [app, *children_of(app)]
    os.kill(first.ssh_pid(), signal.SIGKILL)
    assert wait_for(lambda: not any(pid_alive(pid) for pid in family), 8), \
        "the app outlived its dropped connection"
    assert wait_for(lambda: not serve.children(), 5)
    wait_for(lambda: "end=client-dropped" in serve.log, 5)
    assert "user=bob role=client" in serve.log and "end=client-dropped" in serve.log
    assert DRAFT not in serve.log and EVENT not in serve.log  # never a word of what was typed

    # Reconnect: the welcome offers the unfinished session; open it.
    second = terminals(serve.port, keys["bob"])
    screen = expect(second, "Unfinished sessions", timeout=20)
    shows(screen, f"{EXERCISE} · Ana and Ben")
    expect(second, "█Partner A")  # the focus starts on partner A's name: Tab past B and
    for _ in range(3):  # "Choose an exercise" to "Continue a session" ...
        move_focus(second, "Tab")
    second.keys("Enter")  # ... which hands the focus to the list (its row turns bold)
    assert wait_for(lambda: drawn_bold(second, f"{EXERCISE} · Ana and Ben"), 5), \
        f"the list of sessions did not take the focus:\n{second.screen()}"
    second.keys("Enter")
    screen = expect(second, "step 3 of 10")
    # The step after Ana's answer, her answer quoted, and Ben's unsent words back in his blank.
    shows(screen, "Say it back in your own words")
    shows(screen, f'Ana said: "When {EVENT}, I felt {FEELING}."')
    expect(second, DRAFT)  # back in Ben's box, with the focus
    expect(second, "ctrl+s sends")

    # Resumed for real: Ben sends his mirror (ctrl+s, from a box) and the exercise goes on.
    second.keys("C-s")
    screen = expect(second, "step 4 of 10")
    shows(screen, f'Ben said back: "{DRAFT}"')

    # The log holds every answer exactly once, in order, and the draft is gone.
    events = store.events(info.id)
    assert [(e.kind, e.partner, e.step) for e in events] == [
        ("ready", "a", None), ("ready", "b", None), ("continued", "a", "appointment"),
        ("answered", "a", "voice"), ("answered", "b", "mirror")]
    [voice] = submitted(events, "answered", "voice")
    assert voice.data["values"] == {"event": EVENT, "feeling": FEELING}
    [mirror] = submitted(events, "answered", "mirror")
    assert list(mirror.data["values"].values()) == [DRAFT]
    assert DRAFT not in store.drafts(info.id).values()
    store.close()


def test_a_client_is_offered_only_their_own_sessions_and_a_facilitator_all(serve, keys, people, terminals):
    # Two saved, unfinished sessions on this server: one of bob's, one of carol's.
    store = open_store(serve.data_dir)
    exercise = next(e for e in load_library().exercises.values() if e.title == EXERCISE)
    Session.new(store, exercise, {"a": "Bobby", "b": "Bea"}, owner="bob")
    Session.new(store, exercise, {"a": "Carla", "b": "Cid"}, owner="carol")
    store.close()
    carol_key = people.parent / "carol"

    carol = terminals(serve.port, carol_key)
    screen = expect(carol, "Unfinished sessions", timeout=20)
    screen = expect(carol, "Carla and Cid")
    assert "Bobby" not in screen and "Bea" not in screen

    alice = terminals(serve.port, keys["alice"])
    expect(alice, "Unfinished sessions", timeout=20)
    screen = expect(alice, "Carla and Cid")
    assert "Bobby and Bea" in screen
    assert "login carol/client" in serve.log and "login alice/facilitator" in serve.log
