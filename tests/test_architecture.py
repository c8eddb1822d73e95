"""The import direction of architecture.md, checked by import-linter's contracts in pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed")
    res = subprocess.run([exe, "--config", str(REPO / "pyproject.toml"), "--no-cache"], cwd=REPO / "src",
                         capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent)})
    assert res.returncode == 0, res.stdout + res.stderr


def test_core_imports_without_qt():
    code = (
        "import sys; import mapdesk.io, mapdesk.domain, mapdesk.analysis, mapdesk.model;"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'core imported Qt'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(REPO / "src")})


def test_only_gui_imports_qtwidgets():
    # import-linter cannot forbid a sub-module of an external package, so read the imports.
    import ast

    offenders = []
    for path in (REPO / "src" / "mapdesk").rglob("*.py"):
        rel = path.relative_to(REPO / "src" / "mapdesk")
        if rel.parts[0] == "gui":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n.startswith("PySide6.QtWidgets") for n in names):
                offenders.append(str(rel))
    assert not offenders, f"QtWidgets imported outside gui: {offenders}"
