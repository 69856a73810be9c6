"""The Lambda layer builder (``bedrock_paginate._layer``, ``bedrock-paginate build-layer``).

Most tests are offline and fast: target checks, stripping, the reproducible zip, environment
markers for the target, repacking an installed distribution, and the command's exit codes.

NETWORK: the tests marked ``needs_pypi`` build a real layer with pip, which downloads the
dependencies' wheels from PyPI (pip's cache makes later runs take a few seconds). Set
``BEDROCK_PAGINATE_OFFLINE=1`` to skip them on a machine without PyPI. The built layer is
unzipped and imported by an isolated interpreter (``python -I -S``: no site-packages at all)
that replays a bundled fixture.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bedrock_paginate
from bedrock_paginate import _layer
from bedrock_paginate._layer import (
    ARCHITECTURES,
    PYTHON_VERSIONS,
    LayerInfo,
    build_layer,
    missing_requirements,
    platform_tag,
    strip_tree,
    wheel_from_distribution,
    write_zip,
)
from bedrock_paginate.errors import BedrockPaginateError, ParamValidationError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "list-multi-page.json"
LOCAL_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
LOCAL_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
    platform.machine().lower()
)

needs_pypi = pytest.mark.skipif(
    os.environ.get("BEDROCK_PAGINATE_OFFLINE") == "1",
    reason="builds a real layer with pip from PyPI; BEDROCK_PAGINATE_OFFLINE=1 is set",
)


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# --- target checks ------------------------------------------------------------------------


@pytest.mark.parametrize(("arch", "tag"), sorted(ARCHITECTURES.items()))
def test_platform_tag_for_each_lambda_architecture(arch: str, tag: str) -> None:
    """x86_64 and arm64 map to the manylinux2014 wheel platforms Lambda runs."""
    assert tag == platform_tag(arch)


def test_platform_tag_rejects_other_architectures() -> None:
    """An unknown architecture is a ParamValidationError naming the allowed ones."""
    with pytest.raises(ParamValidationError, match=r"'aarch64'.*x86_64, arm64"):
        platform_tag("aarch64")


@given(st.text(max_size=8).filter(lambda v: v not in PYTHON_VERSIONS))
def test_build_layer_rejects_unsupported_python_before_any_work(python: str) -> None:
    """A Python version Lambda/the library does not support fails before pip runs."""
    with pytest.raises(ParamValidationError, match=r"allowed: 3\.10"):
        build_layer(python, "x86_64", Path("never-written.zip"))


# --- stripping ----------------------------------------------------------------------------


def test_strip_tree_removes_caches_tests_scripts_and_install_records(tmp_path: Path) -> None:
    """Byte code, __pycache__, tests, bin/ and RECORD/INSTALLER go; code and metadata stay."""
    keep = [
        "pkg/__init__.py",
        "pkg/core.py",
        "pkg/testing/__init__.py",
        "pkg-1.0.dist-info/METADATA",
        "pkg-1.0.dist-info/entry_points.txt",
        "pkg-1.0.dist-info/licenses/LICENSE",
        "module.py",
    ]
    drop = [
        "pkg/__pycache__/core.cpython-312.pyc",
        "pkg/stale.pyc",
        "pkg/tests/test_core.py",
        "pkg/sub/test/data.json",
        "bin/pkg",
        "pkg-1.0.dist-info/RECORD",
        "pkg-1.0.dist-info/INSTALLER",
        "pkg-1.0.dist-info/REQUESTED",
        "pkg-1.0.dist-info/direct_url.json",
    ]
    for name in keep + drop:
        _write(tmp_path / name)
    strip_tree(tmp_path)
    assert set(keep) == _files(tmp_path)


# --- the zip ------------------------------------------------------------------------------

_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=8)
_TREE = st.dictionaries(
    st.lists(_NAME, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".py"),
    st.binary(max_size=64),
    min_size=1,
    max_size=12,
)


def _prefix_free(tree: dict[str, bytes]) -> bool:
    """No file name is also a folder of another file."""
    names = set(tree)
    return not any(
        other.startswith(name.removesuffix(".py") + "/") for name in names for other in names
    )


@settings(max_examples=40, deadline=None)
@given(_TREE.filter(_prefix_free))
def test_write_zip_puts_every_file_under_python_and_round_trips(tree: dict[str, bytes]) -> None:
    """Every file appears once as python/<path>, sorted, with its exact bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        for name, data in tree.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        files, unpacked = write_zip(root, Path(tmp) / "out" / "layer.zip")
        with zipfile.ZipFile(Path(tmp) / "out" / "layer.zip") as zf:
            names = zf.namelist()
            contents = {n.removeprefix("python/"): zf.read(n) for n in names}
    assert sorted(f"python/{n}" for n in tree) == names
    assert tree == contents
    assert (len(tree), sum(len(v) for v in tree.values())) == (files, unpacked)


