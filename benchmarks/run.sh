#!/usr/bin/env bash
# The benchmark of issue 6, in one command: `bash benchmarks/run.sh [--runs N] [--only STEPS]`.
#
# Makes its own environment in benchmarks/.venv (gitignored): the library built from this
# checkout plus boto3 (benchmark only; never a dependency of the library). Then runs bench.py,
# which prints the table and writes benchmarks/results/latest.json and latest.md.
# PYTHON selects the interpreter for the venv (default: python3). Needs PyPI (or a pip cache).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
python="${PYTHON:-python3}"

say() { printf '[run.sh] %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

say "building bedrock-paginate from $root"
rm -rf "$venv/wheelhouse"
"${pip[@]}" wheel --no-deps --wheel-dir "$venv/wheelhouse" "$root"
wheel="$(ls "$venv"/wheelhouse/bedrock_paginate-*.whl)"

say "installing $(basename "$wheel") and boto3 into the benchmark venv"
"${pip[@]}" uninstall -y bedrock-paginate >/dev/null 2>&1 || true
"${pip[@]}" install "$wheel" boto3

exec "$venv/bin/python" "$here/bench.py" --wheel "$wheel" "$@"
