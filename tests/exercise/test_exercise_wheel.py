"""The shipped library travels in the wheel: installed, it loads from the package, not the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import json, trustdialog
from trustdialog.exercise import load_library
from trustdialog.locations import library_dir
lib = load_library()
print(json.dumps({"package": trustdialog.__file__, "library": str(library_dir()),
                  "exercises": sorted(lib.exercises), "vocab": sorted(lib.vocab),
                  "errors": [str(d) for d in lib.diagnostics if d.is_error]}))
"""


@pytest.mark.slow
def test_wheel_carries_the_library_and_the_schema(tmp_path):
    wheels = tmp_path / "wheels"
    # Build isolation fetches hatchling from the package index; the project venv stays as it is.
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, capture_output=True, timeout=180)
    (wheel,) = wheels.glob("trustdialog-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    target = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, str(wheel)],
                   check=True, capture_output=True, timeout=120)
    # Isolated mode (-I): no checkout on the path. Dependencies (rich, platformdirs...) come from the
    # project venv, appended after the wheel's own site-packages, so trustdialog is the wheel's.
    deps = sysconfig.get_paths()["purelib"]
    out = subprocess.run([str(python), "-I", "-c", f"import sys; sys.path.append({deps!r})\n" + CODE],
                         capture_output=True, text=True, check=True, cwd=tmp_path, timeout=60)
    import json

    info = json.loads(out.stdout)
    assert info["package"].startswith(target), info
    assert info["library"].startswith(target) and info["library"].endswith("_library")
    assert "when-i-felt" in info["exercises"] and "feelings" in info["vocab"]
    assert info["errors"] == []
    shipped = sorted(p.stem for p in (ROOT / "exercises").glob("*.toml"))
    assert len(info["exercises"]) == len(shipped)
    assert (Path(target) / "trustdialog" / "exercise" / "schema.json").is_file()
