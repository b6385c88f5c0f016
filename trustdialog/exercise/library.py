"""Loading a library of exercise and vocabulary files; a broken file is skipped with its diagnostics."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from trustdialog.exercise import crossref, datafiles
from trustdialog.exercise.diagnostics import Diagnostic
from trustdialog.exercise.model import Exercise
from trustdialog.exercise.reader import read
from trustdialog.exercise.validate import Parsed, parse
from trustdialog.exercise.vocabulary import Vocabulary

MAX_PER_FILE = 100  # past this, the rest of a file's problems are noise


@dataclass
class Library:
    """Exercises (id -> Exercise, in the curated order), vocabularies, and every diagnostic met."""

    exercises: dict[str, Exercise] = field(default_factory=dict)
    vocab: dict[str, Vocabulary] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0  # how many files were read

    @property
    def errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """A library folder's exercise files (`*.toml`) and vocabulary files (`vocab/*.toml`)."""
    return sorted(folder.glob("*.toml")), sorted((folder / "vocab").glob("*.toml"))


def _parse_file(path: Path) -> tuple[Parsed | None, list[Diagnostic]]:
    try:
        source, problems = read(path)
        if source is None:
            return None, problems
        return parse(source), []
    except RecursionError:
        return None, [Diagnostic(str(path), 1, 1, "TD007", "tables or arrays nested too deeply")]
    except Exception as error:  # never a traceback for an author; the code says it is our bug
        return None, [Diagnostic(str(path), 1, 1, "TD009", f"internal error: {type(error).__name__}: {error}")]


def _finish(parsed: Parsed) -> list[Diagnostic]:
    out = sorted(parsed.source.diagnostics, key=lambda d: (d.line, d.col))
    if len(out) > MAX_PER_FILE:
        rest = len(out) - MAX_PER_FILE
        last = out[MAX_PER_FILE - 1]
        out = out[:MAX_PER_FILE] + [Diagnostic(last.path, last.line, last.col, "TD034",
                                               f"{rest} more problems in this file are not shown")]
    return out


def build(
    exercise_files: Iterable[Path], vocab_files: Iterable[Path], context_vocab: dict[str, Vocabulary] | None = None,
) -> Library:
    """Load the given files into one library; `context_vocab` resolves vocab names too."""
    lib = Library()
    lib.vocab = dict(context_vocab or {})
    own_vocab: dict[str, str] = {}
    parsed_exercises: list[Parsed] = []
    for path in list(vocab_files) + list(exercise_files):
        lib.files += 1
        parsed, problems = _parse_file(path)
        if parsed is None:
            lib.diagnostics += problems
            continue
        if parsed.vocabulary is not None:
            v = parsed.vocabulary
            if v.id in own_vocab and not parsed.source.errors:
                parsed.source.report("TD048", f"vocabulary id '{v.id}' is also used by {own_vocab[v.id]}",
                                     ("vocabulary", "id"), value=True)
            if not parsed.source.errors:
                own_vocab[v.id] = parsed.source.path
                lib.vocab[v.id] = v
            lib.diagnostics += _finish(parsed)
        else:
            parsed_exercises.append(parsed)
    seen: dict[str, str] = {}
    for parsed in parsed_exercises:
        try:
            crossref.check(parsed, lib.vocab)
        except Exception as error:  # a checker bug must not hide the other files
            parsed.source.report("TD009", f"internal error: {type(error).__name__}: {error}")
        ex = parsed.exercise
        if ex is not None:
            _check_file_name(parsed, ex)
        if ex is not None and ex.id in seen and ex.id:
            parsed.source.report("TD041", f"exercise id '{ex.id}' is also used by {seen[ex.id]}",
                                 ("exercise", "id"), value=True)
        if ex is not None and not parsed.source.errors:
            seen[ex.id] = parsed.source.path
            lib.exercises[ex.id] = ex
        lib.diagnostics += _finish(parsed)
    # The curated order: `order` first, then titles (a facilitator's own files without one follow).
    lib.exercises = {ex.id: ex for ex in sorted(lib.exercises.values(), key=lambda ex: ex.shelf_key)}
    return lib


