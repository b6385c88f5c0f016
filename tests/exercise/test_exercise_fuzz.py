"""A bounded mutation fuzzer over the shipped exercises: check and walk never fail, hang or blow up.

Each input is a shipped exercise with one to three mutations of its TOML text
(numbers made huge, negative, decimal or text; keys deleted or added; steps
duplicated; lines swapped; the file cut short; odd unicode put in). Loading,
validating and walking it must finish within INPUT_SECONDS and MEMORY_BYTES,
with no exception, no TD009 (the checker's own "internal error"), no number
past the format's limits in an exercise the checker accepted, and no TD060 for
a flow the checker accepted (then the checker and the walk disagree).

The default run takes about three seconds with a fixed seed. For a longer run:

    TRUSTDIALOG_FUZZ_SECONDS=300 pytest tests/exercise/test_exercise_fuzz.py -s

TRUSTDIALOG_FUZZ_SEED picks another seed. A finding is printed with the input
that caused it, which is also left in the test's tmp folder as finding.toml.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import sys
import time
import traceback
from pathlib import Path

import pytest

from trustdialog.exercise import spec
from trustdialog.exercise.library import build, context_vocab, shipped_dir
from trustdialog.exercise.walk import walk_library

DEFAULT_SECONDS = 3.0
INPUT_SECONDS = 15.0  # far above the walk's own time cap, so only a real hang trips it
MEMORY_BYTES = 1_500_000_000  # address space the fuzzing process may add on top of what it has

NUMBERS = ["0", "-1", "1", "2", "10", "11", "20", "21", "50", "51", "600", "601", "7200", "7201",
           "100000000000", "1000000000", "9223372036854775807", "-9223372036854775808",
           "1" + "0" * 32, "1.5", "-0.0", "inf", "nan", "1e308"]
VALUES = NUMBERS + ['"5"', '""', '"end"', '"both"', '"speaker"', "true", "false", "[]", "{}", "[1, 2]",
                    '["a", "a"]', '{ kind = "list", max = 100000000000 }', '{ kind = "rating", max = 1000000000 }',
                    '"{x}"', '"{{"', '"\u202e\u200b"']
KEYS = ["minutes", "rounds", "max_loops", "timer", "min", "max", "next", "on_no", "by", "kind", "hidden",
        "private", "swap_roles", "fields.extra", "options", "template", "id", "format"]
ODD = ["\u202e", "\u200b", "\ufeff", "\U0001F600", "e\u0301", "\x1b[31m", "\u2028", "\t", "\r\n", "\\", '"', "'",
       "[", "]", "{", "}", "=", ",", "#", "\x7f", "\ud7ff", "\U0010ffff"]
_INT = re.compile(r"(?<![\w.])-?\d+(?![\w.])")
_ASSIGN = re.compile(r"^(\s*[A-Za-z_][\w.-]*\s*=\s*)(.+)$", re.M)


def _number(rng: random.Random, text: str) -> str:
    found = list(_INT.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    return text[:m.start()] + rng.choice(NUMBERS) + text[m.end():]


def _value(rng: random.Random, text: str) -> str:
    found = list(_ASSIGN.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    return text[:m.start(2)] + rng.choice(VALUES) + text[m.end(2):]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _delete_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def _swap_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _insert_key(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    heads = [i for i, line in enumerate(lines) if line.startswith("[")] or [0]
    at = rng.choice(heads) + 1
    lines.insert(at, f"{rng.choice(KEYS)} = {rng.choice(VALUES)}")
    return "\n".join(lines)


def _duplicate_step(rng: random.Random, text: str) -> str:
    parts = text.split("[[steps]]")
    if len(parts) < 2:
        return text
    i = rng.randrange(1, len(parts))
    times = rng.choice([1, 2, 30])
    return "[[steps]]".join(parts[: i + 1] + [parts[i]] * times + parts[i + 1:])


def _copy_step(rng: random.Random, text: str) -> str:
    """A step copied under new ids, so the file stays valid and its flow grows."""
    parts = text.split("[[steps]]")
    if len(parts) < 2:
        return text
    i = rng.randrange(1, len(parts))
    copies = [re.sub(r'^id = "([^"]+)"', rf'id = "\1-{n}"', parts[i], flags=re.M)
              for n in range(rng.choice([1, 5, 20]))]
    return "[[steps]]".join(parts[: i + 1] + copies + parts[i + 1:])


def _truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _odd(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(ODD) * rng.choice([1, 1, 3, 1000]) + text[at:]


MUTATIONS = [_number, _number, _value, _value, _delete_line, _swap_lines, _insert_key, _insert_key,
             _duplicate_step, _copy_step, _copy_step, _truncate, _odd]


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.choice([1, 1, 2, 3])):
        text = rng.choice(MUTATIONS)(rng, text)
    return text


class _TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise _TooSlow()


def _over_limits(ex) -> str:
    """What in an accepted exercise is past the limits of the format, or ""."""
    numbers = [("minutes", ex.minutes, 1, spec.MAX_MINUTES), ("rounds", ex.rounds, 1, spec.MAX_ROUNDS)]
    for step in ex.steps:
        if step.timer is not None:
            numbers.append((f"{step.id}.timer", step.timer, 1, spec.MAX_TIMER))
        numbers.append((f"{step.id}.max_loops", step.max_loops, 0, spec.MAX_LOOPS))
        for f in step.fields:
            top = {"rating": spec.MAX_RATING, "list": spec.MAX_LIST_ITEMS}.get(f.kind)
            if top:
                numbers += [(f"{f.name}.min", f.min, 0, top), (f"{f.name}.max", f.max, 1, top)]
    return next((f"{name} = {value}" for name, value, lo, hi in numbers if not lo <= value <= hi), "")


def problem_with(text: str, path: Path, vocab: dict) -> str | None:
    """Why this input breaks the checker or the walk, or None."""
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    signal.setitimer(signal.ITIMER_REAL, INPUT_SECONDS)
    try:
        lib = build([path], [], vocab)
        internal = [d for d in lib.diagnostics if d.code == "TD009"]
        if internal:
            return str(internal[0])
        for ex in lib.exercises.values():
            over = _over_limits(ex)
            if over:
                return f"the checker accepted {over}"
        report = walk_library(lib)
        for d in report.diagnostics:
            if d.code == "TD060":
                return f"the checker accepted the flow, the walk did not: {d}"
        for d in lib.diagnostics + report.diagnostics:
            str(d)  # every diagnostic can be printed
    except _TooSlow:
        return f"took longer than {INPUT_SECONDS:.0f} s"
    except MemoryError:
        return f"needed more than {MEMORY_BYTES:,} bytes"
    except Exception:
        return traceback.format_exc(limit=6)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _run(seconds: float, seed: int, workdir: str, conn) -> None:
    """The fuzzing loop, in its own process: a blow-up there cannot take the test run with it."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + MEMORY_BYTES, hard))
    signal.signal(signal.SIGALRM, _alarm)
    vocab = context_vocab()
    bases = [p.read_text(encoding="utf-8") for p in sorted(shipped_dir().glob("*.toml"))]
    rng = random.Random(seed)
    path = Path(workdir) / "input.toml"
    current = Path(workdir) / "current.toml"
    started = time.monotonic()
    count = 0
    while time.monotonic() - started < seconds:
        text = mutate(rng, rng.choice(bases))
        # Kept where the parent can read it if this input hangs past every alarm.
        current.write_text(text, encoding="utf-8", errors="surrogatepass")
        problem = problem_with(text, path, vocab)
        count += 1
        if problem:
            conn.send(("finding", count, time.monotonic() - started, problem, text))
            return
    conn.send(("ok", count, time.monotonic() - started, "", ""))


