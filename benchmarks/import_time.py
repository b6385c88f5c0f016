"""Import time of the core (engine + exercise) and of the CLI entry, from `python -X importtime` (medians).

Run: .venv/bin/python benchmarks/import_time.py [--runs 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def importtime(argv: list[str]) -> dict[str, int]:
    """Cumulative microseconds of each top-level import in one run."""
    result = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, cwd=ROOT)
    out: dict[str, int] = {}
    for m in LINE.finditer(result.stderr):
        if len(m.group(3)) == 1:  # top level
            out[m.group(4)] = out.get(m.group(4), 0) + int(m.group(2))
    return out


def median_of(runs: int, argv: list[str], names: tuple[str, ...]) -> tuple[float, float]:
    """(median ms of the named top-level imports, median ms of all imports)."""
    named, total = [], []
    for _ in range(runs):
        t = importtime(argv)
        named.append(sum(v for k, v in t.items() if k in names) / 1000)
        total.append(sum(t.values()) / 1000)
    return statistics.median(named), statistics.median(total)


def wall(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, *argv], capture_output=True, cwd=ROOT, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    core = ("trustdialog.engine", "trustdialog.exercise", "trustdialog.exercise.library", "trustdialog")
    engine_ms, _ = median_of(args.runs, ["-c", "import trustdialog.engine"], core)
    core_ms, _ = median_of(args.runs, ["-c", "import trustdialog.engine, trustdialog.exercise.library"], core)
    _, cli_total = median_of(args.runs, ["-m", "trustdialog", "list"], ())
    print(f"import trustdialog.engine (with the model):       {engine_ms:6.1f} ms (cumulative, -X importtime)")
    print(f"import engine + exercise checker/library:         {core_ms:6.1f} ms (cumulative, -X importtime)")
    print(f"python -m trustdialog list, all imports:          {cli_total:6.1f} ms (including site and encodings)")
    print(f"python -c pass, wall:                             {wall(['-c', 'pass'], args.runs):6.1f} ms")
    print(f"python -m trustdialog list, wall:                 {wall(['-m', 'trustdialog', 'list'], args.runs):6.1f} ms")
    print(f"python -m trustdialog check, wall:                {wall(['-m', 'trustdialog', 'check'], args.runs):6.1f} ms")


if __name__ == "__main__":
    main()
