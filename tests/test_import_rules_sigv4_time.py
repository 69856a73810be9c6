"""The import rules that ``_sigv4`` and ``_time`` state in their docstrings, checked on the source.

``_time`` imports only the standard library. ``_sigv4`` imports only the standard library and,
of the package, ``_redact``, ``_time`` and ``errors`` (never httpx). Checked by reading each
module's import statements, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import bedrock_paginate

PACKAGE = Path(bedrock_paginate.__file__).parent
RULES = {
    "_time": frozenset(),
    "_sigv4": frozenset(
        {"bedrock_paginate._redact", "bedrock_paginate._time", "bedrock_paginate.errors"}
    ),
}


def _imports(module: str) -> set[str]:
    """Absolute names of every module ``module`` imports (relative imports resolved)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = "bedrock_paginate" + (f".{base}" if base else "")
            names.add(base)
    return names


@pytest.mark.parametrize("module", sorted(RULES))
def test_imports_follow_the_docstring(module: str) -> None:
    """Only the standard library and the allowed package modules are imported."""
    imported = _imports(module)
    package = {name for name in imported if name.split(".")[0] == "bedrock_paginate"}
    third_party = {
        name
        for name in imported - package
        if name.split(".")[0] not in sys.stdlib_module_names and name != "__future__"
    }
    assert package <= RULES[module]
    assert third_party == set()
