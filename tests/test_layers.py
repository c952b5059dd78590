"""Arrows point one way: services, metrics and exports never import Flask or the web layer."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "outreach"


@pytest.mark.parametrize("layer", ["services", "metrics", "exports", "instruments"])
def test_layer_imports_neither_flask_nor_web(layer):
    offenders = []
    for path in (PACKAGE / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for name in names:
                if name.split(".")[0] in {"flask", "flask_login", "flask_wtf"} or ".web" in name or name == "..web":
                    offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []
