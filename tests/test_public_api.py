"""The public surface: ``bedrock_paginate.__all__`` is importable, documented and complete.

In the manner of httpx's ``test_exported_members``: every exported name resolves and has a
docstring, the type checkers' view (the ``TYPE_CHECKING`` re-exports) is the same table, every
type a public method, property or result field returns is exported, every library exception is
in the error tree and exported, and the version has one value wherever it is read.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import attrs
import pytest

import bedrock_paginate
from bedrock_paginate import BedrockPaginateError

if TYPE_CHECKING:
    from bedrock_paginate import ClientOptions

INIT = Path(bedrock_paginate.__file__)
PUBLIC = sorted(set(bedrock_paginate.__all__) - {"__version__"})
#: Modules that need an optional dependency or are not part of the library's surface.
_NOT_IMPORTED = {"bedrock_paginate.__main__", "bedrock_paginate.pytest_plugin"}


def _package_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(bedrock_paginate.__path__, "bedrock_paginate.")
        if info.name not in _NOT_IMPORTED
    ]
    return [bedrock_paginate, *(importlib.import_module(name) for name in names)]


def _package_classes() -> dict[str, type]:
    """Every class defined in the package, by name (the first definition wins)."""
    found: dict[str, type] = {}
    for module in _package_modules():
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                found.setdefault(name, value)
    return found


def test_dir_and_all_agree() -> None:
    """``dir()`` lists exactly ``__all__``, which has no duplicates."""
    assert len(bedrock_paginate.__all__) == len(set(bedrock_paginate.__all__))
    assert sorted(dir(bedrock_paginate)) == sorted(bedrock_paginate.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_importable_and_documented(name: str) -> None:
    """Each name resolves, belongs to the package, and has its own docstring."""
    value = getattr(bedrock_paginate, name)
    assert value.__module__.startswith("bedrock_paginate"), name
    assert inspect.getdoc(value), f"{name} has no docstring"


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Clinet'"):
        bedrock_paginate.Clinet  # type: ignore[attr-defined]  # noqa: B018


def test_type_checkers_see_the_same_table() -> None:
    """The ``TYPE_CHECKING`` imports of ``__init__`` re-export (``X as X``) exactly the names of
    ``_EXPORTS``, each from the module the table names."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name):
            assert node.test.id == "TYPE_CHECKING"
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    assert alias.asname == alias.name, f"{alias.name} is not re-exported"
                    seen[alias.name] = "." * statement.level + (statement.module or "")
    exports: dict[str, str] = bedrock_paginate._EXPORTS
    assert seen == exports


def _annotation_names(annotation: object) -> set[str]:
    if annotation is inspect.Parameter.empty:
        return set()
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(annotation)))


def _returned_names(cls: type) -> dict[str, set[str]]:
    """For each public method, property and attrs field of ``cls``: the identifiers in the
    annotation of what it returns."""
    found: dict[str, set[str]] = {}
    members = {
        name: member
        for klass in reversed(cls.__mro__)  # the package's base classes too (``meta``)
        if klass.__module__.startswith("bedrock_paginate")
        for name, member in vars(klass).items()
    }
    for name, member in members.items():
        if name.startswith("_") and name not in ("__iter__", "__aiter__", "__enter__"):
            continue
        if isinstance(member, property) and member.fget is not None:
            found[name] = _annotation_names(inspect.signature(member.fget).return_annotation)
        elif inspect.isfunction(member):
            found[name] = _annotation_names(inspect.signature(member).return_annotation)
    if attrs.has(cls):
        for field in attrs.fields(cls):
            found[field.name] = _annotation_names(field.type)
    return found


