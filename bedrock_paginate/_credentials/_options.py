"""What a credential provider gets to work with: :class:`ChainOptions` and shared readers.

:class:`ChainOptions` carries everything the chain reads (environment, shared files, profile,
clock, sleep, timeouts; for STS the client's region and transport settings in
:class:`StsOptions`, the MFA prompt and the assumed-role cache), injectable for tests;
:class:`Attempts` collects what each provider looked at for the ``NoCredentialsError``
message. The helpers read environment variables and
profile values the same way for every provider; :func:`http_client` is the one way a
provider opens an HTTP client (``httpx`` imported only then) and :func:`fetch_capped` the one
way it reads an answer (through ``_http.read_capped``: never more than
:data:`MAX_CREDENTIALS_BODY` bytes).

Imports ``_profiles``, ``errors`` and ``_value``; no I/O at import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from typing import Any

import attrs

from .._profiles import Profile, ProfileValue, SharedFiles
from ..errors import ConfigError
from ._value import utc_now

__all__ = [
    "DEFAULT_PROCESS_TIMEOUT",
    "MAX_CREDENTIALS_BODY",
    "Attempts",
    "ChainOptions",
    "MfaPrompt",
    "StsOptions",
    "chain_profile",
    "client_view",
    "env",
    "env_bool",
    "fetch_capped",
    "http_client",
    "plain_text",
    "profile_value",
    "setting",
    "setting_bool",
]

#: How long a ``credential_process`` may run (botocore waits forever; we do not).
DEFAULT_PROCESS_TIMEOUT = 120.0

_CONTAINER_HOST = "http://169.254.170.2"
_CONTAINER_TIMEOUT = 2.0
_CONTAINER_ATTEMPTS = 3


def _default_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _default_jitter() -> float:
    import random

    return float(random.randint(120, 600))


@attrs.frozen(kw_only=True)
class StsOptions:
    """What STS calls (assume-role, web identity) borrow from the client being configured.

    As in botocore, STS is called in the client's region, with the client's profile's
    settings (``sts_regional_endpoints``, FIPS, dual-stack, endpoint URLs), whatever profile
    the role's source credentials come from.
    """

    #: The client's region; ``None``: the global endpoint, as botocore without a region.
    region: str | None = None
    #: The client's region was a FIPS pseudo-region (``fips-us-east-1``).
    region_fips: bool = False
    #: The client's profile; ``None``: the chain's ``profile_name``.
    profile: str | None = None
    verify: bool | str = True
    connect_timeout: float = 60.0
    read_timeout: float = 60.0
    retry_mode: str = "standard"
    #: ``None``: the retry mode's default.
    max_attempts: int | None = None


#: Asks the user for an MFA code; called with the prompt (``Enter MFA code for SERIAL: ``).
MfaPrompt = Callable[[str], str]


@attrs.frozen(kw_only=True)
class ChainOptions:
    """Everything the default chain reads, injectable for tests."""

    #: Hidden from the repr: it may hold AWS_SECRET_ACCESS_KEY and tokens.
    environ: Mapping[str, str] = attrs.field(repr=False)
    files: SharedFiles
    #: The profile whose keys are consulted (``"default"`` when none was named).
    profile_name: str = "default"
    #: The profile was named in code: environment credentials are skipped, as in botocore.
    profile_from_code: bool = False
    now: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = _default_sleep
    process_timeout: float = DEFAULT_PROCESS_TIMEOUT
    #: Base URL for ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (tests point it at 127.0.0.1).
    container_host: str = _CONTAINER_HOST
    container_timeout: float = _CONTAINER_TIMEOUT
    container_attempts: int = _CONTAINER_ATTEMPTS
    #: Seconds (2-10 minutes in botocore) added when IMDS hands out nearly expired credentials.
    imds_jitter: Callable[[], float] = _default_jitter
    sts: StsOptions = StsOptions()
    #: For ``mfa_serial`` profiles; ``None``: such a profile fails before any STS call.
    mfa_prompt: MfaPrompt | None = None
    #: Assumed-role answers by cache key: a dict per client (boto3), or the AWS CLI's
    #: ``~/.aws/cli/cache`` (``_role_cache.JSONFileCache``).
    role_cache: MutableMapping[str, Any] = attrs.field(factory=dict, repr=False)

    def for_source_profile(self, name: str) -> ChainOptions:
        """The options for the providers of source profile ``name`` (environment skipped, as
        botocore's ``disable_env_vars``), STS still configured by the client's profile."""
        sts = (
            self.sts
            if self.sts.profile is not None
            else attrs.evolve(self.sts, profile=self.profile_name)
        )
        return attrs.evolve(self, profile_name=name, profile_from_code=True, sts=sts)


class Attempts:
    """What the chain looked at, for the ``NoCredentialsError`` message."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def add(self, note: str) -> None:
        self.notes.append(note)


# --------------------------------------------------------------------------- helpers


def client_view(options: ChainOptions) -> ChainOptions:
    """``options`` reading the client's profile (``options.sts.profile``), whose settings
    configure the services a provider calls (STS, SSO, Sign-In: endpoints, FIPS, dual-stack), as
    botocore's nested clients are made by the client's session whatever profile the source
    credentials come from."""
    profile = options.sts.profile
    if profile is None or profile == options.profile_name:
        return options
    return attrs.evolve(options, profile_name=profile)


def env(options: ChainOptions, name: str) -> str | None:
    """An environment variable, with empty values counting as unset."""
    value = options.environ.get(name)
    return value if value else None


def _checked_bool(text: str, where: str) -> bool:
    from .._config_values import bool_text

    found = bool_text(text)
    if found is None:
        raise ConfigError(f"{where} must be 'true' or 'false', not {text!r}")
    return found


def env_bool(options: ChainOptions, name: str) -> bool:
    """Environment variable ``name`` as a boolean (unset: ``False``)."""
    value = env(options, name)
    return False if value is None else _checked_bool(value, name)


def setting_bool(options: ChainOptions, env_name: str, profile_key: str) -> bool:
    """:func:`setting` as a boolean (unset: ``False``)."""
    found = setting(options, env_name, profile_key)
    return False if found is None else _checked_bool(*found)


def chain_profile(options: ChainOptions) -> Profile:
    return options.files.profile(options.profile_name) or {}


def plain_text(value: ProfileValue | None, *, key: str, where: str) -> str | None:
    """A profile value that must be a plain string (not a nested sub-section)."""
    if value is None or isinstance(value, str):
        return value
    raise ConfigError(f"{key} in {where} must be a plain value, not an indented sub-section")


def profile_value(options: ChainOptions, key: str) -> str | None:
    """A plain value of the chain's profile; ``None`` when absent or empty."""
    where = f"profile {options.profile_name!r}"
    return plain_text(chain_profile(options).get(key), key=key, where=where) or None


def http_client(timeout: float) -> Any:
    import httpx

    # trust_env=False: never send metadata requests through a proxy or read .netrc.
    return httpx.Client(timeout=httpx.Timeout(timeout), trust_env=False, follow_redirects=False)


#: The largest body a credentials endpoint (container, IMDS) may answer with; theirs are a
#: few hundred bytes.
MAX_CREDENTIALS_BODY = 64 * 1024


def fetch_capped(
    client: Any, method: str, url: str, headers: Mapping[str, str]
) -> tuple[int, bytes | None]:
    """Send one request with ``client`` (from :func:`http_client`); the status and the body,
    or ``None`` for a body larger than :data:`MAX_CREDENTIALS_BODY` (reading stops there).
    httpx's errors propagate."""
    from .._http import read_capped

    with client.stream(method, url, headers=dict(headers)) as response:
        length = response.headers.get("content-length")
        body = read_capped(response.iter_bytes(), length, MAX_CREDENTIALS_BODY)
        return response.status_code, body


def setting(options: ChainOptions, env_name: str, profile_key: str) -> tuple[str, str] | None:
    """(value, where) from the environment, else the profile, else ``None``."""
    value = env(options, env_name)
    if value is not None:
        return value, env_name
    where = f"profile {options.profile_name!r}"
    from_profile = plain_text(chain_profile(options).get(profile_key), key=profile_key, where=where)
    if from_profile:
        return from_profile, f"{profile_key} in {where}"
    return None
