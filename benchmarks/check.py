"""How long `trustdialog check` takes: the shipped library, and 1,000 generated exercise files (medians).

Run: .venv/bin/python benchmarks/check.py [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(argv: list[str], runs: int, ok=(0,)) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if result.returncode not in ok:
            sys.exit(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return statistics.median(times)


def generate(folder: Path, count: int) -> None:
    """`count` exercise files: the shipped ones, copied with fresh ids (vocabularies copied too)."""
    sources = sorted((ROOT / "exercises").glob("*.toml"))
    (folder / "vocab").mkdir()
    for vocab in (ROOT / "exercises" / "vocab").glob("*.toml"):
        (folder / "vocab" / vocab.name).write_text(vocab.read_text())
    for n in range(count):
        src = sources[n % len(sources)]
        text = src.read_text()
        text = re.sub(r'(\[exercise\]\s*\nid = ")([^"]+)"', lambda m: f'{m.group(1)}{m.group(2)}-{n}"', text, count=1)
        (folder / f"{src.stem}-{n}.toml").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "trustdialog"]
    shipped = wall(cli + ["check", "exercises"], args.runs)
    walked = wall(cli + ["check", "--walk", "exercises"], args.runs)
    bare = wall([sys.executable, "-c", "pass"], args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.count)
        many = wall(cli + ["check", str(folder)], args.runs)
        many_walk = wall(cli + ["check", "--walk", str(folder)], max(1, args.runs // 2))
        sys.path.insert(0, str(ROOT))
        from trustdialog.exercise import check_paths

        inproc = []
        for _ in range(args.runs):
            start = time.perf_counter()
            lib = check_paths([folder])
            inproc.append(time.perf_counter() - start)
        assert not lib.errors and len(lib.exercises) == args.count, [str(d) for d in lib.diagnostics[:5]]
    print(f"python startup alone:                        {bare * 1000:7.0f} ms")
    print(f"trustdialog check exercises:                 {shipped * 1000:7.0f} ms  (median of {args.runs})")
    print(f"trustdialog check --walk exercises:          {walked * 1000:7.0f} ms")
    print(f"trustdialog check on {args.count:,} files:             {many * 1000:7.0f} ms  "
          f"({many / args.count * 1000:.2f} ms per file)")
    print(f"  in-process check_paths on {args.count:,} files:    {statistics.median(inproc) * 1000:7.0f} ms")
    print(f"trustdialog check --walk on {args.count:,} files:      {many_walk * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
