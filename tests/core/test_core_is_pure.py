"""`webinar_tray/core` is pure: it imports only the standard library and the package itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import webinar_tray.core

CORE = Path(webinar_tray.core.__file__).parent
ALLOWED = set(sys.stdlib_module_names) | {"webinar_tray", "__future__"}
FILES = sorted(CORE.rglob("*.py"))


def imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the package
                continue
            yield node.lineno, node.module or ""


def test_core_has_modules():
    assert any(f.name == "events.py" for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(CORE)) for f in FILES])
def test_imports_only_stdlib_and_itself(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [
        f"{path.name}:{line}: {name}"
        for line, name in imported_modules(tree)
        if name.split(".")[0] not in ALLOWED
        # "itself" is the core package, not the adapters or the runtime
        or (name.split(".")[0] == "webinar_tray" and not name.startswith("webinar_tray.core"))
    ]
    assert not bad, "core must stay pure (stdlib only): " + ", ".join(bad)