def fuzz(seconds: float, seed: int, workdir: Path) -> tuple[str, int, float, str, str]:
    """(status, inputs tried, seconds, problem, input) of one fuzzing run."""
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run, args=(seconds, seed, str(workdir), there))
    proc.start()
    there.close()
    try:
        if here.poll(seconds + INPUT_SECONDS + 30):
            return here.recv()
        text = (workdir / "current.toml").read_text(encoding="utf-8", errors="surrogatepass")
        return ("finding", 0, seconds, "the fuzzing process hung past its alarm", text)
    except EOFError:  # the process died without a word: killed for its memory, or a crash
        text = (workdir / "current.toml").read_text(encoding="utf-8", errors="surrogatepass")
        return ("finding", 0, seconds, f"the fuzzing process died (exit code {proc.exitcode})", text)
    finally:
        proc.join(1)
        if proc.is_alive():
            proc.kill()
            proc.join()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses fork, SIGALRM and RLIMIT_AS")
def test_mutated_exercises_never_break_check_or_walk(tmp_path):
    seconds = float(os.environ.get("TRUSTDIALOG_FUZZ_SECONDS") or DEFAULT_SECONDS)
    seed = int(os.environ.get("TRUSTDIALOG_FUZZ_SEED") or 20261202)
    status, count, took, problem, text = fuzz(seconds, seed, tmp_path)
    print(f"\nfuzz: seed {seed}: {count:,} inputs in {took:.1f} s ({count / max(took, 1e-9):.0f}/s): {status}")
    if status != "ok":
        (tmp_path / "finding.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
        pytest.fail(f"input {count} (seed {seed}): {problem}\n--- input ---\n{text[:4000]}")
    assert count > 0


def test_the_mutator_changes_its_input_and_repeats_with_its_seed():
    base = (shipped_dir() / "the-floor.toml").read_text(encoding="utf-8")
    first = [mutate(random.Random(7), base) for _ in range(1)] + [mutate(random.Random(i), base) for i in range(50)]
    again = [mutate(random.Random(7), base) for _ in range(1)] + [mutate(random.Random(i), base) for i in range(50)]
    assert first == again
    assert sum(m != base for m in first) >= 40
