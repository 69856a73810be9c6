"""``credential_process``: run the profile's command (no shell) and read its JSON (``Version: 1``).

Provider ``credential_process`` (see the package docstring). ``subprocess`` and ``shlex`` are
imported only when a profile sets ``credential_process``. Failures name the program, never its
output (it holds secrets); stderr is quoted, capped.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import ConfigError, CredentialRetrievalError
from ._options import Attempts, ChainOptions, chain_profile, plain_text
from ._value import (
    Credentials,
    Found,
    check_not_expired,
    credentials_from,
    parse_expiration_from,
)

__all__ = ["from_process"]

_STDERR_LIMIT = 1000


def _process_command(options: ChainOptions) -> str | None:
    where = f"profile {options.profile_name!r}"
    return plain_text(
        chain_profile(options).get("credential_process"), key="credential_process", where=where
    )


def _split_command(command: str, profile: str) -> list[str]:
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(
            f"credential_process of profile {profile!r} cannot be split into arguments: {exc}"
        ) from None
    if not argv:
        raise ConfigError(f"credential_process of profile {profile!r} is empty")
    return argv


def _run_process(argv: list[str], options: ChainOptions) -> bytes:
    """Run the command (no shell) and return its stdout; failures name only the program."""
    import subprocess

    program = os.path.basename(argv[0])
    env = None if options.environ is os.environ else dict(options.environ)
    try:
        completed = subprocess.run(
            argv, capture_output=True, timeout=options.process_timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise CredentialRetrievalError(
            f"credential_process ({program}) did not finish within {options.process_timeout:g} s"
        ) from None
    except OSError as exc:
        raise CredentialRetrievalError(
            f"credential_process ({program}) could not be started: "
            f"{exc.strerror or type(exc).__name__}"
        ) from None
    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", "replace").strip()[:_STDERR_LIMIT]
        raise CredentialRetrievalError(
            f"credential_process ({program}) exited with status {completed.returncode}"
            + (f": {stderr}" if stderr else "")
        )
    return completed.stdout


def _parse_process_output(stdout: bytes, program: str, options: ChainOptions) -> Credentials:
    what = f"credential_process ({program})"
    try:
        parsed: Any = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CredentialRetrievalError(f"{what} did not print a JSON object") from None
    if not isinstance(parsed, dict):
        raise CredentialRetrievalError(f"{what} did not print a JSON object")
    version = parsed.get("Version")
    if type(version) is not int or version != 1:
        raise CredentialRetrievalError(
            f"{what} printed an unsupported Version ({version!r}); the supported version is 1"
        )
    fields = {}
    for key in ("AccessKeyId", "SecretAccessKey"):
        value = parsed.get(key)
        if not isinstance(value, str) or not value:
            raise CredentialRetrievalError(f"{what} output lacks a non-empty string {key}")
        fields[key] = value
    token = parsed.get("SessionToken")
    if token is not None and not isinstance(token, str):
        raise CredentialRetrievalError(f"{what} printed a SessionToken that is not a string")
    expiry = parsed.get("Expiration")
    if expiry is not None and not isinstance(expiry, str):
        raise CredentialRetrievalError(f"{what} printed an Expiration that is not a string")
    creds = credentials_from(
        what,
        CredentialRetrievalError,
        access_key=fields["AccessKeyId"],
        secret_key=fields["SecretAccessKey"],
        token=token or None,
        expiration=None if expiry is None else parse_expiration_from(expiry, what),
        source="credential_process",
    )
    check_not_expired(creds, options.now(), what)
    return creds


def from_process(options: ChainOptions, tried: Attempts) -> Found | None:
    command = _process_command(options)
    if command is None:
        tried.add(f"credential_process (not set in profile {options.profile_name!r})")
        return None
    argv = _split_command(command, options.profile_name)

    def fetch() -> Credentials:
        stdout = _run_process(argv, options)
        return _parse_process_output(stdout, os.path.basename(argv[0]), options)

    return Found(credentials=fetch(), refresh=fetch)
