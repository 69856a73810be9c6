"""The benchmark of issue 6: bedrock-paginate vs boto3 vs the floor, side by side, in one run.

Run it with ``bash benchmarks/run.sh`` (that script makes ``benchmarks/.venv`` with the library
and boto3 installed, then runs this file with that venv's Python). Everything is measured in
fresh client processes against a loopback fake Bedrock (``bedrock_paginate.testing``) running in
a separate process; each figure is the median of ``--runs`` runs (default 7), with the clients
interleaved run by run so that drift on the machine affects them alike.

Measured: cold start to the first decoded page; whole-process CPU (user+sys from ``wait4``),
wall time and peak RSS of listing every job at two page sizes, and the CPU of the listing loop
alone (reported by the child); SigV4 signing per request; import time; the installed size of the
run-time dependency closure; peak RSS of a streamed 100,000-job CLI listing vs 10,000; ten
regions with 200 ms latency each vs one. Progress goes to stderr, the table to stdout, and the
results to ``benchmarks/results/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLIENTS = HERE / "clients"
RESULTS = HERE / "results"
VENV = Path(sys.prefix)
BIN = Path(sys.executable).parent
PY = sys.executable
WORK = VENV / "work"  # scratch space inside the (gitignored) benchmark venv

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
MIB = 1024 * 1024

START = time.perf_counter()


class BenchError(Exception):
    """A step of the benchmark failed (a child exited non-zero, a server did not start)."""


def log(message: str) -> None:
    """One progress line on stderr, with the elapsed time."""
    print(f"[bench {time.perf_counter() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- child processes ------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of every child: fake credentials, no profile, no IMDS, no PYTHON* knobs."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "PYTHON", "BOTO")) and k != "VIRTUAL_ENV"
    }
    missing = str(WORK / "no-such-aws-file")
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=missing,
        AWS_SHARED_CREDENTIALS_FILE=missing,
    )
    return env


@dataclass(frozen=True)
class Run:
    """What one child process did: its output and its resource usage."""

    stdout: str
    wall_s: float
    first_line_s: float | None
    cpu_s: float
    user_s: float
    sys_s: float
    maxrss_mib: float

    def json(self) -> dict[str, Any]:
        """The child's last stdout line, parsed as JSON."""
        last = self.stdout.strip().splitlines()[-1]
        value: dict[str, Any] = json.loads(last)
        return value


def run_child(
    argv: Sequence[str],
    *,
    first_line: bool = False,
    discard_stdout: bool = False,
    timeout: float = 300.0,
) -> Run:
    """Run ``argv`` in a fresh process and collect its rusage through ``wait4``.

    ``first_line``: also time the arrival of the first stdout line (from just before the fork).
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL if discard_stdout else subprocess.PIPE,
            stderr=err,
            env=child_env(),
            cwd=WORK,
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            first_at: float | None = None
            out = b""
            if proc.stdout is not None:
                if first_line:
                    out = proc.stdout.readline()
                    first_at = time.perf_counter() - start
                out += proc.stdout.read()
                proc.stdout.close()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        finally:
            timer.cancel()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-2000:]
            raise BenchError(f"{' '.join(argv)} exited with {code}:\n{tail}")
    return Run(
        stdout=out.decode(),
        wall_s=wall,
        first_line_s=first_at,
        cpu_s=usage.ru_utime + usage.ru_stime,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        maxrss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
    )


def stats(values: Sequence[float]) -> dict[str, Any]:
    """Median, min, max and the raw values."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": list(values),
    }


# --- servers --------------------------------------------------------------------------------


