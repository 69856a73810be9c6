"""The role credential cache: botocore's cache key, the AWS CLI's ``~/.aws/cli/cache`` files, and
the check-then-fetch every STS provider (and SSO's role credentials, under botocore's SSO key)
does.

botocore's ``CachedCredentialFetcher`` keeps the whole STS answer (``Credentials`` with
``Expiration`` and ``AccountId``, ``AssumedRoleUser``, ``ResponseMetadata``) under a key that is
the SHA-1 of the sorted JSON of the call's arguments (without a generated session name and,
for web identity, without the token). A cached answer is used until 15 minutes before it
expires. The Python API keeps answers in a dict per client, as boto3 does per session; the
CLI uses :class:`JSONFileCache` on ``~/.aws/cli/cache``, the AWS CLI's own, so a role assumed
(with MFA, say) by either tool is reused by the other. Files are written atomically (temporary
file, fsync, rename) and readable by their owner only (0600).

A cache entry that cannot be read or understood counts as absent (botocore's behaviour for
unreadable JSON), and a cache that cannot be written only costs the next run an STS call:
neither stops a listing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from .._time import parse_cache_expiration
from ._cache_files import in_process_lock, write_json_atomic

__all__ = ["EXPIRY_WINDOW_SECONDS", "JSONFileCache", "cache_key", "cached_answer"]

logger = logging.getLogger(__name__)

#: A cached answer expiring sooner than this is fetched again (botocore's 15 minutes).
EXPIRY_WINDOW_SECONDS = 15 * 60


def cache_key(arguments: Mapping[str, Any]) -> str:
    """botocore's key: SHA-1 of ``json.dumps(arguments, sort_keys=True)``, file-name safe."""
    args = dict(arguments)
    if "Policy" in args and isinstance(args["Policy"], str):
        args["Policy"] = json.loads(args["Policy"])  # sorted like the rest, as botocore
    text = json.dumps(args, sort_keys=True).encode("utf-8")
    # A file name shared with the AWS CLI, not a security measure.
    digest = hashlib.sha1(text, usedforsecurity=False).hexdigest()
    return digest.replace(":", "_").replace(os.sep, "_").replace("/", "_")


class JSONFileCache(MutableMapping[str, Any]):
    """A directory of ``<key>.json`` files, as botocore's ``JSONFileCache`` reads and writes
    them (the AWS CLI's assume-role cache is ``~/.aws/cli/cache``)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = os.fspath(directory)

    def __repr__(self) -> str:
        return f"JSONFileCache({self.directory!r})"

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key + ".json")

    def __getitem__(self, key: str) -> Any:
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and os.path.isfile(self._path(key))

    def __setitem__(self, key: str, value: Any) -> None:
        write_json_atomic(self._path(key), value)

    def __delitem__(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        try:
            names = sorted(os.listdir(self.directory))
        except OSError:
            return iter(())
        return iter(name[: -len(".json")] for name in names if name.endswith(".json"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _usable(answer: Any, now: datetime, where: str) -> bool:
    """Whether a cached answer has all four credential fields and is not about to expire."""
    creds = answer.get("Credentials") if isinstance(answer, dict) else None
    fields = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    if not isinstance(creds, dict) or not all(
        isinstance(creds.get(f), str) and creds.get(f) for f in fields
    ):
        logger.debug("Ignoring a malformed role credential cache entry in %s", where)
        return False
    try:
        expiration = parse_cache_expiration(creds["Expiration"])
    except ValueError:
        logger.debug("Ignoring a role credential cache entry with a bad Expiration in %s", where)
        return False
    if expiration - now < timedelta(seconds=EXPIRY_WINDOW_SECONDS):
        logger.debug("Cached role credentials in %s expire soon; fetching new ones", where)
        return False
    return True


def cached_answer(
    cache: MutableMapping[str, Any],
    key: str,
    fetch: Callable[[], dict[str, Any]],
    now: Callable[[], datetime],
) -> dict[str, Any]:
    """The cached answer under ``key`` if still good, else ``fetch()`` (then cached).

    One fetch per key at a time in this process, so clients listing several regions at once
    assume a role (and prompt for MFA) once.
    """
    where = f"{cache!r}" if isinstance(cache, JSONFileCache) else "memory"
    with in_process_lock(key):
        found = cache.get(key)
        if found is not None and _usable(found, now(), where):
            logger.debug("Role credentials taken from the cache (%s)", where)
            return dict(found)
        answer = fetch()
        try:
            cache[key] = answer
        except (OSError, TypeError, ValueError) as exc:
            logger.warning(
                "Could not write the role credential cache (%s): %s",
                where,
                getattr(exc, "strerror", None) or type(exc).__name__,
            )
        return answer
