"""The provenance package keeps to its layer, and c2pa stays inside one module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import greenlight.provenance as provenance

PACKAGE = Path(provenance.__file__).parent
ALLOWED = ("greenlight.domain", "greenlight.media", "greenlight.errors", "greenlight.provenance")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_domain_media_and_errors_are_imported() -> None:
    for path in PACKAGE.glob("*.py"):
        inner = {n for n in _imports(path) if n.startswith("greenlight")}
        assert all(n.startswith(ALLOWED) for n in inner), (path.name, inner)


def test_c2pa_is_imported_by_manifest_only() -> None:
    users = {p.name for p in PACKAGE.glob("*.py") if any(n.split(".")[0] == "c2pa" for n in _imports(p))}
    assert users == {"manifest.py"}


def test_importing_the_package_loads_neither_c2pa_nor_pyav() -> None:
    code = "import sys, greenlight.provenance; print('c2pa' in sys.modules, 'av' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_public_names_resolve() -> None:
    for name in provenance.__all__:
        assert getattr(provenance, name) is not None, name
