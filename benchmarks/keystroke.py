"""Keystroke echo: time from a key written to the pty until it shows in the input, against the bare app.

trustdialog is driven (through its pty, as a person would) to the first blank
of "When it happened, I felt" ("what happened", a multi-line answer box:
`--where answer`, the default), to the same box with 2,000 characters already
pasted into it (`--where box`; `--prefill N` for another amount), or to the second name field on the welcome
screen (`--where name`). The bare app types into its first Input; for `box`
it is a bare Textual TextArea (bare_app.py --text-area) with the same 2,000
characters pasted first. Each key is a letter written to the pty; its echo is
the input's text, up to that letter, appearing in what the program writes
back. Programs alternate run by run; medians, p99 and the ratio of medians are
printed. Goal: ratio <= 1.1, trustdialog p99 under 33 ms.

    .venv/bin/python benchmarks/keystroke.py [--runs 5] [--keys 60] [--where answer|box|name] [--prefill N]

The command timed is the installed `trustdialog`; with PYTHONPATH=. it imports
this tree's package instead (the venv's installed copy may be another one).
"""

from __future__ import annotations

import argparse
import statistics
import string
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup import BARE, HERE, TRUSTDIALOG, Child, launch  # noqa: E402

CLEAR_EVERY = 20  # keys; then ctrl+u empties the input (not timed) so it never grows long
EXERCISE = "when-i-felt"
BARE_TEXT_AREA = ("bare", [sys.executable, str(HERE / "bare_app.py"), "--text-area"], "partner B")
# A long answer already in the box (`--where box`): a few sentences, many times over.
SENTENCES = ("We keep missing each other in the evenings, and I end up eating alone. "
             "I wait, I check my phone, and then I stop waiting. ")
PREFILL_CHARS = 2000


