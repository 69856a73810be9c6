"""The JSON cache files the AWS CLI shares with the SDKs (``~/.aws/sso/cache``,
``~/.aws/login/cache``, and ``~/.aws/cli/cache`` through ``_role_cache.JSONFileCache``): read
one with a clear error, rewrite one atomically as botocore's ``JSONFileCache`` does (a temporary
file in the same directory, flushed and fsynced, then ``os.replace``; readable by its owner
only), so a reader never sees half a file and a crash never leaves a truncated one, and one lock
per file or cache key in this process.

Messages name the file and what is wrong, never its contents (they hold tokens and keys).
Imports only the standard library and ``errors``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from typing import Any

__all__ = ["in_process_lock", "read_json_object", "write_json_atomic"]

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def in_process_lock(key: str) -> threading.Lock:
    """The one lock of this process for a cache file path or cache key.

    A refresh rotates the refresh token, so two threads refreshing the same file at once would
    spend it twice (the second is refused); two threads assuming the same role would call STS
    (and prompt for MFA) twice. Holding this lock around read, fetch and rewrite makes the others
    wait and then read the new entry (several clients of one process, e.g. ``--regions``, share
    a login or a role). Other processes are not covered, as with the AWS CLI.
    """
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class _CacheFileUnusable(Exception):
    """A cache file exists but cannot be used; ``reason`` says why (no contents)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_json_object(path: str) -> dict[str, Any] | None:
    """The JSON object in ``path``; ``None`` when there is no such file.

    Raises ``_CacheFileUnusable`` when the file cannot be read or is not a JSON object.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _CacheFileUnusable(path, f"cannot be read ({reason})") from None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _CacheFileUnusable(path, "is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise _CacheFileUnusable(path, "does not hold a JSON object")
    return parsed


def write_json_atomic(path: str, value: Any) -> None:
    """Replace ``path`` with ``value`` as JSON, atomically; the directory is created if needed.

    The new file is readable by its owner only (``mkstemp``'s 0600), as botocore's are.
    Raises ``OSError`` when it cannot be written (the old file is then left as it was) and
    ``TypeError`` / ``ValueError`` when ``value`` is not JSON.
    """
    directory = os.path.dirname(path) or "."
    text = json.dumps(value)
    os.makedirs(directory, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_path)
        raise