def _check_file_name(parsed: Parsed, ex: Exercise) -> None:
    """A file is named after its exercise id (TD038), so a facilitator finds one from the other."""
    name = Path(parsed.source.path).name
    # A missing or invalid id is reported on its own (and left empty here).
    if ex.id and name != f"{ex.id}.toml":
        parsed.source.report("TD038", f"this file is named '{name}' but holds exercise '{ex.id}'; name it "
                             f"'{ex.id}.toml' so the file and the id can be found from each other",
                             ("exercise", "id"), value=True)


def shipped_dir() -> Path:
    from trustdialog.locations import library_dir

    return library_dir()


def _check_data(lib: Library, files: Iterable[Path]) -> None:
    """Add the diagnostics of data files (hints, resources) to `lib`."""
    for path in files:
        lib.files += 1
        try:
            lib.diagnostics += datafiles.check_data_file(path)
        except Exception as error:  # never a traceback for an author; the code says it is our bug
            lib.diagnostics.append(Diagnostic(str(path), 1, 1, "TD009", f"internal error: {type(error).__name__}: {error}"))


def load_library(
    extra_dirs: Iterable[str | os.PathLike[str]] = (), include_shipped: bool = True, data_files: bool = True,
) -> Library:
    """The shipped library and any extra folders (same layout); broken files are skipped.

    With `data_files`, each folder's data/hints.toml and data/resources.toml
    are checked too (they are loaded by their own modules; only the
    diagnostics are kept here).
    """
    folders = ([shipped_dir()] if include_shipped else []) + [Path(d) for d in extra_dirs]
    exercises: list[Path] = []
    vocab: list[Path] = []
    data: list[Path] = []
    lib_problems: list[Diagnostic] = []
    for folder in folders:
        if not folder.is_dir():
            lib_problems.append(Diagnostic(str(folder), 1, 1, "TD001", "no such folder"))
            continue
        ex, vo = folder_files(folder)
        exercises += ex
        vocab += vo
        data += datafiles.data_files(folder) if data_files else []
    lib = build(exercises, vocab)
    _check_data(lib, _unique(data))
    lib.diagnostics = lib_problems + lib.diagnostics
    return lib


def context_vocab(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> dict[str, Vocabulary]:
    """The vocabularies of the shipped library and extra folders (their exercises are not read)."""
    files = [f for d in [shipped_dir(), *map(Path, extra_dirs)] if d.is_dir() for f in folder_files(d)[1]]
    return build([], files).vocab


def load_file(path: str | os.PathLike[str]) -> Library:
    """One exercise (or vocabulary) file, its names resolved against the shipped vocabularies."""
    context = context_vocab()
    p = Path(path)
    is_vocab = p.parent.name == "vocab"
    return build([] if is_vocab else [p], [p] if is_vocab else [], context)


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for p in paths:
        key = p.resolve() if p.exists() else p
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def check_paths(paths: Iterable[str | os.PathLike[str]], extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> Library:
    """The files and folders to check, names resolved against the shipped and extra vocabularies."""
    exercises: list[Path] = []
    vocab: list[Path] = []
    data: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            ex, vo = folder_files(p)
            da = datafiles.data_files(p)
            if not ex and not vo and not da:
                problems.append(Diagnostic(str(p), 1, 1, "TD008",
                                           "no .toml files in this folder (nor in vocab/ or data/)"))
            exercises += ex
            vocab += vo
            data += da
        elif p.parent.name == "vocab":
            vocab.append(p)
        elif datafiles.is_data_file(p):
            data.append(p)
        else:
            exercises.append(p)  # missing paths are reported by the reader
    # The same file named twice (a folder and a file in it) is read once.
    exercises, vocab = _unique(exercises), _unique(vocab)
    lib = build(exercises, vocab, context_vocab(extra_dirs))
    _check_data(lib, _unique(data))
    lib.diagnostics = problems + lib.diagnostics
    return lib