def test_write_zip_is_reproducible_and_world_readable(tmp_path: Path) -> None:
    """The same tree gives byte-identical zips (fixed dates), entries mode 0644."""
    root = tmp_path / "tree"
    _write(root / "b.py", "b")
    _write(root / "a" / "x.py", "x")
    write_zip(root, tmp_path / "one.zip")
    os.utime(root / "b.py", (0, 0))  # a different mtime must not matter
    write_zip(root, tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        modes = {info.external_attr >> 16 for info in zf.infolist()}
        dates = {info.date_time for info in zf.infolist()}
    assert ({0o644}, {(1980, 1, 1, 0, 0, 0)}) == (modes, dates)


def test_write_zip_keeps_the_old_output_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while zipping leaves the previous output intact and no partial file."""
    _write(tmp_path / "tree" / "a.py")
    output = tmp_path / "layer.zip"
    output.write_bytes(b"previous layer")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_zip(tmp_path / "tree", output)
    assert output.read_bytes() == b"previous layer"
    assert sorted(p.name for p in tmp_path.glob("layer.zip*")) == ["layer.zip"]


# --- environment markers for the target ---------------------------------------------------


def _dist_info(target: Path, name: str, version: str, requires: list[str]) -> None:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    _write(target / f"{name}-{version}.dist-info" / "METADATA", "\n".join(lines) + "\n")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An installed tree whose requirements depend on the Python version and platform."""
    _dist_info(
        tmp_path,
        "anyio",
        "4.0",
        [
            "idna>=2.8",
            'exceptiongroup>=1.0.2; python_version < "3.11"',
            'typing_extensions>=4.5; python_version < "3.13"',
            'pywin32; sys_platform == "win32"',
            'trio>=0.26; extra == "trio"',
        ],
    )
    _dist_info(tmp_path, "idna", "3.7", [])
    _dist_info(tmp_path, "typing_extensions", "4.12", [])
    return tmp_path


def test_missing_requirements_for_an_older_target_python(tree: Path) -> None:
    """For Python 3.10 the tree lacks exceptiongroup (whatever Python runs the builder)."""
    assert missing_requirements(tree, "3.10", "x86_64") == ["exceptiongroup>=1.0.2"]


@pytest.mark.parametrize("python", ["3.11", "3.12", "3.13"])
def test_missing_requirements_none_when_complete(tree: Path, python: str) -> None:
    """Nothing is missing for newer targets; Windows-only and extra-only requirements never."""
    assert missing_requirements(tree, python, "arm64") == []


def test_missing_requirements_matches_names_loosely(tmp_path: Path) -> None:
    """Names compare normalised (typing-extensions == typing_extensions)."""
    _dist_info(tmp_path, "cattrs", "24.1", ["typing-extensions>=4.1"])
    _dist_info(tmp_path, "typing_extensions", "4.12", [])
    assert missing_requirements(tmp_path, "3.12", "x86_64") == []


def test_build_layer_adds_what_pip_skipped_for_the_running_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip evaluates markers for this interpreter; the builder installs the rest for 3.10."""
    calls: list[list[str]] = []

    def fake_pip(args: list[str]) -> None:
        calls.append(list(args))
        if args[0] == "wheel":
            _write(
                Path(args[args.index("--wheel-dir") + 1]) / "bedrock_paginate-0.1-py3-none-any.whl"
            )
            return
        target = Path(args[args.index("--target") + 1])
        if "--no-deps" in args:
            _dist_info(target, "exceptiongroup", "1.2", [])
        else:
            _dist_info(target, "bedrock_paginate", "0.1", ["anyio"])
            _dist_info(target, "anyio", "4.0", ['exceptiongroup; python_version < "3.11"'])
            _write(target / "anyio" / "__init__.py")

    monkeypatch.setattr(_layer, "_pip", fake_pip)
    lines: list[str] = []
    info = build_layer("3.10", "arm64", tmp_path / "l.zip", progress=lines.append, source=ROOT)
    installs = [c for c in calls if c[0] == "install"]
    assert installs[1][-1:] == ["exceptiongroup"]
    assert installs[0][installs[0].index("--platform") + 1] == "manylinux2014_aarch64"
    assert info.distributions == ("anyio==4.0", "bedrock_paginate==0.1", "exceptiongroup==1.2")
    assert any("exceptiongroup" in line for line in lines)


def _fake_pip_installing(files: dict[str, str]) -> Any:
    """A stand-in for ``_layer._pip`` that 'builds' a wheel and 'installs' ``files``."""

    def fake_pip(args: list[str]) -> None:
        if args[0] == "wheel":
            wheel_dir = Path(args[args.index("--wheel-dir") + 1])
            _write(wheel_dir / "bedrock_paginate-0.1-py3-none-any.whl")
            return
        target = Path(args[args.index("--target") + 1])
        _dist_info(target, "bedrock_paginate", "0.1", [])
        for name, text in files.items():
            _write(target / name, text)

    return fake_pip


def test_compile_ships_unchecked_hash_byte_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--compile adds .pyc for this Python, hash-based and never checked against sources."""
    monkeypatch.setattr(_layer, "_pip", _fake_pip_installing({"pkg/mod.py": "X = 1\n"}))
    info = build_layer(
        LOCAL_PYTHON, "x86_64", tmp_path / "l.zip", source=ROOT, compile_bytecode=True
    )
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(info.path) as zf:
        pyc = zf.read(f"python/pkg/__pycache__/mod.{tag}.pyc")
    flags = int.from_bytes(pyc[4:8], "little")
    assert flags == 0b01  # hash-based (bit 0), check_source off (bit 1)


def test_compile_for_another_python_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte code for another version cannot be made here: a clear error, pip never runs."""
    other = next(v for v in PYTHON_VERSIONS if v != LOCAL_PYTHON)

    def no_pip(args: list[str]) -> None:
        raise AssertionError("pip ran")

    monkeypatch.setattr(_layer, "_pip", no_pip)
    with pytest.raises(ParamValidationError, match=f"needs Python {re.escape(other)} to run"):
        build_layer(other, "x86_64", tmp_path / "l.zip", source=ROOT, compile_bytecode=True)


def test_without_compile_there_is_no_byte_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default the layer holds sources only (no caches), even if pip left some."""
    files = {"pkg/mod.py": "X = 1\n", "pkg/__pycache__/mod.cpython-311.pyc": "stale"}
    monkeypatch.setattr(_layer, "_pip", _fake_pip_installing(files))
    info = build_layer(LOCAL_PYTHON, "arm64", tmp_path / "l.zip", source=ROOT)
    with zipfile.ZipFile(info.path) as zf:
        names = zf.namelist()
    assert "python/pkg/mod.py" in names
    assert [n for n in names if n.endswith(".pyc")] == []


# --- repacking an installed distribution --------------------------------------------------


def _installed_dist(site: Path) -> metadata.Distribution:
    """A fake installed distribution with byte code, a console script and pip's records."""
    info = site / "demo_pkg-1.2.dist-info"
    _write(site / "demo_pkg" / "__init__.py", "VALUE = 1\n")
    _write(site / "demo_pkg" / "__pycache__" / "__init__.cpython-311.pyc", "junk")
    _write(info / "METADATA", "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.2\n")
    _write(info / "INSTALLER", "pip\n")
    _write(site.parent / "bin" / "demo", "#!/usr/bin/python\n")
    record = [
        "demo_pkg/__init__.py,,",
        "demo_pkg/__pycache__/__init__.cpython-311.pyc,,",
        "demo_pkg-1.2.dist-info/METADATA,,",
        "demo_pkg-1.2.dist-info/INSTALLER,,",
        "demo_pkg-1.2.dist-info/RECORD,,",
        "../bin/demo,,",
    ]
    _write(info / "RECORD", "\n".join(record) + "\n")
    return metadata.PathDistribution(info)


def test_wheel_from_distribution_repacks_code_and_metadata_only(tmp_path: Path) -> None:
    """The wheel holds the code and METADATA, a WHEEL file and a fresh RECORD; no junk."""
    wheel = wheel_from_distribution(_installed_dist(tmp_path / "site"), tmp_path / "out")
    assert wheel.name == "demo_pkg-1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = sorted(zf.namelist())
        record = zf.read("demo_pkg-1.2.dist-info/RECORD").decode()
        code = zf.read("demo_pkg/__init__.py")
    expected = [
        "demo_pkg-1.2.dist-info/METADATA",
        "demo_pkg-1.2.dist-info/RECORD",
        "demo_pkg-1.2.dist-info/WHEEL",
        "demo_pkg/__init__.py",
    ]
    assert expected == names
    digest = base64.urlsafe_b64encode(hashlib.sha256(code).digest()).rstrip(b"=").decode()
    assert f"demo_pkg/__init__.py,sha256={digest},{len(code)}" in record.splitlines()


def test_wheel_from_distribution_without_record_is_a_clear_error(tmp_path: Path) -> None:
    """A distribution that lists no files cannot be repacked; the message says what to do."""
    info = tmp_path / "bare-1.0.dist-info"
    _write(info / "METADATA", "Metadata-Version: 2.1\nName: bare\nVersion: 1.0\n")
    with pytest.raises(BedrockPaginateError, match="source checkout"):
        wheel_from_distribution(metadata.PathDistribution(info), tmp_path / "out")


# --- pip failures and the command ---------------------------------------------------------


def test_pip_failure_is_reported_with_pips_message() -> None:
    """A failing pip run raises BedrockPaginateError quoting pip's own output."""
    with pytest.raises(
        BedrockPaginateError, match=r"(?s)pip no-such-command failed.*unknown command"
    ):
        _layer._pip(["no-such-command"])


def _info(path: Path) -> LayerInfo:
    return LayerInfo(
        path=path,
        size=3 * 1024 * 1024,
        unpacked_size=9 * 1024 * 1024,
        files=300,
        python="3.12",
        arch="arm64",
        platform="manylinux2014_aarch64",
        distributions=("bedrock-paginate==0.1.0", "httpx==0.28.1"),
    )


def test_main_prints_the_size_and_passes_the_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """build-layer passes --python/--arch/-o through and prints the zip's size on stdout."""
    seen: dict[str, Any] = {}

    def fake_build(python: str, arch: str, output: Path, **kwargs: Any) -> LayerInfo:
        seen.update(
            python=python,
            arch=arch,
            output=output,
            pip_args=kwargs["pip_args"],
            compile=kwargs["compile_bytecode"],
        )
        kwargs["progress"]("working")
        return _info(output)

    monkeypatch.setattr(_layer, "build_layer", fake_build)
    out = tmp_path / "l.zip"
    code = _layer.main(
        ["--python", "3.12", "--arch", "arm64", "-o", str(out), "--pip-arg=--no-index", "--compile"]
    )
    captured = capsys.readouterr()
    assert code == 0
    expected = {
        "python": "3.12",
        "arch": "arm64",
        "output": out,
        "pip_args": ["--no-index"],
        "compile": True,
    }
    assert seen == expected
    assert f"{out}: 3.00 MiB (3145728 bytes; 300 files, 9.00 MiB unpacked)" in captured.out
    assert "build-layer: working" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--arch", "sparc"], "x86_64, arm64"),
        (["--python", "2.7"], "allowed: 3.10"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_main_bad_arguments_exit_252(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Bad options exit 252 (the AWS CLI's usage code) with one line on stderr."""
    assert _layer.main([*argv, "-o", str(tmp_path / "l.zip")]) == 252
    assert message in capsys.readouterr().err
    assert not (tmp_path / "l.zip").exists()


def test_main_build_failure_exits_255(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed build (pip error) exits 255 with the reason on stderr."""

    def failing(*args: Any, **kwargs: Any) -> LayerInfo:
        raise BedrockPaginateError("pip install failed with exit code 1:\nno matching wheel")

    monkeypatch.setattr(_layer, "build_layer", failing)
    assert _layer.main([]) == 255
    assert "no matching wheel" in capsys.readouterr().err


# --- a real layer (pip + PyPI) --------------------------------------------------------------


@pytest.fixture(scope="module")
def real_layer(tmp_path_factory: pytest.TempPathFactory) -> tuple[LayerInfo, Path]:
    """A layer for this machine's Python and architecture, built once, and its unzipped tree."""
    if LOCAL_PYTHON not in PYTHON_VERSIONS or LOCAL_ARCH is None:
        pytest.skip(f"no Lambda target matches this machine ({LOCAL_PYTHON}, {platform.machine()})")
    out = tmp_path_factory.mktemp("layer")
    info = build_layer(LOCAL_PYTHON, LOCAL_ARCH, out / "layer.zip")
    with zipfile.ZipFile(info.path) as zf:
        zf.extractall(out / "unzipped")
    return info, out / "unzipped"


@needs_pypi
def test_real_layer_has_the_python_layout_and_no_junk(real_layer: tuple[LayerInfo, Path]) -> None:
    """Everything is under python/, with the library, its deps and metadata, and no caches."""
    info, unzipped = real_layer
    names = _files(unzipped)
    assert {"python"} == {name.split("/", 1)[0] for name in names}
    assert "python/bedrock_paginate/__init__.py" in names
    assert {"httpx", "attrs", "cattrs"} <= {name.split("/")[1] for name in names}
    junk = [n for n in names if "__pycache__" in n or n.endswith((".pyc", "/RECORD"))]
    assert junk == []
    assert any(d.startswith("bedrock-paginate==") for d in info.distributions)
    assert info.size == info.path.stat().st_size
    assert info.files == len(names)


_IMPORT_AND_REPLAY = """
import json, sys
layer, fixture = sys.argv[1], sys.argv[2]
sys.path.insert(0, layer)
import httpx, importlib.metadata
from bedrock_paginate import Client
client = Client(replay_from=fixture)
jobs = list(client.get_paginator("list_model_invocation_jobs").paginate().jobs())
print(json.dumps({
    "arns": [job.job_arn for job in jobs],
    "library": sys.modules["bedrock_paginate"].__file__,
    "httpx": httpx.__file__,
    "version": importlib.metadata.version("bedrock-paginate"),
}))
"""


def _fixture_arns() -> list[str]:
    data = json.loads(FIXTURE.read_text())
    return [
        job["jobArn"]
        for interaction in data["interactions"]
        for job in interaction["response"]["body"]["invocationJobSummaries"]
    ]


@needs_pypi
def test_real_layer_imports_in_an_isolated_interpreter_and_replays(
    real_layer: tuple[LayerInfo, Path],
) -> None:
    """`python -I -S` with only the layer on sys.path imports the library and replays a listing."""
    _, unzipped = real_layer
    layer = unzipped / "python"
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _IMPORT_AND_REPLAY, str(layer), str(FIXTURE)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "AWS_EC2_METADATA_DISABLED": "true"},
        cwd=unzipped,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert _fixture_arns() == result["arns"]
    assert result["library"].startswith(str(layer))
    assert result["httpx"].startswith(str(layer))
    assert bedrock_paginate.__version__ == result["version"]
