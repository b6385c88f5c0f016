"""The boundary between the app and its screens: screens ask by message, the app owns the session.

No module under ui/screens, ui/widgets or ui/overlays (nor the other screens
beside the app) imports ui/app.py when it runs: they reach the app typed,
through an import that only the type checker sees. And no screen assigns an
attribute of the app: what changes the running session is the app's to do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "trustdialog" / "ui"
MODULES = sorted(p for p in UI.rglob("*.py") if p.name != "app.py")


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _tree(path: Path) -> tuple[ast.Module, dict[ast.AST, ast.AST]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    return tree, parents


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_no_screen_imports_the_app_at_run_time(path):
    tree, parents = _tree(path)
    bad = [node.lineno for node in ast.walk(tree)
           if isinstance(node, ast.ImportFrom) and node.module == "trustdialog.ui.app"
           and not _type_checking_only(node, parents)]
    assert bad == [], f"{path.name} imports trustdialog.ui.app at run time (lines {bad})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_no_screen_assigns_the_apps_attributes(path):
    tree, _ = _tree(path)

    def is_app(node: ast.AST) -> bool:
        text = ast.unparse(node)
        return text in ("app", "self.app", "self.trust") or text.endswith(".app")

    bad = [node.lineno for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AugAssign))
           for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
           if isinstance(target, ast.Attribute) and is_app(target.value)]
    assert bad == [], f"{path.name} assigns app attributes (lines {bad}); post a message instead"


def test_the_rules_see_a_run_time_import_and_an_assignment(tmp_path):
    """The two checks above find what they are for (so they cannot pass by looking at nothing)."""
    sample = tmp_path / "sample.py"
    sample.write_text("from trustdialog.ui.app import TrustDialogApp\n"
                      "def f(self):\n    self.app.session = None\n", encoding="utf-8")
    tree, parents = _tree(sample)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert imports and not _type_checking_only(imports[0], parents)
    assigns = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    assert ast.unparse(assigns[0].targets[0].value) == "self.app"
    assert MODULES, "no UI modules found"
