"""Exercise files: reading TOML into the validated model, with diagnostics at path:line:col."""

from trustdialog.exercise.diagnostics import Diagnostic
from trustdialog.exercise.library import Library, check_paths, load_file, load_library
from trustdialog.exercise.vocabulary import Group, Vocabulary

__all__ = ["Diagnostic", "Group", "Library", "Vocabulary", "check_paths", "load_file", "load_library"]
