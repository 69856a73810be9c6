"""Build an AWS Lambda layer zip of bedrock-paginate (``bedrock-paginate build-layer``).

A layer is a zip whose ``python/`` folder Lambda puts on ``sys.path`` (as ``/opt/python``). The
builder installs this library and its run-time dependencies there with pip, for the Lambda
platform (``manylinux2014_x86_64`` or ``manylinux2014_aarch64``, CPython 3.X, binary wheels
only), removes what a function never uses (``__pycache__``, ``*.pyc``, ``tests``, console
scripts, pip's install records; the ``*.dist-info`` metadata stays for ``importlib.metadata``),
and writes a reproducible zip (sorted entries, fixed timestamps). With ``compile_bytecode``
(``--compile``) it ships unchecked-hash ``.pyc`` files instead: Lambda's ``/opt`` is read-only,
so without them each cold start compiles the library again (measured: about 210 ms instead of
105 ms for ``from bedrock_paginate import Client``).

The library itself comes from its source checkout (``pip wheel``) when it runs from one, else
from the files of the installed distribution, repacked as a wheel.

pip's ``--python-version`` picks wheels for the target, but it evaluates environment markers
(``exceptiongroup; python_version < "3.11"``) for the *running* interpreter. So the builder
evaluates every ``Requires-Dist`` of the installed tree again for the target and adds what pip
left out.

Imports only the standard library, attrs and the package's ``errors`` / ``_argparse`` (pip runs
in a subprocess; never httpx or cattrs) and is never imported by ``import bedrock_paginate``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs

from ._argparse import EXIT_OTHER, EXIT_USAGE, new_parser, parse
from .errors import BedrockPaginateError, ParamValidationError

__all__ = [
    "ARCHITECTURES",
    "PYTHON_VERSIONS",
    "LayerInfo",
    "build_layer",
    "compile_tree",
    "main",
    "missing_requirements",
    "platform_tag",
    "strip_tree",
    "wheel_from_distribution",
    "write_zip",
]

#: Lambda architectures and the wheel platform tag for each.
ARCHITECTURES: dict[str, str] = {
    "x86_64": "manylinux2014_x86_64",
    "arm64": "manylinux2014_aarch64",
}
#: Lambda Python runtimes this library supports (it needs Python >= 3.10).
PYTHON_VERSIONS: tuple[str, ...] = ("3.10", "3.11", "3.12", "3.13", "3.14")

_DISTRIBUTION = "bedrock-paginate"
_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}
_STRIP_DIRS = frozenset({"__pycache__", "tests", "test"})
_STRIP_SUFFIXES = (".pyc", ".pyo")
_STRIP_DIST_INFO = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MAX_MARKER_ROUNDS = 5
_PIP_TAIL = 3000

Progress = Callable[[str], None]


@attrs.frozen(kw_only=True)
class LayerInfo:
    """What :func:`build_layer` wrote."""

    path: Path
    #: Size of the zip file in bytes.
    size: int
    #: Size of the files inside, uncompressed.
    unpacked_size: int
    files: int
    python: str
    arch: str
    platform: str
    #: ``name==version`` of every distribution in the layer, sorted.
    distributions: tuple[str, ...]


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


# --- checks -----------------------------------------------------------------------------------


def platform_tag(arch: str) -> str:
    """The wheel platform tag for a Lambda architecture (``x86_64`` or ``arm64``)."""
    tag = ARCHITECTURES.get(arch)
    if tag is None:
        allowed = ", ".join(ARCHITECTURES)
        raise ParamValidationError(
            f"unknown Lambda architecture {arch!r}; allowed: {allowed}", param="arch"
        )
    return tag


def _check_python(python: str) -> str:
    if python not in PYTHON_VERSIONS:
        allowed = ", ".join(PYTHON_VERSIONS)
        raise ParamValidationError(
            f"unsupported Python version {python!r} for the layer; allowed: {allowed}",
            param="python",
        )
    return python


# --- the library's own wheel ------------------------------------------------------------------


def _source_dir() -> Path | None:
    """The checkout this module runs from, if it is one (else ``None``: an installed copy)."""
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    text = pyproject.read_text(encoding="utf-8", errors="replace")
    return root if re.search(r'^name\s*=\s*"bedrock-paginate"', text, re.MULTILINE) else None


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def _wheel_entries(dist: metadata.Distribution) -> list[tuple[str, Path]]:
    """(archive name, file) for every installed file that belongs in the wheel."""
    entries: list[tuple[str, Path]] = []
    for file in dist.files or ():
        name = file.as_posix()
        parts = file.parts
        if name.startswith("..") or "__pycache__" in parts or name.endswith(_STRIP_SUFFIXES):
            continue  # console scripts outside site-packages, byte code
        if parts[0].endswith(".dist-info") and parts[-1] in _STRIP_DIST_INFO:
            continue
        entries.append((name, Path(str(dist.locate_file(file)))))
    return entries


def wheel_from_distribution(dist: metadata.Distribution, out_dir: Path) -> Path:
    """Repack an installed pure-Python distribution's files (its RECORD) as a ``py3`` wheel.

    Raises:
        BedrockPaginateError: the distribution lists no files or no ``.dist-info`` folder.
    """
    entries = _wheel_entries(dist)
    infos = sorted({name.split("/", 1)[0] for name, _ in entries if ".dist-info/" in name})
    if len(infos) != 1:
        raise BedrockPaginateError(
            f"cannot repack {dist.metadata['Name']} {dist.version}: its installation lists "
            "no files (no RECORD); build the layer from a source checkout instead"
        )
    info = infos[0]
    wheel = out_dir / f"{info.removesuffix('.dist-info')}-py3-none-any.whl"
    files = {name: path.read_bytes() for name, path in entries}
    files.setdefault(
        f"{info}/WHEEL",
        b"Wheel-Version: 1.0\nGenerator: bedrock-paginate\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    records = [f"{name},{_record_hash(data)},{len(data)}" for name, data in sorted(files.items())]
    records.append(f"{info}/RECORD,,")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return wheel


def _project_wheel(out_dir: Path, source: Path | None, progress: Progress) -> Path:
    """This library as a wheel: built from ``source`` if given/found, else repacked."""
    src = source if source is not None else _source_dir()
    if src is not None:
        progress(f"building the {_DISTRIBUTION} wheel from {src} (pip wheel)")
        _pip(["wheel", "--no-deps", "--wheel-dir", str(out_dir), str(src)])
        wheels = sorted(out_dir.glob("bedrock_paginate-*.whl"))
        if not wheels:
            raise BedrockPaginateError(f"pip wheel built no bedrock_paginate wheel from {src}")
        return wheels[-1]
    try:
        dist = metadata.distribution(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise BedrockPaginateError(
            f"{_DISTRIBUTION} is neither installed nor running from a source checkout; "
            "install it (pip install bedrock-paginate) or pass source="
        ) from None
    progress(f"repacking the installed {_DISTRIBUTION} {dist.version} as a wheel")
    return wheel_from_distribution(dist, out_dir)


# --- pip --------------------------------------------------------------------------------------


def _pip(args: Sequence[str]) -> None:
    """Run ``python -m pip ARGS`` quietly; raise with the end of pip's output on failure."""
    command = [
        sys.executable,
        "-m",
        "pip",
        *args,
        "--disable-pip-version-check",
        "--no-input",
        "-q",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode == 0:
        return
    output = (proc.stderr or proc.stdout or "").strip()
    if "No module named pip" in output:
        raise BedrockPaginateError(
            f"build-layer runs pip, but {sys.executable} has no pip module; install pip into "
            "that environment (python -m ensurepip) and retry"
        )
    raise BedrockPaginateError(
        f"pip {args[0]} failed with exit code {proc.returncode}:\n{output[-_PIP_TAIL:]}"
    )


def _pip_install(
    target: Path,
    requirements: Sequence[str],
    *,
    python: str,
    arch: str,
    extra: Sequence[str],
    no_deps: bool = False,
) -> None:
    _pip(
        [
            "install",
            "--target",
            str(target),
            "--platform",
            platform_tag(arch),
            "--python-version",
            python,
            "--implementation",
            "cp",
            "--only-binary=:all:",
            "--no-compile",
            *(["--no-deps"] if no_deps else []),
            *extra,
            *requirements,
        ]
    )


# --- environment markers for the target --------------------------------------------------------


def _requirement_class() -> Any:
    """PEP 508 ``Requirement`` from ``packaging``, or pip's vendored copy, or ``None``."""
    for module in ("packaging.requirements", "pip._vendor.packaging.requirements"):
        try:
            found = importlib.import_module(module)
        except ImportError:
            continue
        return found.Requirement
    return None


def _target_environment(python: str, arch: str) -> dict[str, str]:
    """PEP 508 marker values of a Lambda runtime."""
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "os_name": "posix",
        "platform_system": "Linux",
        "platform_machine": _MACHINES[arch],
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed(target: Path) -> dict[str, metadata.Distribution]:
    """The distributions in ``target`` by normalised name."""
    found: dict[str, metadata.Distribution] = {}
    for info in sorted(target.glob("*.dist-info")):
        dist = metadata.PathDistribution(info)
        name = dist.metadata["Name"]
        if name:
            found[_normalize(name)] = dist
    return found


def missing_requirements(target: Path, python: str, arch: str) -> list[str] | None:
    """Requirements of the tree in ``target`` that apply on the target but are not installed.

    Returns the requirement strings (without their markers), or ``None`` when no PEP 508
    implementation (``packaging`` or pip's copy) is importable to evaluate markers.
    """
    requirement_cls = _requirement_class()
    if requirement_cls is None:
        return None
    environment = _target_environment(python, arch)
    installed = _installed(target)
    missing: dict[str, str] = {}
    for dist in installed.values():
        for line in dist.requires or ():
            req = requirement_cls(line)
            if req.marker is not None and not req.marker.evaluate(environment):
                continue
            name = _normalize(req.name)
            if name not in installed and name not in missing:
                missing[name] = f"{req.name}{req.specifier}"
    return sorted(missing.values())


def _complete_for_target(
    target: Path, python: str, arch: str, extra: Sequence[str], progress: Progress
) -> None:
    """Install what pip skipped because the running interpreter's markers differ."""
    for _ in range(_MAX_MARKER_ROUNDS):
        missing = missing_requirements(target, python, arch)
        if missing is None:
            progress(
                "warning: cannot evaluate environment markers (no 'packaging'); the "
                "layer has what pip chose for the running interpreter"
            )
            return
        if not missing:
            return
        progress(
            f"adding what Python {python} needs but this interpreter did not: " + ", ".join(missing)
        )
        _pip_install(target, missing, python=python, arch=arch, extra=extra, no_deps=True)
    raise BedrockPaginateError("requirements for the target kept changing; giving up")


# --- strip and zip ----------------------------------------------------------------------------


def strip_tree(root: Path) -> None:
    """Remove byte code, caches, test folders, console scripts and pip's install records."""
    shutil.rmtree(root / "bin", ignore_errors=True)
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if not path.exists() and not path.is_symlink():
            continue  # inside a folder removed already
        if path.is_dir() and not path.is_symlink():
            if path.name in _STRIP_DIRS:
                shutil.rmtree(path)
        elif path.suffix in _STRIP_SUFFIXES or (
            path.parent.name.endswith(".dist-info") and path.name in _STRIP_DIST_INFO
        ):
            path.unlink()


def _layer_files(root: Path) -> Iterable[tuple[str, Path]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield f"python/{path.relative_to(root).as_posix()}", path


def write_zip(root: Path, output: Path) -> tuple[int, int]:
    """Zip ``root`` as ``python/...`` into ``output`` reproducibly; return (files, bytes).

    Entries are sorted, dated 1980-01-01 and world-readable, so the same tree always gives the
    same zip. The file is written next to ``output`` and renamed into place.
    """
    files = unpacked = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for arcname, path in _layer_files(root):
                info = zipfile.ZipInfo(arcname, date_time=_ZIP_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                data = path.read_bytes()
                zf.writestr(info, data)
                files += 1
                unpacked += len(data)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return files, unpacked


# --- byte code ------------------------------------------------------------------------------


def _running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _check_can_compile(python: str) -> None:
    if python != _running_python():
        raise ParamValidationError(
            f"compiling byte code for Python {python} needs Python {python} to run the build; "
            f"this is Python {_running_python()} (run it with python{python}, or leave out "
            "--compile)",
            param="compile_bytecode",
        )


def compile_tree(root: Path) -> None:
    """Compile every module under ``root`` to unchecked-hash ``.pyc`` (PEP 552).

    Unchecked-hash byte code is used without comparing the source's mtime, which a zip does
    not keep exactly; the layer's files never change once published.

    Raises:
        BedrockPaginateError: a module does not compile.
    """
    import compileall
    import py_compile

    ok = compileall.compile_dir(
        str(root),
        quiet=1,
        workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        raise BedrockPaginateError(f"some modules under {root} do not compile")


# --- the builder ------------------------------------------------------------------------------


def _check_output(output: Path | str) -> Path:
    """The zip path, checked before the (minutes-long) build: not a directory, and a place
    where a file can be written."""
    if not isinstance(output, (str, os.PathLike)):
        raise ParamValidationError(
            f"output must be a path, got {type(output).__name__}", param="output"
        )
    path = Path(output)
    if path.is_dir() or path.name in ("", ".", ".."):
        raise ParamValidationError(
            f"output {str(output)!r} is a directory; name the zip to write, "
            f"e.g. {str(path / 'layer.zip')!r}",
            param="output",
        )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ParamValidationError(
            f"output {str(output)!r} cannot be written: {str(parent)!r} is not a writable "
            "directory",
            param="output",
        )
    return path


def build_layer(
    python: str,
    arch: str,
    output: Path,
    *,
    progress: Progress | None = None,
    source: Path | None = None,
    pip_args: Sequence[str] = (),
    compile_bytecode: bool = False,
) -> LayerInfo:
    """Build a Lambda layer zip of bedrock-paginate and its dependencies.

    Args:
        python: the Lambda runtime's Python version (``"3.12"``; see :data:`PYTHON_VERSIONS`).
        arch: ``"x86_64"`` or ``"arm64"``.
        output: the zip to write (replaced if it exists).
        progress: called with a line of text before each slow step.
        source: the project checkout to build from (default: the one this module runs from,
            else the installed distribution).
        pip_args: extra arguments for ``pip install`` (``--index-url``, ``--find-links``...).
        compile_bytecode: ship ``.pyc`` files (unchecked-hash, so zip timestamps do not matter).
            Lambda's ``/opt`` is read-only, so without them every cold start compiles the
            library from source (about twice the import time). Needs the build to run on the
            layer's Python version.

    Raises:
        ParamValidationError: an unknown Python version or architecture, or
            ``compile_bytecode`` on another Python version than the layer's.
        BedrockPaginateError: pip failed (its output is in the message), or no copy of the
            library to package was found.
    """
    say = progress or _quiet
    _check_python(python)
    tag = platform_tag(arch)
    if compile_bytecode:
        _check_can_compile(python)
    output = _check_output(output)
    with tempfile.TemporaryDirectory(prefix="bedrock-paginate-layer-") as tmp:
        work = Path(tmp)
        wheel = _project_wheel(work / "dist", source, say)
        target = work / "python"
        say(f"installing {wheel.name} and its dependencies for CPython {python} on {tag} (pip)")
        _pip_install(target, [str(wheel)], python=python, arch=arch, extra=pip_args)
        _complete_for_target(target, python, arch, pip_args, say)
        say("removing byte code, caches, tests and install records")
        strip_tree(target)
        if compile_bytecode:
            say(f"compiling byte code for CPython {python}")
            compile_tree(target)
        distributions = tuple(
            sorted(f"{d.metadata['Name']}=={d.version}" for d in _installed(target).values())
        )
        say(f"writing {output}")
        files, unpacked = write_zip(target, output)
    return LayerInfo(
        path=output,
        size=output.stat().st_size,
        unpacked_size=unpacked,
        files=files,
        python=python,
        arch=arch,
        platform=tag,
        distributions=distributions,
    )


# --- command line -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = new_parser(
        prog="bedrock-paginate build-layer",
        description="Build an AWS Lambda layer zip (python/ layout) holding bedrock-paginate "
        "and its dependencies, as wheels for the Lambda platform; prints its size.",
    )
    parser.add_argument(
        "--python",
        default="3.12",
        help=f"the Lambda runtime's Python ({', '.join(PYTHON_VERSIONS)}; default 3.12)",
    )
    parser.add_argument("--arch", default="x86_64", help="x86_64 (default) or arm64")
    parser.add_argument(
        "-o", "--output", default="layer.zip", type=Path, help="zip to write (layer.zip)"
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="include .pyc byte code (faster cold starts: /opt is read-only on Lambda); the "
        "build must run on the layer's Python version",
    )
    parser.add_argument(
        "--pip-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for pip install, e.g. --pip-arg=--index-url=URL (repeatable)",
    )
    return parser


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KiB"


def main(argv: Sequence[str] | None = None) -> int:
    """``bedrock-paginate build-layer``: build the layer, print its size; return the exit code.

    Exit codes: 0 done, 252 bad arguments, 255 the build failed (pip's message on stderr).
    """
    args = parse(_parser(), list(sys.argv[1:] if argv is None else argv))
    if isinstance(args, int):
        return args

    def progress(line: str) -> None:
        print(f"build-layer: {line}", file=sys.stderr, flush=True)

    try:
        info = build_layer(
            args.python,
            args.arch,
            args.output,
            progress=progress,
            pip_args=args.pip_arg,
            compile_bytecode=args.compile,
        )
    except ParamValidationError as exc:
        print(f"bedrock-paginate build-layer: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (BedrockPaginateError, OSError) as exc:
        print(f"bedrock-paginate build-layer: error: {exc}", file=sys.stderr)
        return EXIT_OTHER
    progress("contents: " + ", ".join(info.distributions))
    print(
        f"{info.path}: {_size(info.size)} ({info.size} bytes; {info.files} files, "
        f"{_size(info.unpacked_size)} unpacked) for Python {info.python} on {info.arch}"
    )
    return 0
