"""The keyword arguments of the public API, each written once, as ``TypedDict`` s.

* :class:`ConfigOptions`: the settings :func:`~bedrock_paginate._config.resolve_config` settles
  (region, endpoint, keys, profile, retries, TLS, timeouts, the environment to read, the MFA
  prompt and the assumed-role cache).
* :class:`ClientOptions`: ``ConfigOptions`` plus what only the client shell uses
  (record/replay, an injected clock, sleep and random, the body cap). ``Client``,
  ``AsyncClient`` and ``list_jobs_across_regions(client_kwargs=...)`` take exactly these.
* :class:`ListJobsFilters` / :class:`ListJobsParams` / :class:`PaginateParams`: the arguments of
  ``paginate()`` and ``list_model_invocation_jobs()`` (boto3's names; ``None`` means absent).

The functions take them as ``**options: Unpack[ClientOptions]``, so a type checker rejects
``Client(regoin_name=...)``; ``Unpack`` is imported under ``TYPE_CHECKING`` only (with
``from __future__ import annotations`` the annotations are never evaluated), so this costs
nothing at run time and adds no dependency. At run time :func:`check_options` rejects an
unknown name with a ``TypeError`` that suggests the closest valid one, as Python would for a
misspelled keyword argument.

Pure: imports nothing of the package.
"""

# No ``from __future__ import annotations`` here: a TypedDict turns string annotations into
# ForwardRefs, compiling each one (about 4 ms for these classes); evaluated ones cost ~0.3 ms.
import os
from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from typing import Any, TypedDict, cast

__all__ = [
    "CLIENT_OPTIONS",
    "CONFIG_OPTIONS",
    "ClientOptions",
    "ConfigOptions",
    "ListJobsFilters",
    "ListJobsParams",
    "PaginateParams",
    "PaginationOptions",
    "check_options",
    "config_options",
]

#: A timestamp argument: a datetime (naive means UTC), an ISO 8601 string or epoch seconds.
Timestamp = datetime | str | int | float


class ConfigOptions(TypedDict, total=False):
    """The client settings that configuration resolution settles (all optional)."""

    region_name: str | None
    endpoint_url: str | None
    aws_access_key_id: str | None
    aws_secret_access_key: str | None
    aws_session_token: str | None
    profile_name: str | None
    bearer_token: str | None
    retry_mode: str | None
    max_attempts: int | None
    verify: bool | str | None
    connect_timeout: float | None
    read_timeout: float | None
    use_fips_endpoint: bool | None
    use_dualstack_endpoint: bool | None
    environ: Mapping[str, str] | None
    #: Asks for the MFA code of an assume-role profile with ``mfa_serial``.
    mfa_prompt: Callable[[str], str] | None
    #: Where assumed-role answers are kept (default: a new dict per client).
    credential_cache: MutableMapping[str, Any] | None


class ClientOptions(ConfigOptions, total=False):
    """The keyword arguments of ``Client`` and ``AsyncClient`` (besides ``transport``)."""

    record_to: str | os.PathLike[str] | None
    replay_from: str | os.PathLike[str] | None
    replay_any_order: bool
    clock: Callable[[], float] | None
    sleep: Callable[[float], Any] | None
    random: Callable[[], float] | None
    max_body_bytes: int | None


class ListJobsFilters(TypedDict, total=False):
    """The filters of ListModelInvocationJobs (boto3's names)."""

    submitTimeAfter: Timestamp | None
    submitTimeBefore: Timestamp | None
    statusEquals: str | None
    nameContains: str | None
    sortBy: str | None
    sortOrder: str | None


class ListJobsParams(ListJobsFilters, total=False):
    """The arguments of ``list_model_invocation_jobs()``: the filters plus one page's size and
    position."""

    maxResults: int | None
    nextToken: str | None


class PaginationOptions(TypedDict, total=False):
    """boto3's ``PaginationConfig``."""

    MaxItems: int | None
    PageSize: int | None
    StartingToken: str | None


class PaginateParams(ListJobsFilters, total=False):
    """The arguments of ``paginate()``: the filters plus ``PaginationConfig``."""

    PaginationConfig: PaginationOptions | None


CONFIG_OPTIONS: frozenset[str] = ConfigOptions.__optional_keys__
CLIENT_OPTIONS: frozenset[str] = ClientOptions.__optional_keys__


def check_options(where: str, given: Mapping[str, object], allowed: frozenset[str]) -> None:
    """Raise ``TypeError`` for a keyword argument of ``where`` not in ``allowed``.

    The message names the argument, the closest valid name if one is close, and where to look.
    """
    unknown = sorted(name for name in given if name not in allowed)
    if not unknown:
        return
    import difflib

    name = unknown[0]
    close = difflib.get_close_matches(name, sorted(allowed), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise TypeError(
        f"{where}() got an unexpected keyword argument {name!r}{hint} "
        f"(valid arguments: {', '.join(sorted(allowed))})"
    )


def config_options(options: ClientOptions) -> ConfigOptions:
    """The part of a client's ``options`` that configuration resolution reads."""
    return cast(ConfigOptions, {k: v for k, v in options.items() if k in CONFIG_OPTIONS})
