"""The socket-free core never imports httpx (or configuration), as the module docstrings state:
checked on the source, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bedrock_paginate

PACKAGE = Path(bedrock_paginate.__file__).parent
CORE = (
    "_decode",
    "_engine",
    "_failures",
    "_http",
    "_operations",
    "_paginator",
    "_retry",
    "_serialize",
    "_skew",
    "_tokens",
)
#: What the core may not import: the HTTP library and the configuration/credential sources.
FORBIDDEN = ("httpx", "bedrock_paginate._config", "bedrock_paginate._credentials")


def _imports(module: str) -> set[str]:
    """Absolute names of every module ``module`` imports (relative imports resolved), except
    those under ``if TYPE_CHECKING:`` (never run)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = "bedrock_paginate" + (f".{base}" if base else "")
            names.add(base)
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_httpx_nor_configuration(module: str) -> None:
    """Neither httpx nor the configuration/credential modules are imported, lazily or not."""
    found = {name for name in _imports(module) if any(name.startswith(bad) for bad in FORBIDDEN)}
    assert found == set()
