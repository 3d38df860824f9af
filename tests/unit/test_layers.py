"""The layering rules of docs/architecture.md: import-linter's contracts (pyproject.toml) for the layers,
and a scan for QtWidgets, which import-linter cannot express for an external package's submodule."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layers_point_downward():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency: run make setup"
    res = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_only_the_ui_imports_qtwidgets():
    offenders = []
    for path in (ROOT / "studio").rglob("*.py"):
        if path.is_relative_to(ROOT / "studio" / "ui"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n.startswith("PySide6.QtWidgets") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"QtWidgets imported outside studio/ui: {offenders}"
