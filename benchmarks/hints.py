"""How long a gentle-hint scan takes on a 20 KB paste, per keystroke (prints medians; asserts nothing).

Run: .venv/bin/python benchmarks/hints.py [--keys N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from trustdialog.language import hint_for, load_hints


def texts() -> dict[str, str]:
    rng = random.Random(7)
    words = ("when you came home late I felt lonely and we talked about it the dinner "
             "yesterday your always never fault lazy care calm down because of").split()
    return {
        "prose, no hint": ("When you came home late I felt lonely, and we talked about it. " * 400)[:20_000],
        "random words": " ".join(rng.choice(words) for _ in range(5_000))[:20_000],
        "'you ' repeated": ("you " * 5_000)[:20_000],
        "near misses": ("you're so very tired, you alway " * 700)[:20_000],
        "one long word": "x" * 20_000,
        "hint at the end": ("calm words here " * 1_300)[:19_980] + " it's your fault",
        "non-Latin": ("Когда ты пришёл поздно, мне было одиноко. " * 500)[:20_000],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keys", type=int, default=300, help="keystrokes typed after the paste")
    args = parser.parse_args()

    start = time.perf_counter()
    hints = load_hints()
    print(f"load and compile the shipped hints: {(time.perf_counter() - start) * 1000:.1f} ms")

    print(f"{'text (20 KB)':<20} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}  first hint")
    for name, text in texts().items():
        runs = []
        found = None
        # Each keystroke after the paste scans the whole text again, as the UI may.
        for i in range(args.keys):
            typed = text + "abc "[i % 4] * (i % 3)
            t0 = time.perf_counter()
            found = hint_for(typed, hints)
            runs.append((time.perf_counter() - t0) * 1000)
        runs.sort()
        p99 = runs[min(len(runs) - 1, int(len(runs) * 0.99))]
        print(f"{name:<20} {statistics.median(runs):>10.2f} {p99:>8.2f} {runs[-1]:>8.2f}  "
              f"{found.group if found else '-'}")


if __name__ == "__main__":
    main()