class Server:
    """A server child that announces itself on its first stdout line; stopped on exit."""

    def __init__(self, argv: Sequence[str], *, stdin: bool = False, timeout: float = 120.0):
        self.argv = list(argv)
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
            cwd=WORK,
        )
        self.line = self._first_line(timeout)

    def _first_line(self, timeout: float) -> str:
        box: list[bytes] = []
        assert self.proc.stdout is not None
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        if not box or not box[0]:
            self.stop()
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
            raise BenchError(f"server did not start: {' '.join(self.argv)}\n{err[-2000:]}")
        return box[0].decode().strip()

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s) and reap it."""
        if self.proc.poll() is None:
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


_SERVE_FALLBACK = (
    "import sys; from bedrock_paginate.testing import serve_main; "
    "sys.exit(serve_main(sys.argv[1:]))"
)


@contextlib.contextmanager
def fake_bedrock(jobs: int) -> Iterator[str]:
    """``bedrock-paginate serve --jobs N --port 0`` in its own process; yields its URL.

    Falls back to calling ``bedrock_paginate.testing.serve_main`` when the CLI has no ``serve``.
    """
    args = ["--jobs", str(jobs), "--port", "0"]
    attempts = [[str(BIN / "bedrock-paginate"), "serve", *args], [PY, "-c", _SERVE_FALLBACK, *args]]
    server: Server | None = None
    for argv in attempts:
        try:
            server = Server(argv)
            break
        except BenchError as exc:
            log(f"could not start the fake with {argv[0]} ({str(exc).splitlines()[0]}); next")
    if server is None or not server.line.startswith("listening on "):
        raise BenchError("could not start the fake Bedrock server")
    try:
        yield server.line.removeprefix("listening on ").strip()
    finally:
        server.stop()


# --- 1-3 and 7: cold start, listing CPU/wall/RSS ---------------------------------------------

CLIENT_SCRIPTS = {
    "api": CLIENTS / "ours.py",
    "boto3": CLIENTS / "boto3_client.py",
    "floor": CLIENTS / "floor.py",
    "floor_stdlib": CLIENTS / "floor_stdlib.py",
}


def cli_argv(endpoint: str, *extra: str) -> list[str]:
    """Our CLI listing the fake, streaming JSON lines."""
    return [
        str(BIN / "bedrock-paginate"),
        "list-model-invocation-jobs",
        "--endpoint-url",
        endpoint,
        "--region",
        REGION,
        "--output",
        "jsonl",
        *extra,
    ]


def measure_cold_start(endpoint: str, runs: int) -> dict[str, Any]:
    """Process start to first decoded page (PageSize 100), per client."""
    argvs = {
        name: [PY, str(script), "first", endpoint, "100"] for name, script in CLIENT_SCRIPTS.items()
    }
    argvs["cli"] = cli_argv(endpoint, "--page-size", "100", "--max-items", "100")
    for argv in argvs.values():  # warm the page cache and byte-code caches
        run_child(argv, first_line=True)
    first: dict[str, list[float]] = {name: [] for name in argvs}
    whole: dict[str, list[float]] = {name: [] for name in argvs}
    for i in range(runs):
        log(f"cold start: run {i + 1}/{runs}")
        for name, argv in argvs.items():
            run = run_child(argv, first_line=True)
            assert run.first_line_s is not None
            first[name].append(run.first_line_s)
            whole[name].append(run.wall_s)
    result: dict[str, Any] = {
        name: {"first_page_s": stats(first[name]), "process_s": stats(whole[name])}
        for name in argvs
    }
    result["phases_ms"] = cold_start_phases(endpoint, runs)
    return result


def cold_start_phases(endpoint: str, runs: int) -> dict[str, Any]:
    """Median in-process phases (import, client, first page) and the bare interpreter start."""
    phases: dict[str, dict[str, list[float]]] = {"ours": {}, "boto3": {}}
    bare: list[float] = []
    for i in range(runs):
        log(f"cold start phases: run {i + 1}/{runs}")
        bare.append(run_child([PY, "-c", "print(1)"], first_line=True).first_line_s or 0.0)
        for name in phases:
            reported = run_child([PY, str(CLIENTS / "phases.py"), name, endpoint]).json()
            for key, value in reported.items():
                phases[name].setdefault(key, []).append(value)
    out: dict[str, Any] = {
        name: {k: statistics.median(v) for k, v in row.items()} for name, row in phases.items()
    }
    out["interpreter_start_ms"] = statistics.median(bare) * 1e3
    return out


def measure_listing(endpoint: str, page_size: int, runs: int, jobs: int) -> dict[str, Any]:
    """List every job at ``page_size``: whole-process CPU, wall, peak RSS; loop CPU."""
    argvs = {
        name: [PY, str(script), "all", endpoint, str(page_size)]
        for name, script in CLIENT_SCRIPTS.items()
    }
    cli = cli_argv(endpoint, "--page-size", str(page_size))
    collected: dict[str, dict[str, list[float]]] = {}
    for i in range(runs):
        log(f"list {jobs} jobs at PageSize {page_size}: run {i + 1}/{runs}")
        for name, argv in [*argvs.items(), ("cli", cli)]:
            result = run_child(argv, discard_stdout=name == "cli")
            row = collected.setdefault(name, {})
            row.setdefault("cpu_s", []).append(result.cpu_s)
            row.setdefault("wall_s", []).append(result.wall_s)
            row.setdefault("rss_mib", []).append(result.maxrss_mib)
            if name != "cli":
                reported = result.json()
                if reported["jobs"] != jobs:
                    raise BenchError(f"{name} listed {reported['jobs']} jobs, expected {jobs}")
                row.setdefault("listing_cpu_s", []).append(reported["listing_cpu_s"])
                row.setdefault("listing_wall_s", []).append(reported["listing_wall_s"])
    return {name: {k: stats(v) for k, v in row.items()} for name, row in collected.items()}


def measure_streaming(big: str, big_n: int, runs: int) -> dict[str, Any]:
    """Peak RSS of the CLI streaming ``--output jsonl`` to /dev/null for ``big_n`` jobs.

    The 10,000-job figure is the same command measured by ``measure_listing``.
    """
    rss: list[float] = []
    cpu: list[float] = []
    wall: list[float] = []
    for i in range(runs):
        log(f"streaming {big_n} jobs (CLI --output jsonl > /dev/null): run {i + 1}/{runs}")
        result = run_child(cli_argv(big, "--page-size", "1000"), discard_stdout=True)
        rss.append(result.maxrss_mib)
        cpu.append(result.cpu_s)
        wall.append(result.wall_s)
    return {"jobs": big_n, "rss_mib": stats(rss), "cpu_s": stats(cpu), "wall_s": stats(wall)}


# --- 4: signing -----------------------------------------------------------------------------


def measure_signing() -> dict[str, Any]:
    """Microseconds per signature, ours vs botocore's SigV4Auth (one process, timeit)."""
    log("signing: timeit in one process")
    result: dict[str, Any] = run_child([PY, str(CLIENTS / "signing.py")], timeout=600).json()
    return result


