#!/usr/bin/env bash
# Cross-check the SSO and `aws login` providers against botocore itself, in one command:
# `bash crosscheck/run.sh`.
#
# Makes its own environment in crosscheck/.venv (gitignored): the library built from this
# checkout with its [login] extra, plus botocore[crt] 1.44 (the cross-check only; never a
# dependency of the library). Then runs sso_login.py, which resolves the same profiles with both
# against the same loopback fakes and exits 1 if they disagree.
# PYTHON selects the interpreter for the venv (default: python3). Needs PyPI (or a pip cache).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
python="${PYTHON:-python3}"

say() { printf '[crosscheck] %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

say "building bedrock-paginate from $root"
rm -rf "$venv/wheelhouse"
"${pip[@]}" wheel --no-deps --wheel-dir "$venv/wheelhouse" "$root"
wheel="$(ls "$venv"/wheelhouse/bedrock_paginate-*.whl)"

say "installing $(basename "$wheel")[login] and botocore[crt] 1.44 into the cross-check venv"
"${pip[@]}" uninstall -y bedrock-paginate >/dev/null 2>&1 || true
"${pip[@]}" install "${wheel}[login]" 'botocore[crt]>=1.44,<1.45'

cd "$venv"  # not the checkout: import the installed wheel, not the source tree
exec "$venv/bin/python" "$here/sso_login.py" "$@"