def test_every_type_a_public_member_returns_is_exported() -> None:
    """What a public method, property or result field hands back can be named by a user:
    every package class in those annotations is exported (``Paginator``, ``ClientMeta``,
    ``ResponseMetadata``, ...)."""
    classes = _package_classes()
    exported = set(PUBLIC)
    missing: list[str] = []
    for public in PUBLIC:
        value = getattr(bedrock_paginate, public)
        owners = [value] if inspect.isclass(value) else []
        for owner in owners:
            for member, names in _returned_names(owner).items():
                missing += [
                    f"{public}.{member} -> {name}"
                    for name in sorted(names)
                    if name in classes and name not in exported
                ]
        if inspect.isfunction(value):
            names = _annotation_names(inspect.signature(value).return_annotation)
            missing += [f"{public}() -> {n}" for n in names if n in classes and n not in exported]
    assert missing == []


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        found += [sub, *_subclasses(sub)]
    return found


def test_every_library_exception_is_in_the_tree_and_exported() -> None:
    """Every public exception class the package defines (outside ``testing``) derives from
    ``BedrockPaginateError`` and is exported, so one ``except`` catches all of them."""
    exceptions = {
        name: cls
        for name, cls in _package_classes().items()
        if issubclass(cls, BaseException)
        and not name.startswith("_")
        and not cls.__module__.startswith("bedrock_paginate.testing")
    }
    assert "FixtureWriteError" in exceptions
    outside = sorted(n for n, c in exceptions.items() if not issubclass(c, BedrockPaginateError))
    assert outside == []
    tree = {c.__name__ for c in _subclasses(BedrockPaginateError) if c.__name__[0] != "_"}
    assert sorted(tree - set(PUBLIC)) == []
    assert sorted(set(exceptions) - set(PUBLIC)) == []


def test_version_has_one_value() -> None:
    """The installed distribution's version is ``__version__`` (the build reads it from there),
    and pyproject.toml does not write a second copy."""
    assert metadata.version("bedrock-paginate") == bedrock_paginate.__version__
    pyproject = (INIT.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"^version\s*=", pyproject, re.MULTILINE) is None
    assert 'dynamic = ["version"]' in pyproject


def test_misspelled_client_argument_names_the_closest_valid_one() -> None:
    """At run time a misspelled keyword argument is a TypeError that suggests the right name,
    as Python's own error would be (the signature is ``**options``, checked by hand)."""
    from bedrock_paginate import AsyncClient, Client, list_jobs_across_regions_sync
    from bedrock_paginate._config import resolve_config

    options: dict[str, Any] = {"regoin_name": "us-east-1", "environ": {}}
    for make in (Client, AsyncClient):
        with pytest.raises(TypeError, match=r"'regoin_name'; did you mean 'region_name'\?"):
            make(**options)
    with pytest.raises(TypeError, match=r"resolve_config\(\) got an unexpected .*'regoin_name'"):
        resolve_config(**options)
    with pytest.raises(TypeError, match=r"AsyncClient\(\) got an unexpected .*'regoin_name'"):
        list_jobs_across_regions_sync(["us-east-1"], client_kwargs=cast("ClientOptions", options))


@pytest.mark.parametrize("name", ["region_name", "profile_name"])
def test_client_kwargs_cannot_set_what_each_target_sets(name: str) -> None:
    """``client_kwargs`` naming the region or profile would clash with the targets: a clear
    ParamValidationError before any client is created (it was a bare TypeError)."""
    from bedrock_paginate import ParamValidationError, list_jobs_across_regions_sync

    with pytest.raises(ParamValidationError, match=f"client_kwargs cannot set {name}"):
        list_jobs_across_regions_sync(
            ["us-east-1"], client_kwargs=cast("ClientOptions", {name: "x"})
        )


def test_option_tables_match_the_validators() -> None:
    """The TypedDicts of the arguments list exactly the names the validators accept."""
    from bedrock_paginate._options import ListJobsParams, PaginationOptions
    from bedrock_paginate._paginator import _PAGINATION_KEYS
    from bedrock_paginate._serialize import LIST_JOBS_PARAMS

    assert set(ListJobsParams.__optional_keys__) == set(LIST_JOBS_PARAMS)
    assert set(PaginationOptions.__optional_keys__) == set(_PAGINATION_KEYS)