# --- 5: import time -------------------------------------------------------------------------

IMPORTS = {
    "ours": "from bedrock_paginate import Client",
    "deps": "import httpx, attrs, cattrs",
    "boto3": "import boto3",
}
_TIMED_IMPORT = (
    "import time\nt = time.perf_counter()\n{stmt}\nprint(time.perf_counter() - t, flush=True)"
)


def measure_imports(runs: int) -> dict[str, Any]:
    """Import time in fresh processes (median), plus ``-X importtime`` top entries for ours."""
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    total = max(runs * 2, 15)
    for stmt in IMPORTS.values():  # warm
        run_child([PY, "-c", _TIMED_IMPORT.format(stmt=stmt)])
    log(f"import time: {total} runs each")
    for _ in range(total):
        for name, stmt in IMPORTS.items():
            out = run_child([PY, "-c", _TIMED_IMPORT.format(stmt=stmt)]).stdout
            samples[name].append(float(out.strip()))
    return {
        "seconds": {name: stats(v) for name, v in samples.items()},
        "importtime_top": importtime_top(IMPORTS["ours"]),
        "modules_loaded": modules_loaded(),
    }


def importtime_top(stmt: str, top: int = 25) -> dict[str, list[dict[str, Any]]]:
    """The heaviest imports of ``stmt`` by ``python -X importtime`` (self and cumulative us)."""
    proc = subprocess.run(
        [PY, "-X", "importtime", "-c", stmt],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=WORK,
        check=True,
    )
    rows: list[dict[str, Any]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|", 2)
        rows.append(
            {"module": name.strip(), "self_us": int(self_us), "cumulative_us": int(cumulative_us)}
        )
    return {
        "by_self": sorted(rows, key=lambda r: r["self_us"], reverse=True)[:top],
        "by_cumulative": sorted(rows, key=lambda r: r["cumulative_us"], reverse=True)[:top],
    }


_MODULE_COUNT = (
    "import sys\nbefore = set(sys.modules)\n{stmt}\nnew = set(sys.modules) - before\n"
    "print(len(new), ' '.join(sorted({{m.split('.')[0] for m in new}})))"
)


def modules_loaded() -> dict[str, str]:
    """How many modules each import statement loads, and which top-level packages."""
    return {
        name: run_child([PY, "-c", _MODULE_COUNT.format(stmt=stmt)]).stdout.strip()
        for name, stmt in IMPORTS.items()
    }


# --- 6: installed size of the run-time closure ----------------------------------------------


def _tree_bytes(path: Path) -> tuple[int, int, int]:
    """(bytes, bytes without __pycache__, files) under ``path``."""
    total = no_cache = files = 0
    for item in path.rglob("*"):
        if item.is_file() and not item.is_symlink():
            size = item.stat().st_size
            total += size
            files += 1
            if "__pycache__" not in item.parts:
                no_cache += size
    return total, no_cache, files


def _site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages"))
    if not found:
        raise BenchError(f"no site-packages in {venv}")
    return found[0]


def closure_size(name: str, requirements: Sequence[str]) -> dict[str, Any]:
    """Size of site-packages of a fresh venv holding only ``requirements``, minus the empty one."""
    venv = WORK / "closure" / name
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = _site_packages(venv)
    base = _tree_bytes(site)
    log(f"closure: installing {' '.join(requirements)} into a fresh venv")
    subprocess.run(
        [
            PY,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--disable-pip-version-check",
            *requirements,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    after = _tree_bytes(site)
    dists = sorted(p.name.removesuffix(".dist-info") for p in site.glob("*.dist-info"))
    top = {
        item.name: _tree_bytes(item)[0] if item.is_dir() else item.stat().st_size
        for item in site.iterdir()
    }
    return {
        "largest": dict(sorted(top.items(), key=lambda kv: kv[1], reverse=True)[:12]),
        "bytes": after[0] - base[0],
        "bytes_without_pycache": after[1] - base[1],
        "files": after[2] - base[2],
        "distributions": dists,
    }


def measure_closure(wheel: str) -> dict[str, Any]:
    """Our closure (the built wheel + its dependencies) vs boto3's."""
    return {"ours": closure_size("ours", [wheel]), "boto3": closure_size("boto3", ["boto3"])}


# --- many regions ---------------------------------------------------------------------------


def measure_regions(runs: int, count: int, jobs: int, latency: float) -> dict[str, Any]:
    """``count`` regions (each ``jobs`` jobs, ``latency`` s per response) vs one region."""
    server = Server(
        [PY, str(HERE / "fake_regions.py"), str(count), str(jobs), str(latency)], stdin=True
    )
    try:
        endpoints = server.line.split()
        try:
            run_child([PY, "-c", "from bedrock_paginate import list_jobs_across_regions"])
            mode = "helper"
        except BenchError:
            mode = "gather"
        script = [PY, str(CLIENTS / "regions.py")]
        page_size = "100"
        one: list[float] = []
        many: list[float] = []
        for i in range(runs):
            latency_ms = latency * 1000
            log(f"regions: 1 vs {count} regions, {latency_ms:.0f} ms latency: run {i + 1}/{runs}")
            one.append(run_child([*script, mode, page_size, endpoints[0]]).json()["wall_s"])
            result = run_child([*script, mode, page_size, *endpoints]).json()
            if result["jobs"] != jobs * count:
                raise BenchError(f"{count} regions listed {result['jobs']} jobs")
            many.append(result["wall_s"])
        log(f"regions: {count} regions one after another (sync Client, 1 run, for comparison)")
        sequential = run_child([*script, "sequential", page_size, *endpoints]).json()["wall_s"]
    finally:
        server.stop()
    return {
        "mode": mode,
        "regions": count,
        "jobs_per_region": jobs,
        "page_size": int(page_size),
        "latency_s": latency,
        "one_region_s": stats(one),
        "all_regions_s": stats(many),
        "sequential_s": sequential,
    }


# --- profiles -------------------------------------------------------------------------------


def profile(endpoint: str, page_size: int, client: str = "ours") -> dict[str, Any]:
    """cProfile of one listing by ``client`` (see ``profile_listing.py``)."""
    log(f"profiling the {client} listing at PageSize {page_size}")
    argv = [PY, str(HERE / "profile_listing.py"), client, endpoint, str(page_size), "30"]
    result: dict[str, Any] = json.loads(run_child(argv).stdout)
    return result


# --- machine --------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    """What ran the benchmark."""
    dists = ("bedrock-paginate", "httpx", "httpcore", "attrs", "cattrs", "boto3", "botocore")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": {d: _version(d) for d in dists},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


# --- targets, table and files ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One target of the issue: a measured ratio and its limit."""

    name: str
    ratio: float
    limit: float

    @property
    def ok(self) -> bool:
        """The ratio is within the limit."""
        return self.ratio <= self.limit


def _med(node: dict[str, Any]) -> float:
    value: float = node["median"]
    return value


def targets(r: dict[str, Any]) -> list[Target]:
    """The issue's targets, from the results."""
    out: list[Target] = []
    cold = r.get("cold_start")
    if cold:
        base = _med(cold["boto3"]["first_page_s"])
        for name in ("api", "cli"):
            ratio = _med(cold[name]["first_page_s"]) / base
            out.append(Target(f"cold start to first page ({name}) <= 0.35x boto3", ratio, 0.35))
    for size, listing in r.get("listing", {}).items():
        boto = listing["boto3"]
        ours = listing["api"]
        out.append(
            Target(
                f"whole-process CPU, 10k jobs, PageSize {size} <= 0.25x boto3",
                _med(ours["cpu_s"]) / _med(boto["cpu_s"]),
                0.25,
            )
        )
        out.append(
            Target(
                f"listing CPU, PageSize {size} <= 2.5x floor",
                _med(ours["listing_cpu_s"]) / _med(listing["floor"]["listing_cpu_s"]),
                2.5,
            )
        )
        out.append(
            Target(
                f"peak RSS, PageSize {size} <= 0.6x boto3",
                _med(ours["rss_mib"]) / _med(boto["rss_mib"]),
                0.6,
            )
        )
    if "signing_us" in r:
        sign = r["signing_us"]
        ratio = sign["ours"]["median"] / sign["botocore"]["median"]
        out.append(Target("signing per request <= 0.2x botocore", ratio, 0.2))
    if "imports" in r:
        imp = r["imports"]["seconds"]
        ratio = _med(imp["ours"]) / _med(imp["deps"])
        out.append(Target("import <= 1.15x httpx+attrs+cattrs", ratio, 1.15))
    if "closure" in r:
        c = r["closure"]
        ratio = c["ours"]["bytes"] / c["boto3"]["bytes"]
        out.append(Target("run-time closure <= 0.2x boto3's", ratio, 0.2))
    if "streaming" in r and "listing" in r:
        small = _med(r["listing"]["1000"]["cli"]["rss_mib"])
        big = _med(r["streaming"]["rss_mib"])
        n = r["streaming"]["jobs"]
        out.append(Target(f"CLI jsonl RSS flat: {n} jobs <= 1.1x 10k", big / small, 1.1))
    if "regions" in r:
        reg = r["regions"]
        ratio = _med(reg["all_regions_s"]) / _med(reg["one_region_s"])
        out.append(Target(f"{reg['regions']} regions <= 1.5x one region", ratio, 1.5))
    return out


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "us":
        return f"{value:.1f} us"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:.3g}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def rows(r: dict[str, Any]) -> list[list[str]]:
    """The table: metric, ours, boto3, floor, ours/boto3, ours/floor."""
    table: list[list[str]] = []

    def add(
        metric: str, unit: str, ours: float | None, boto: float | None, floor: float | None
    ) -> None:
        table.append(
            [
                metric,
                _fmt(ours, unit),
                _fmt(boto, unit),
                _fmt(floor, unit),
                _ratio(ours, boto),
                _ratio(ours, floor),
            ]
        )

    cold = r.get("cold_start")
    if cold:
        b, f = _med(cold["boto3"]["first_page_s"]), _med(cold["floor"]["first_page_s"])
        add("cold start to first page, Python API", "s", _med(cold["api"]["first_page_s"]), b, f)
        add("cold start to first page, CLI", "s", _med(cold["cli"]["first_page_s"]), b, f)
    for size, listing in r.get("listing", {}).items():
        n = r["config"]["jobs"]
        for key, label, unit in (
            ("cpu_s", f"whole-process CPU, {n} jobs, PageSize {size}", "s"),
            ("wall_s", f"whole-process wall, {n} jobs, PageSize {size}", "s"),
            ("listing_cpu_s", f"listing-loop CPU, {n} jobs, PageSize {size}", "s"),
            ("rss_mib", f"peak RSS, {n} jobs, PageSize {size}", "MiB"),
        ):
            add(
                label,
                unit,
                _med(listing["api"][key]),
                _med(listing["boto3"][key]),
                _med(listing["floor"][key]),
            )
        cli = listing["cli"]
        add(
            f"  CLI --output jsonl, CPU, PageSize {size}",
            "s",
            _med(cli["cpu_s"]),
            _med(listing["boto3"]["cpu_s"]),
            _med(listing["floor"]["cpu_s"]),
        )
        add(
            f"  CLI --output jsonl, peak RSS, PageSize {size}",
            "MiB",
            _med(cli["rss_mib"]),
            _med(listing["boto3"]["rss_mib"]),
            _med(listing["floor"]["rss_mib"]),
        )
    if "signing_us" in r:
        s = r["signing_us"]
        add("SigV4 signing per request", "us", s["ours"]["median"], s["botocore"]["median"], None)
    if "imports" in r:
        imp = r["imports"]["seconds"]
        add(
            "import (floor column: httpx+attrs+cattrs)",
            "s",
            _med(imp["ours"]),
            _med(imp["boto3"]),
            _med(imp["deps"]),
        )
    if "closure" in r:
        c = r["closure"]
        add(
            "run-time closure installed (pip default, with .pyc)",
            "MiB",
            c["ours"]["bytes"] / MIB,
            c["boto3"]["bytes"] / MIB,
            None,
        )
        add(
            "  the same without __pycache__",
            "MiB",
            c["ours"]["bytes_without_pycache"] / MIB,
            c["boto3"]["bytes_without_pycache"] / MIB,
            None,
        )
    if "streaming" in r:
        st = r["streaming"]
        add(
            f"CLI jsonl peak RSS, {st['jobs']} jobs, PageSize 1000",
            "MiB",
            _med(st["rss_mib"]),
            None,
            None,
        )
        add(f"CLI jsonl CPU, {st['jobs']} jobs, PageSize 1000", "s", _med(st["cpu_s"]), None, None)
    if "regions" in r:
        reg = r["regions"]
        add("1 region, 200 ms latency (wall)", "s", _med(reg["one_region_s"]), None, None)
        add(
            f"{reg['regions']} regions concurrently (wall)",
            "s",
            _med(reg["all_regions_s"]),
            None,
            None,
        )
        add(
            f"{reg['regions']} regions one after another (1 run)",
            "s",
            reg["sequential_s"],
            None,
            None,
        )
    return table


HEADER = ["metric", "bedrock-paginate", "boto3", "floor", "vs boto3", "vs floor"]


def render_text(r: dict[str, Any]) -> str:
    """The plain-text table, targets and machine, for the terminal."""
    table = [HEADER, *rows(r)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.extend(
        f"{'PASS' if t.ok else 'FAIL'}  {t.name}: {t.ratio:.3f}x (limit {t.limit}x)"
        for t in targets(r)
    )
    lines.append("")
    lines.append(describe_machine(r["machine"]))
    return "\n".join(lines)


def describe_machine(m: dict[str, Any]) -> str:
    """One paragraph about the machine."""
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}; "
        f"{m['python']}; {versions}. Medians of {m.get('runs', '?')} runs, {m['date']}."
    )


def render_markdown(r: dict[str, Any]) -> str:
    """The same as markdown (``results/latest.md``)."""
    out = ["# bedrock-paginate benchmark", "", "Command: `bash benchmarks/run.sh`", ""]
    out.append("| " + " | ".join(HEADER) + " |")
    out.append("|" + "|".join(["---", *["---:"] * (len(HEADER) - 1)]) + "|")
    out.extend("| " + " | ".join(row) + " |" for row in rows(r))
    out += ["", "| target | measured | result |", "|---|---:|---|"]
    out.extend(f"| {t.name} | {t.ratio:.3f}x | {'PASS' if t.ok else 'FAIL'} |" for t in targets(r))
    out += ["", describe_machine(r["machine"]), ""]
    out += _markdown_details(r)
    notes = r.get("notes") or []
    if notes:
        out += ["Notes:", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(out)


def _markdown_details(r: dict[str, Any]) -> list[str]:
    """Cold-start phases, heaviest imports and the listing profile, for the curious."""
    out: list[str] = []
    phases = r.get("cold_start", {}).get("phases_ms")
    if phases:
        out += ["Cold start phases (ms, medians, measured inside the process):", ""]
        out += [
            "| client | interpreter | import | create client | first page |",
            "|---|---:|---:|---:|---:|",
        ]
        start = phases["interpreter_start_ms"]
        for name in ("ours", "boto3"):
            p = phases[name]
            out.append(
                f"| {name} | {start:.0f} | {p['import_ms']:.0f} | {p['client_ms']:.0f} "
                f"| {p['first_page_ms']:.0f} |"
            )
        out.append("")
    top = r.get("imports", {}).get("importtime_top", {}).get("by_self")
    if top:
        out += [
            "Heaviest imports of `from bedrock_paginate import Client` (`-X importtime`, self):",
            "",
        ]
        out += [f"- `{row['module']}` {row['self_us'] / 1000:.1f} ms" for row in top[:12]]
        out.append("")
    prof = r.get("profiles", {}).get("ours-1000")
    if prof:
        out += [
            "Where the listing's CPU goes (cProfile, CPU clock, PageSize 1000, "
            f"{prof['profiled_total_s'] * 1000:.0f} ms profiled):",
            "",
        ]
        out += [
            f"- {row['share'] * 100:.1f}% `{row['function']}` ({row['calls']} calls)"
            for row in prof["by_own_time"][:12]
        ]
        out.append("")
    return out


def write_results(r: dict[str, Any], out_dir: Path) -> None:
    """Write ``latest.json`` and ``latest.md`` atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    r = {
        **r,
        "targets": [
            {"name": t.name, "ratio": t.ratio, "limit": t.limit, "pass": t.ok} for t in targets(r)
        ],
    }
    for name, text in (
        ("latest.json", json.dumps(r, indent=1, sort_keys=False) + "\n"),
        ("latest.md", render_markdown(r)),
    ):
        tmp = out_dir / f"{name}.tmp"
        tmp.write_text(text)
        tmp.replace(out_dir / name)


# --- main -----------------------------------------------------------------------------------

STEPS = ("cold", "listing", "signing", "imports", "closure", "streaming", "regions", "profile")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (``run.sh`` passes its arguments through)."""
    parser = argparse.ArgumentParser(prog="benchmarks/run.sh", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median; default 7)")
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs in the fake (10000)")
    parser.add_argument("--big-jobs", type=int, default=100_000, help="jobs for streaming RSS")
    parser.add_argument("--wheel", help="our built wheel (for the closure size); run.sh sets it")
    parser.add_argument(
        "--only", help=f"comma-separated subset of steps: {','.join(STEPS)}", default=""
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    return parser.parse_args(argv)


def run_steps(args: argparse.Namespace, steps: set[str], r: dict[str, Any]) -> None:
    """Run the chosen measurements into ``r``."""
    runs = args.runs
    if steps & {"cold", "listing", "streaming", "profile"}:
        with contextlib.ExitStack() as stack:
            log(f"starting the fake Bedrock with {args.jobs} jobs")
            url = stack.enter_context(fake_bedrock(args.jobs))
            log(f"fake Bedrock at {url}")
            if "cold" in steps:
                r["cold_start"] = measure_cold_start(url, runs)
            if "listing" in steps:
                r["listing"] = {
                    str(size): measure_listing(url, size, runs, args.jobs) for size in (1000, 100)
                }
            if "profile" in steps:
                r["profiles"] = {f"ours-{size}": profile(url, size) for size in (1000, 100)}
                r["profiles"]["floor-1000"] = profile(url, 1000, "floor")
            if "streaming" in steps:
                log(f"starting a second fake with {args.big_jobs} jobs")
                big = stack.enter_context(fake_bedrock(args.big_jobs))
                r["streaming"] = measure_streaming(big, args.big_jobs, min(runs, 3))
    if "signing" in steps:
        r["signing_us"] = measure_signing()
    if "imports" in steps:
        r["imports"] = measure_imports(runs)
    if "closure" in steps:
        r["closure"] = measure_closure(args.wheel or str(ROOT))
    if "regions" in steps:
        r["regions"] = measure_regions(runs, 10, 500, 0.2)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, write the results."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    steps = {s.strip() for s in args.only.split(",") if s.strip()} or set(STEPS)
    unknown = steps - set(STEPS)
    if unknown:
        print(f"unknown steps {sorted(unknown)}; choose from {', '.join(STEPS)}", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    r: dict[str, Any] = {
        "machine": {**machine(), "runs": args.runs},
        "config": vars(args)
        | {
            "out": str(args.out),
            "wheel": Path(args.wheel).name if args.wheel else None,
            "steps": sorted(steps),
        },
    }
    r["notes"] = [
        "Cold start is measured from just before the fork to the first stdout line, which each "
        "client prints once the first page (PageSize 100) is decoded; the CLI prints its first "
        "JSON line then (--max-items 100).",
        "Whole-process CPU is user+sys of the client process from wait4 (interpreter start, "
        "imports, the listing, exit); listing-loop CPU is time.process_time() around the loop "
        "inside the child.",
        "The fake server runs in its own process on the same machine, so wall times include "
        "its work; CPU figures are the client's only.",
        "The endpoint is plain http on loopback: TLS set-up (httpx loads the CA bundle when "
        "the endpoint is https, about 40 ms here) is not part of any figure.",
        "The 100,000-job streaming figures are medians of at most 3 runs; the sequential "
        "10-region figure is one run.",
    ]
    try:
        run_steps(args, steps, r)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        write_results(r, args.out)
        return 1
    write_results(r, args.out)
    print(render_text(r))
    log(f"done; results in {args.out / 'latest.json'} and latest.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
