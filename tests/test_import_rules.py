"""The import rules the module docstrings state, enforced.

Each module's imports are read with ``ast`` -- at module level and inside functions (a lazy
import counts: the rules say *never*), but not under ``if TYPE_CHECKING:``, which costs nothing
at run time -- and checked against :data:`RULES`. A subprocess then checks what an import
actually loads, for the rules about cold-start cost.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bedrock_paginate"

#: The socket-free core (README "Layout"): never httpx, at any level.
CORE = (
    "_decode",
    "_endpoints",
    "_engine",
    "_failures",
    "_http",
    "_job_models",
    "_job_operations",
    "_job_params",
    "_operations",
    "_options",
    "_paginator",
    "_profiles",
    "_proxies",
    "_redact",
    "_retry",
    "_serialize",
    "_sigv4",
    "_skew",
    "_time",
    "_tokens",
    "_xml",
    "_waiter",
    "_watch",
    "_cli_values",
    "errors",
    "models",
)


@attrs.frozen
class Rule:
    """What a module may import. ``None`` means unconstrained."""

    #: Modules of the package it may import (names relative to ``bedrock_paginate``).
    package: frozenset[str] | None = None
    #: Third-party distributions it may import (the standard library is always allowed).
    third_party: frozenset[str] | None = None
    #: Names it must never import, package-relative (``_client``) or top-level (``httpx``).
    never: frozenset[str] = frozenset()
    #: Names it must not import at module level (a lazy import inside a function is fine).
    never_at_import: frozenset[str] = frozenset()
    #: Where the rule is stated.
    source: str = ""


def _rule(
    package: tuple[str, ...] | None = None,
    third_party: tuple[str, ...] | None = None,
    never: tuple[str, ...] = (),
    never_at_import: tuple[str, ...] = (),
    source: str = "",
) -> Rule:
    return Rule(
        package=None if package is None else frozenset(package),
        third_party=None if third_party is None else frozenset(third_party),
        never=frozenset(never),
        never_at_import=frozenset(never_at_import),
        source=source,
    )


RULES: dict[str, Rule] = {
    **{name: _rule(never=("httpx",), source="README Layout: the core") for name in CORE},
    "models": _rule(package=(), third_party=("attrs",), source="models: imports nothing"),
    "errors": _rule(package=(), third_party=(), source="errors: imports nothing"),
    "_options": _rule(package=(), third_party=(), source="_options: pure"),
    "_redact": _rule(package=(), third_party=(), source="_redact: only the standard library"),
    "_time": _rule(package=(), third_party=(), source="_time: only the standard library"),
    "_xml": _rule(package=("errors",), third_party=("attrs",), source="_xml docstring"),
    "_sigv4": _rule(
        package=("_redact", "_time", "errors"),
        third_party=(),
        source="_sigv4: the standard library and _redact, _time, errors",
    ),
    "_operations": _rule(never=("httpx", "_config", "_credentials"), source="_operations"),
    "_skew": _rule(
        package=("_retry", "_time"), third_party=(), source="_skew: pure, applied by _engine"
    ),
    "_failures": _rule(never=("httpx", "_config", "_credentials"), source="_failures: pure"),
    "_endpoints": _rule(package=("errors",), never=("httpx",), source="_endpoints docstring"),
    "_profiles": _rule(package=("errors",), third_party=(), source="_profiles docstring"),
    "_http": _rule(never=("httpx",), source="_http: the core never imports httpx"),
    "_output": _rule(package=("models", "_time"), third_party=(), source="_output docstring"),
    "_job_models": _rule(
        package=("models",), third_party=("attrs",), source="_job_models: only models"
    ),
    "_job_params": _rule(
        package=("_serialize", "errors"), third_party=(), source="_job_params: pure"
    ),
    "_waiter": _rule(package=("_job_models", "errors"), third_party=(), source="_waiter: pure"),
    "_watch": _rule(package=("_job_models",), third_party=("attrs",), source="_watch: no I/O"),
    "_cli_values": _rule(package=("errors",), third_party=(), source="_cli_values docstring"),
    "_job_options": _rule(package=("models",), third_party=(), source="_job_options: pure"),
    "_config_values": _rule(
        package=("_profiles", "errors"), third_party=(), source="_config_values docstring"
    ),
    "_httpx_adapter": _rule(
        package=("_http", "_redact", "errors"),
        third_party=("httpx",),
        source="_httpx_adapter docstring",
    ),
    "_pagination_shell": _rule(
        never=("httpx", "_client", "_config", "_credentials"),
        source="_pagination_shell docstring: over a client's _call, no httpx",
    ),
    "_layer": _rule(never=("httpx", "cattrs", "jmespath", "_client"), source="_layer docstring"),
    "testing": _rule(
        third_party=("httpx", "attrs", "cryptography"), source="testing/__init__ docstring"
    ),
    "_credentials": _rule(
        never_at_import=("httpx", "subprocess", "cryptography"),
        source="_credentials/__init__: providers import httpx/subprocess/cryptography inside "
        "functions",
    ),
}


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(path: Path, module: str, *, at_import: bool = False) -> set[str]:
    """Absolute names of everything ``path`` (module ``module``) may import at run time; with
    ``at_import``, only what importing it runs (not the bodies of functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = module.split(".")[: -1 if path.name != "__init__.py" else None]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if at_import and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(node, ast.If) and _type_checking_only(node):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if node.module:
                found.add(name)
            else:  # ``from . import errors``: the names are modules (or package attributes)
                found.update(f"{name}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _modules() -> dict[str, Path]:
    """Every module of the package by its name relative to ``bedrock_paginate``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _rule_for(name: str) -> tuple[str, Rule] | None:
    """The rule of ``name`` or of the package (``testing``) it is part of."""
    for candidate in (name, name.split(".")[0]):
        if candidate in RULES:
            return candidate, RULES[candidate]
    return None


def _violations(name: str, imports: set[str], rule: Rule) -> list[str]:
    problems = []
    top = "bedrock_paginate."
    own_package = name.split(".")[0] + "." if "." in name or name == "testing" else None
    for imported in sorted(imports):
        if imported == "bedrock_paginate":
            inner = ""
        elif imported.startswith(top):
            inner = imported[len(top) :]
        else:
            inner = None
        if inner is not None:
            if own_package is not None and (inner + ".").startswith(own_package):
                continue  # inside its own sub-package (testing._fake -> testing._time)
            if inner in rule.never or inner.split(".")[0] in rule.never:
                problems.append(f"{name} imports {inner} (never allowed)")
            elif rule.package is not None and inner.split(".")[0] not in rule.package:
                problems.append(f"{name} imports bedrock_paginate.{inner}")
            continue
        root = imported.split(".")[0]
        if root in rule.never:
            problems.append(f"{name} imports {imported} (never allowed)")
        elif (
            rule.third_party is not None
            and root not in sys.stdlib_module_names
            and root not in rule.third_party
        ):
            problems.append(f"{name} imports third-party {imported}")
    return problems


def test_every_rule_names_an_existing_module() -> None:
    modules = _modules()
    assert sorted(set(RULES) - set(modules)) == []


@pytest.mark.parametrize("name", [name for name in _modules() if _rule_for(name) is not None])
def test_module_imports_follow_the_stated_rules(name: str) -> None:
    """Each module imports only what its rule allows (lazy imports included)."""
    found = _rule_for(name)
    assert found is not None
    path, rule = _modules()[name], found[1]
    imports = _run_time_imports(path, f"bedrock_paginate.{name}")
    problems = _violations(name, imports, rule)
    at_import = _run_time_imports(path, f"bedrock_paginate.{name}", at_import=True)
    problems += [
        f"{name} imports {imported} when imported (import it inside the function using it)"
        for imported in sorted(at_import)
        if imported.split(".")[0] in rule.never_at_import
    ]
    assert problems == [], rule.source


def test_the_checker_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    """The checker itself: a function-level ``import httpx`` and a relative import of a
    forbidden module are both found; a ``TYPE_CHECKING`` import is not."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from .. import _client\n"
        "if TYPE_CHECKING:\n    import jmespath\n"
        "def later():\n    import httpx\n"
    )
    path = tmp_path / "mod.py"
    path.write_text(source, encoding="utf-8")
    imports = _run_time_imports(path, "bedrock_paginate.testing.mod")
    assert imports == {"typing", "bedrock_paginate._client", "httpx"}
    at_import = _run_time_imports(path, "bedrock_paginate.testing.mod", at_import=True)
    assert at_import == {"typing", "bedrock_paginate._client"}
    rule = _rule(package=("errors",), third_party=(), never=("httpx",))
    assert _violations("models", imports, rule) == [
        "models imports bedrock_paginate._client",
        "models imports httpx (never allowed)",
    ]


_PROBE = """
import json, sys
before = set(sys.modules)
exec(sys.argv[1])
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def _loaded_by(statement: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, statement],
        check=True,
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
    ).stdout
    loaded: list[str] = json.loads(out)
    return set(loaded)


#: Never loaded by ``import bedrock_paginate`` nor ``from bedrock_paginate import Client``
#: (``__init__`` docstring): the cold start of a listing pays for none of them.
HEAVY = ("asyncio", "anyio", "argparse", "importlib.metadata", "jmespath")
NOT_ON_THE_CLIENT_PATH = (
    "cli",
    "fixtures",
    "testing",
    "_layer",
    "_regions",
    "_output",
    # credential providers load when the chain reaches them (_credentials docstring)
    "_credentials._process",
    "_credentials._container",
    "_credentials._imds",
    # nothing of STS unless a profile needs it (_credentials docstring)
    "_credentials._assume_role",
    "_credentials._web_identity",
    "_credentials._sts",
    "_credentials._nested",
    "_credentials._role_cache",
    "_xml",
    # nothing of SSO or aws login unless a profile needs it (_credentials docstring)
    "_credentials._sso",
    "_credentials._login",
    "_credentials._json_call",
    "_credentials._service_endpoints",
    "_credentials._cache_files",
)


def test_import_bedrock_paginate_loads_only_the_package_itself() -> None:
    loaded = _loaded_by("import bedrock_paginate")
    assert sorted(m for m in loaded if m.startswith("bedrock_paginate")) == ["bedrock_paginate"]
    assert sorted(loaded & {"httpx", "attrs", "cattrs", *HEAVY}) == []


def test_importing_the_client_loads_only_the_client_path() -> None:
    loaded = _loaded_by("from bedrock_paginate import Client")
    assert sorted(loaded & set(HEAVY)) == []
    off_path = sorted(
        m
        for m in loaded
        for name in NOT_ON_THE_CLIENT_PATH
        if m == f"bedrock_paginate.{name}" or m.startswith(f"bedrock_paginate.{name}.")
    )
    assert "bedrock_paginate._client" in loaded
    assert off_path == []


def test_importing_the_cli_defers_httpx_the_client_and_jmespath() -> None:
    """``cli`` docstring: argparse, httpx, the client and jmespath load when a command needs
    them, so ``--help`` and ``--version`` stay fast."""
    loaded = _loaded_by("import bedrock_paginate.cli")
    assert sorted(loaded & {"httpx", "jmespath", "argparse", "bedrock_paginate._client"}) == []