def prefill_text(chars: int) -> str:
    """`chars` characters of sentences (the end trimmed of spaces)."""
    return (SENTENCES * (chars // len(SENTENCES) + 1))[:chars].rstrip()
PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"


def exercise_summary_start() -> str:
    """The first words of the starter's summary: the picker's preview shows them once it is highlighted."""
    from trustdialog.locations import library_dir

    with open(library_dir() / f"{EXERCISE}.toml", "rb") as handle:
        summary = tomllib.load(handle)["exercise"]["summary"]
    return " ".join(summary.split()[:3])


def to_answer_input(child: Child) -> None:
    """Welcome -> picker -> the starter -> both ready -> continue -> the first answer blank."""
    steps = [
        # ctrl+n: the welcome's "Choose an exercise" key; the starter comes first in the
        # curated order, highlighted, so its preview is drawn with the picker.
        (b"\x0e", exercise_summary_start()),
        (b"\r", "Is now a good time"),
        (b"\r", "ready"),                          # partner A: yes
        (b"\r", "YOUR TURN"),                      # partner B: yes; the first step
        (b"\r", "ctrl+s sends"),                   # Continue; the "what happened" box, focused
    ]
    for key, marker in steps:
        child.quiet()
        start = len(child.output)
        child.write(key)
        child.read_until(marker, start=start)
    child.quiet(0.3)


def to_name_input(child: Child) -> None:
    child.quiet()
    start = len(child.output)
    child.write(b"\r")  # Enter: from the first name field (focused at start) to the second
    child.read_until("Partner B", start=start)  # redrawn as it takes the focus
    child.quiet(0.3)


def prefill(child: Child, text: str) -> None:
    """Paste `text` (as a terminal does) and start a new line after it.

    The timed letters go on that new line, so ctrl+u (delete to the start of
    the line) clears only them and the text pasted first stays in the box.
    """
    child.quiet()
    start = len(child.output)
    child.write(PASTE_START + text.encode() + PASTE_END)
    # Its end, as the box wraps it, is hard to predict: wait for the redraw instead.
    child.read_until("evenings", start=start)
    child.quiet(0.3)
    child.write(b"\r")  # Enter: a new line in a multi-line box
    child.quiet(0.3)


def time_keys(program: tuple[str, list[str], str], keys: int, where: str,
              cols: int, rows: int, prefilled: str = "") -> list[float]:
    """Start `program`, reach its input, and time `keys` letters from write to echo."""
    name, argv, marker = program
    child = launch(argv, cols, rows)
    try:
        child.read_until(marker)
        if name == "trustdialog":
            (to_name_input if where == "name" else to_answer_input)(child)
        else:
            child.quiet(0.3)
        if prefilled:
            prefill(child, prefilled)
        samples: list[float] = []
        typed = ""
        letters = string.ascii_lowercase
        for i in range(keys):
            if i % CLEAR_EVERY == 0:
                # On the box's fresh empty line ctrl+u would join it to the line
                # above (TextArea deletes the line break): nothing to clear yet.
                typed = clear(child, ctrl_u=not (prefilled and i == 0))
            letter = letters[i % len(letters)]
            typed += letter
            start = len(child.output)
            sent = time.perf_counter()
            child.write(letter.encode())
            # The echo: the input's text up to this letter, drawn after the write.
            shown = child.read_until(typed[-6:], start=start)
            samples.append(shown - sent)
            child.quiet(0.02)  # let the frame finish before the next key, as a typist would
        return samples
    finally:
        child.stop()


def clear(child: Child, ctrl_u: bool = True) -> str:
    """Empty the input (ctrl+u) and type an untimed "xq", so each echo looked for is 3+ letters
    long and cannot be mistaken for other text on screen (the step timer ticks nearby)."""
    if ctrl_u:
        child.write(b"\x15")
        # ctrl+u acts once the key has bubbled up to its binding, while letters land
        # at once: wait for its redraw (none if the input was already empty).
        child.pump(1.0)
        child.quiet()
    start = len(child.output)
    child.write(b"xq")
    child.read_until("xq", start=start)
    child.quiet()
    return "xq"


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each program (default 5)")
    parser.add_argument("--keys", type=int, default=60, help="keys per run (default 60)")
    parser.add_argument("--where", choices=("answer", "box", "name"), default="answer",
                        help="trustdialog's input: the first answer blank (a multi-line box), "
                             "that box with 2,000 characters in it, or a name field")
    parser.add_argument("--prefill", type=int, default=None, metavar="N",
                        help=f"characters pasted into the box before timing (default {PREFILL_CHARS} "
                             "with --where box, else 0); the bare app gets the same in its TextArea")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()
    chars = args.prefill if args.prefill is not None else (PREFILL_CHARS if args.where == "box" else 0)
    if chars and args.where == "name":
        parser.error("--prefill needs the answer box (--where box or answer)")
    if 0 < chars < 100:  # the paste is waited for by a word of its first sentence
        parser.error("--prefill takes 0, or 100 characters or more")
    prefilled = prefill_text(chars) if chars else ""
    # A box with text in it is compared with a TextArea holding the same text.
    bare = BARE_TEXT_AREA if args.where == "box" or prefilled else BARE
    times: dict[str, list[float]] = {bare[0]: [], TRUSTDIALOG[0]: []}
    for _ in range(args.runs):
        for program in (bare, TRUSTDIALOG):
            times[program[0]].extend(time_keys(program, args.keys, args.where, args.cols, args.rows,
                                               prefilled))
    for name, samples in times.items():
        ms = [s * 1000 for s in samples]
        print(f"{name:<12} median {statistics.median(ms):6.1f} ms   p99 {p99(ms):6.1f} ms   "
              f"max {max(ms):6.1f} ms   (n={len(ms)})")
    ratio = statistics.median(times["trustdialog"]) / statistics.median(times["bare"])
    print(f"ratio trustdialog/bare (medians): {ratio:.2f} (goal <= 1.1); "
          f"trustdialog p99 {p99(times['trustdialog']) * 1000:.1f} ms (goal < 33 ms); "
          f"input: {args.where}, {len(prefilled)} characters in it first; "
          f"bare: {'TextArea' if bare is BARE_TEXT_AREA else 'Input'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
