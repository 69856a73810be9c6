"""AWS credentials: the value, the default provider chain, and thread-safe refresh.

This module owns :class:`Credentials` (the value the signer uses) and
:class:`CredentialResolver` (what a client holds: it walks the chain lazily on first use and
refreshes temporary credentials before they expire).

The chain follows botocore 1.43's ``create_credential_resolver`` order (read, paraphrased):

1. environment: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SECURITY_TOKEN`` or
   ``AWS_SESSION_TOKEN`` / ``AWS_CREDENTIAL_EXPIRATION`` -- skipped when the profile was named
   in code (botocore's ``Session(profile=...)`` rule);
2. assume-role profile (``role_arn`` without ``web_identity_token_file``) -> unsupported;
3. web identity (``AWS_WEB_IDENTITY_TOKEN_FILE`` unless the profile was named in code, or the
   profile's ``web_identity_token_file``) -> unsupported;
4. SSO profile (``sso_role_name`` / ``sso_account_id``) -> unsupported;
5. shared credentials file (``[name]`` section, static keys);
6. ``aws login`` profile (``login_session``) -> unsupported;
7. ``credential_process`` (from the merged profile): run without a shell, JSON ``Version: 1``;
8. config file static keys (``[profile name]`` / ``[default]``);
9. container credentials (``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` / ``_FULL_URI``);
10. EC2 instance metadata (IMDSv2 token, then IMDSv1 fallback unless disabled).

"Unsupported" raises :class:`~bedrock_paginate.errors.UnsupportedProfileError`, but only when the
chain gets that far. When nothing is found and the profile has SSO / assume-role keys that
botocore would not act on (e.g. ``sso_session`` alone, ``source_profile`` alone), that error is
raised instead of ``NoCredentialsError`` because it says more.

Not supported (legacy sources botocore still tries): ``AWS_CREDENTIAL_FILE`` and boto2's
``/etc/boto.cfg``. Refresh follows botocore's ``RefreshableCredentials``: inside the advisory
window (15 min before expiry) one thread refreshes and the others keep the current credentials,
and a failed refresh is logged and ignored; inside the mandatory window (10 min) every thread
waits for the one refresh, and a failure raises.

No secret (secret key, session token, container authorization token, process output) ever
appears in a message, a repr or a log line. ``subprocess``, ``httpx`` and ``shlex`` are imported
only when the chain reaches the source that needs them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

import attrs

from ._profiles import Profile, ProfileValue, SharedFiles
from .errors import (
    BedrockPaginateError,
    ConfigError,
    CredentialRetrievalError,
    NoCredentialsError,
    ParamValidationError,
    UnsupportedProfileError,
)

__all__ = [
    "ADVISORY_REFRESH_SECONDS",
    "DEFAULT_PROCESS_TIMEOUT",
    "MANDATORY_REFRESH_SECONDS",
    "ChainOptions",
    "CredentialResolver",
    "Credentials",
    "mask_access_key",
    "parse_expiration",
    "utc_now",
]

logger = logging.getLogger(__name__)

#: Refresh is attempted (by one thread, failures tolerated) this long before expiry.
ADVISORY_REFRESH_SECONDS = 15 * 60
#: Refresh is required (all threads wait, failures raise) this long before expiry.
MANDATORY_REFRESH_SECONDS = 10 * 60
#: How long a ``credential_process`` may run (botocore waits forever; we do not).
DEFAULT_PROCESS_TIMEOUT = 120.0

_CONTAINER_HOST = "http://169.254.170.2"
_CONTAINER_ALLOWED_HOSTS = ("169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost")
_CONTAINER_TIMEOUT = 2.0
_CONTAINER_ATTEMPTS = 3
_CONTAINER_RETRY_DELAY = 1.0
_IMDS_IPV4 = "http://169.254.169.254/"
_IMDS_IPV6 = "http://[fd00:ec2::254]/"
_IMDS_TOKEN_TTL = "21600"
_IMDS_ROLE_PATH = "latest/meta-data/iam/security-credentials/"
_STDERR_LIMIT = 1000


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return datetime.now(timezone.utc)


def mask_access_key(access_key: str) -> str:
    """An access key id safe to show: its first four and last four characters at most."""
    if len(access_key) < 12:
        return "*" * len(access_key)
    return f"{access_key[:4]}{'*' * (len(access_key) - 8)}{access_key[-4:]}"


_TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|z|[+-]\d{2}:?\d{2})?"
)


def parse_expiration(text: str) -> datetime:
    """Parse an ISO 8601 / RFC 3339 timestamp into a timezone-aware UTC datetime.

    A timestamp without an offset is taken as UTC. Raises ``ValueError`` when ``text`` is not
    such a timestamp.
    """
    match = _TIMESTAMP_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError("not an ISO 8601 timestamp such as 2030-01-01T00:00:00Z")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or "0")[:6].ljust(6, "0")
    offset = match.group(8)
    tz = timezone.utc
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = datetime(year, month, day, hour, minute, second, int(fraction), tzinfo=tz)
    return value.astimezone(timezone.utc)


def _check_key_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        name = attribute.name
        raise ParamValidationError(f"Credentials.{name} must be a non-empty string", param=name)


_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def _check_header_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Access keys and session tokens are sent in headers: printable ASCII, no spaces."""
    if value is None and attribute.name == "token":
        return
    _check_key_text(_, attribute, value)
    if not _HEADER_SAFE.fullmatch(str(value)):
        name = attribute.name
        raise ParamValidationError(
            f"Credentials.{name} contains spaces, line breaks or non-ASCII characters, which "
            "cannot be sent in an HTTP header; use the value exactly as AWS issued it",
            param=name,
        )


def _check_expiration(_: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise ParamValidationError(
            "Credentials.expiration must be a timezone-aware datetime or None", param="expiration"
        )


@attrs.frozen(kw_only=True)
class Credentials:
    """One set of AWS credentials. The repr shows the source and a masked access key only."""

    access_key: str = attrs.field(
        repr=lambda key: repr(mask_access_key(key)), validator=_check_header_text
    )
    secret_key: str = attrs.field(repr=False, validator=_check_key_text)
    token: str | None = attrs.field(default=None, repr=False, validator=_check_header_text)
    #: When temporary credentials stop working (timezone-aware UTC), else ``None``.
    expiration: datetime | None = attrs.field(default=None, validator=_check_expiration)
    #: Where they came from: ``explicit``, ``env``, ``shared-credentials-file``, ``config-file``,
    #: ``credential_process``, ``container`` or ``imds``.
    source: str = "explicit"

    def expires_within(self, seconds: float, now: datetime) -> bool:
        """Whether these credentials expire less than ``seconds`` after ``now``."""
        if self.expiration is None:
            return False
        return (self.expiration - now).total_seconds() < seconds


def _credentials_from(
    where: str, error: type[ConfigError] = ConfigError, **fields: Any
) -> Credentials:
    """``Credentials(**fields)`` from a source; a malformed value is the source's error (a
    ConfigError naming ``where``), never a ParamValidationError about an argument."""
    try:
        return Credentials(**fields)
    except ParamValidationError as exc:
        raise error(f"Credentials from {where}: {exc.message}") from None


#: A source's way to fetch fresh credentials again.
Refresher = Callable[[], Credentials]


class _Found(NamedTuple):
    """What a chain step found: the credentials and, for temporary ones, how to renew them."""

    credentials: Credentials
    refresh: Refresher | None = None


def _default_sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _default_jitter() -> float:
    import random

    return float(random.randint(120, 600))


@attrs.frozen(kw_only=True)
class ChainOptions:
    """Everything the default chain reads, injectable for tests."""

    environ: Mapping[str, str]
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


class _Attempts:
    """What the chain looked at, for the ``NoCredentialsError`` message."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def add(self, note: str) -> None:
        self.notes.append(note)


# --------------------------------------------------------------------------- helpers


def _env(options: ChainOptions, name: str) -> str | None:
    """An environment variable, with empty values counting as unset."""
    value = options.environ.get(name)
    return value if value else None


def _env_bool(options: ChainOptions, name: str) -> bool:
    value = _env(options, name)
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise ConfigError(f"{name} must be 'true' or 'false', not {value!r}")
    return lowered == "true"


def _profile(options: ChainOptions) -> Profile:
    return options.files.profile(options.profile_name) or {}


def _text(value: ProfileValue | None, *, key: str, where: str) -> str | None:
    """A profile value that must be a plain string (not a nested sub-section)."""
    if value is None or isinstance(value, str):
        return value
    raise ConfigError(f"{key} in {where} must be a plain value, not an indented sub-section")


def _unsupported(options: ChainOptions, kind: str, why: str) -> UnsupportedProfileError:
    return UnsupportedProfileError(
        f"Profile {options.profile_name!r} uses {kind} credentials ({why}), which "
        "bedrock-paginate does not support yet. Use static keys, credential_process, "
        "environment variables, or export credentials first "
        "(e.g. `aws configure export-credentials --format env`).",
        profile=options.profile_name,
        profile_type=kind,
    )


def _parse_expiration_from(text: str, source: str) -> datetime:
    try:
        return parse_expiration(text)
    except ValueError:
        raise CredentialRetrievalError(
            f"{source} returned an Expiration that is not an ISO 8601 timestamp"
        ) from None


def _check_not_expired(creds: Credentials, options: ChainOptions, what: str) -> None:
    if creds.expiration is not None and creds.expiration <= options.now():
        raise CredentialRetrievalError(
            f"{what} returned credentials that expired at {creds.expiration.isoformat()}"
        )


# --------------------------------------------------------------------------- static sources


def _from_env(options: ChainOptions, tried: _Attempts) -> _Found | None:
    if options.profile_from_code:
        tried.add("environment variables (skipped: a profile was named in code)")
        return None
    access_key = _env(options, "AWS_ACCESS_KEY_ID")
    if access_key is None:
        tried.add("environment variables (AWS_ACCESS_KEY_ID is not set)")
        return None
    secret_key = _env(options, "AWS_SECRET_ACCESS_KEY")
    if secret_key is None:
        raise ConfigError(
            "Partial credentials found in the environment: AWS_ACCESS_KEY_ID is set but "
            "AWS_SECRET_ACCESS_KEY is missing or empty"
        )
    token = _env(options, "AWS_SECURITY_TOKEN") or _env(options, "AWS_SESSION_TOKEN")
    expiry_text = _env(options, "AWS_CREDENTIAL_EXPIRATION")
    expiration = None
    if expiry_text is not None:
        try:
            expiration = parse_expiration(expiry_text)
        except ValueError:
            raise ConfigError(
                "AWS_CREDENTIAL_EXPIRATION must be an ISO 8601 timestamp such as "
                "2030-01-01T00:00:00Z"
            ) from None
    creds = _credentials_from(
        "environment variables",
        access_key=access_key,
        secret_key=secret_key,
        token=token,
        expiration=expiration,
        source="env",
    )
    return _Found(credentials=creds)


def _static_keys(section: Profile, *, where: str, source: str) -> _Found | None:
    """Static keys from one profile section, or ``None`` when it has no access key."""
    access_key = _text(section.get("aws_access_key_id"), key="aws_access_key_id", where=where)
    if access_key is None:
        return None
    secret_key = _text(
        section.get("aws_secret_access_key"), key="aws_secret_access_key", where=where
    )
    if not access_key or not secret_key:
        missing = "aws_access_key_id" if not access_key else "aws_secret_access_key"
        raise ConfigError(f"Partial credentials found in {where}: {missing} is missing or empty")
    token = None
    for key in ("aws_security_token", "aws_session_token"):
        if key in section:
            token = _text(section[key], key=key, where=where) or None
            break
    return _Found(
        credentials=_credentials_from(
            where, access_key=access_key, secret_key=secret_key, token=token, source=source
        )
    )


def _from_credentials_file(options: ChainOptions, tried: _Attempts) -> _Found | None:
    path = options.files.credentials_path
    where = f"profile {options.profile_name!r} of the shared credentials file {path}"
    section = options.files.credentials_profile(options.profile_name)
    found = (
        None
        if section is None
        else _static_keys(section, where=where, source="shared-credentials-file")
    )
    if found is None:
        tried.add(f"shared credentials file {path} (no keys for profile {options.profile_name!r})")
    return found


def _from_config_file(options: ChainOptions, tried: _Attempts) -> _Found | None:
    path = options.files.config_path
    where = f"profile {options.profile_name!r} of the config file {path}"
    section = options.files.config_profile(options.profile_name)
    found = None if section is None else _static_keys(section, where=where, source="config-file")
    if found is None:
        tried.add(f"config file {path} (no keys for profile {options.profile_name!r})")
    return found


# --------------------------------------------------------------------------- unsupported kinds


def _check_assume_role(options: ChainOptions, tried: _Attempts) -> _Found | None:
    profile = _profile(options)
    if "role_arn" in profile and "web_identity_token_file" not in profile:
        raise _unsupported(options, "assume-role", "it sets role_arn")
    return None


def _check_web_identity(options: ChainOptions, tried: _Attempts) -> _Found | None:
    if not options.profile_from_code and options.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        raise _unsupported(options, "web-identity", "AWS_WEB_IDENTITY_TOKEN_FILE is set")
    if _profile(options).get("web_identity_token_file"):
        raise _unsupported(options, "web-identity", "it sets web_identity_token_file")
    return None


def _check_sso(options: ChainOptions, tried: _Attempts) -> _Found | None:
    profile = _profile(options)
    if "sso_role_name" in profile or "sso_account_id" in profile:
        raise _unsupported(options, "sso", "it sets sso_role_name / sso_account_id")
    return None


def _check_login(options: ChainOptions, tried: _Attempts) -> _Found | None:
    if "login_session" in _profile(options):
        raise _unsupported(options, "login", "it sets login_session")
    return None


def _hint_unsupported(options: ChainOptions) -> UnsupportedProfileError | None:
    """After an empty chain: an unsupported kind the profile hints at, if any."""
    profile = _profile(options)
    for kind, keys in (
        ("sso", ("sso_session", "sso_start_url")),
        ("assume-role", ("source_profile", "credential_source")),
    ):
        present = [k for k in keys if k in profile]
        if present:
            return _unsupported(options, kind, f"it sets {', '.join(present)}")
    return None


# --------------------------------------------------------------------------- credential_process


def _process_command(options: ChainOptions) -> str | None:
    where = f"profile {options.profile_name!r}"
    return _text(_profile(options).get("credential_process"), key="credential_process", where=where)


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
    creds = _credentials_from(
        what,
        CredentialRetrievalError,
        access_key=fields["AccessKeyId"],
        secret_key=fields["SecretAccessKey"],
        token=token or None,
        expiration=None if expiry is None else _parse_expiration_from(expiry, what),
        source="credential_process",
    )
    _check_not_expired(creds, options, what)
    return creds


def _from_process(options: ChainOptions, tried: _Attempts) -> _Found | None:
    command = _process_command(options)
    if command is None:
        tried.add(f"credential_process (not set in profile {options.profile_name!r})")
        return None
    argv = _split_command(command, options.profile_name)

    def fetch() -> Credentials:
        stdout = _run_process(argv, options)
        return _parse_process_output(stdout, os.path.basename(argv[0]), options)

    return _Found(credentials=fetch(), refresh=fetch)


# --------------------------------------------------------------------------- HTTP sources


def _http_client(timeout: float) -> Any:
    import httpx

    # trust_env=False: never send metadata requests through a proxy or read .netrc.
    return httpx.Client(timeout=httpx.Timeout(timeout), trust_env=False, follow_redirects=False)


def _credentials_from_json(
    data: Any, *, what: str, source: str, token_key: str, options: ChainOptions
) -> Credentials:
    """Credentials from a container/IMDS JSON document; all four fields are required."""
    if not isinstance(data, dict):
        raise CredentialRetrievalError(f"{what} did not return a JSON object")
    values = {}
    for key in ("AccessKeyId", "SecretAccessKey", token_key, "Expiration"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise CredentialRetrievalError(f"{what} response lacks a non-empty string {key}")
        values[key] = value
    return _credentials_from(
        what,
        CredentialRetrievalError,
        access_key=values["AccessKeyId"],
        secret_key=values["SecretAccessKey"],
        token=values[token_key],
        expiration=_parse_expiration_from(values["Expiration"], what),
        source=source,
    )


def _container_url(options: ChainOptions) -> str | None:
    relative = options.environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative is not None:
        return options.container_host.rstrip("/") + relative
    full = options.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full is None:
        return None
    _check_container_url(full)
    return full


def _check_container_url(url: str) -> None:
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is not None and parts.scheme == "https" and host:
        return
    if parts is not None and parts.scheme == "http" and host:
        if host in _CONTAINER_ALLOWED_HOSTS:
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
    raise ConfigError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https:// URL, or an http:// URL on a "
        f"loopback address or one of: {', '.join(_CONTAINER_ALLOWED_HOSTS)}"
    )


def _container_headers(options: ChainOptions) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    token_file = options.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file is not None:
        try:
            with open(token_file, encoding="utf-8") as handle:
                token: str | None = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise CredentialRetrievalError(
                f"Unable to read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {token_file}: {reason}"
            ) from None
    else:
        token = options.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    if token is not None:
        if any(c in token for c in "\r\n\0"):
            raise CredentialRetrievalError(
                "The container authorization token contains a line break and cannot be sent"
            )
        headers["Authorization"] = token
    return headers


def _container_fetch_once(client: Any, url: str, headers: dict[str, str]) -> Any:
    """One GET; returns parsed JSON or raises ``CredentialRetrievalError`` (retryable)."""
    import httpx

    try:
        response = client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise CredentialRetrievalError(
            f"container credentials request failed: {type(exc).__name__}"
        ) from None
    if response.status_code != 200:
        raise CredentialRetrievalError(
            f"container credentials endpoint answered HTTP {response.status_code}"
        )
    try:
        return json.loads(response.content)
    except ValueError:
        raise CredentialRetrievalError(
            "container credentials endpoint did not return JSON"
        ) from None


def _container_fetch(options: ChainOptions, url: str) -> Credentials:
    last: CredentialRetrievalError | None = None
    with _http_client(options.container_timeout) as client:
        for attempt in range(options.container_attempts):
            if attempt:
                options.sleep(_CONTAINER_RETRY_DELAY)
            headers = _container_headers(options)
            try:
                data = _container_fetch_once(client, url, headers)
            except CredentialRetrievalError as exc:
                last = exc
                continue
            creds = _credentials_from_json(
                data,
                what="container credentials endpoint",
                source="container",
                token_key="Token",
                options=options,
            )
            _check_not_expired(creds, options, "container credentials endpoint")
            return creds
    assert last is not None
    raise CredentialRetrievalError(f"{last.message} (after {options.container_attempts} attempts)")


def _from_container(options: ChainOptions, tried: _Attempts) -> _Found | None:
    url = _container_url(options)
    if url is None:
        tried.add("container credentials (AWS_CONTAINER_CREDENTIALS_* not set)")
        return None

    def fetch() -> Credentials:
        return _container_fetch(options, url)

    return _Found(credentials=fetch(), refresh=fetch)


# --------------------------------------------------------------------------- IMDS


class _ImdsSettings(NamedTuple):
    base_url: str
    timeout: float
    attempts: int
    v1_disabled: bool


class _ImdsGiveUp(Exception):
    """IMDS had no usable answer: the chain moves on (botocore's "retries exceeded").

    Internal control flow only: always caught in ``_imds_fetch``, never seen by callers.
    """


def _setting(options: ChainOptions, env_name: str, profile_key: str) -> tuple[str, str] | None:
    """(value, where) from the environment, else the profile, else ``None``."""
    value = _env(options, env_name)
    if value is not None:
        return value, env_name
    where = f"profile {options.profile_name!r}"
    from_profile = _text(_profile(options).get(profile_key), key=profile_key, where=where)
    if from_profile:
        return from_profile, f"{profile_key} in {where}"
    return None


def _positive_number(options: ChainOptions, env_name: str, key: str, default: float) -> float:
    found = _setting(options, env_name, key)
    if found is None:
        return default
    text, where = found
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{where} must be a positive number of seconds, not {text!r}")
    return value


def _positive_int(options: ChainOptions, env_name: str, key: str, default: int) -> int:
    found = _setting(options, env_name, key)
    if found is None:
        return default
    text, where = found
    if not re.fullmatch(r"\s*[0-9]+\s*", text) or int(text) < 1:
        raise ConfigError(f"{where} must be a whole number of at least 1, not {text!r}")
    return int(text)


def _imds_settings(options: ChainOptions) -> _ImdsSettings:
    endpoint = _setting(
        options, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint"
    )
    mode = _setting(
        options, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"
    )
    if mode is not None and mode[0].strip().lower() not in ("ipv4", "ipv6"):
        raise ConfigError(f"{mode[1]} must be 'IPv4' or 'IPv6', not {mode[0]!r}")
    if endpoint is not None:
        base = endpoint[0]
        if not re.match(r"https?://[^/?#\s]+", base):
            raise ConfigError(f"{endpoint[1]} must be an http:// or https:// URL, not {base!r}")
    elif mode is not None and mode[0].strip().lower() == "ipv6":
        base = _IMDS_IPV6
    else:
        base = _IMDS_IPV4
    v1 = _setting(options, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
    if v1 is not None and v1[0].strip().lower() not in ("true", "false"):
        raise ConfigError(f"{v1[1]} must be 'true' or 'false', not {v1[0]!r}")
    return _ImdsSettings(
        base_url=base if base.endswith("/") else base + "/",
        timeout=_positive_number(
            options, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", 1.0
        ),
        attempts=_positive_int(
            options, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", 1
        ),
        v1_disabled=v1 is not None and v1[0].strip().lower() == "true",
    )


def _imds_token(client: Any, settings: _ImdsSettings) -> str | None:
    """The IMDSv2 session token, or ``None`` to fall back to IMDSv1 (botocore's rules)."""
    import httpx

    url = settings.base_url + "latest/api/token"
    headers = {"x-aws-ec2-metadata-token-ttl-seconds": _IMDS_TOKEN_TTL}
    for _ in range(settings.attempts):
        try:
            response = client.put(url, headers=headers)
        except httpx.ReadTimeout:
            return None
        except httpx.HTTPError:
            continue
        if response.status_code == 200:
            return str(response.text)
        if response.status_code in (403, 404, 405):
            return None
        if response.status_code == 400:
            raise _ImdsGiveUp("IMDS rejected the token request (HTTP 400)")
    return None


def _imds_get(
    client: Any, settings: _ImdsSettings, path: str, token: str | None, *, want_json: bool
) -> str:
    """GET ``path`` with retries on errors, non-200, empty or (optionally) non-JSON bodies."""
    import httpx

    headers = {} if token is None else {"x-aws-ec2-metadata-token": token}
    for _ in range(settings.attempts):
        try:
            response = client.get(settings.base_url + path, headers=headers)
        except httpx.HTTPError:
            continue
        if response.status_code != 200 or not response.content:
            continue
        text = str(response.text)
        if want_json:
            try:
                json.loads(text)
            except ValueError:
                continue
        return text
    raise _ImdsGiveUp(
        f"no usable answer from {settings.base_url} after {settings.attempts} attempt(s)"
    )


def _imds_extend(creds: Credentials, options: ChainOptions) -> Credentials:
    """botocore's static stability: push back the expiry of (nearly) expired IMDS credentials."""
    assert creds.expiration is not None
    offset = timedelta(seconds=ADVISORY_REFRESH_SECONDS + options.imds_jitter())
    now = options.now()
    if now < creds.expiration - offset:
        return creds
    logger.info("IMDS returned credentials close to expiry; using them for a little longer")
    return attrs.evolve(creds, expiration=now + offset)


def _imds_fetch(options: ChainOptions, settings: _ImdsSettings) -> Credentials | None:
    with _http_client(settings.timeout) as client:
        try:
            token = _imds_token(client, settings)
            if token is None and settings.v1_disabled:
                raise CredentialRetrievalError(
                    "Unable to get an IMDSv2 token and IMDSv1 is disabled "
                    "(AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled)"
                )
            role = _imds_get(client, settings, _IMDS_ROLE_PATH, token, want_json=False)
            body = _imds_get(client, settings, _IMDS_ROLE_PATH + role, token, want_json=True)
        except _ImdsGiveUp as exc:
            logger.debug("IMDS: %s", exc)
            return None
    data = json.loads(body)
    if not isinstance(data, dict) or not all(
        k in data for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
    ):
        logger.debug("IMDS returned a document without credentials (e.g. an error Code)")
        return None
    creds = _credentials_from_json(
        data, what="IMDS", source="imds", token_key="Token", options=options
    )
    return _imds_extend(creds, options)


def _from_imds(options: ChainOptions, tried: _Attempts) -> _Found | None:
    if _env_bool(options, "AWS_EC2_METADATA_DISABLED"):
        tried.add("EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)")
        return None
    settings = _imds_settings(options)
    found = _imds_fetch(options, settings)
    if found is None:
        tried.add(f"EC2 instance metadata at {settings.base_url} (no credentials)")
        return None

    def fetch() -> Credentials:
        again = _imds_fetch(options, settings)
        if again is None:
            raise CredentialRetrievalError(
                f"EC2 instance metadata at {settings.base_url} no longer returns credentials"
            )
        return again

    return _Found(credentials=found, refresh=fetch)


# --------------------------------------------------------------------------- the chain

_Step = Callable[[ChainOptions, _Attempts], _Found | None]

_CHAIN: tuple[_Step, ...] = (
    _from_env,
    _check_assume_role,
    _check_web_identity,
    _check_sso,
    _from_credentials_file,
    _check_login,
    _from_process,
    _from_config_file,
    _from_container,
    _from_imds,
)


def _walk_chain(options: ChainOptions) -> _Found:
    """The first credentials the default chain finds; raises when there are none."""
    tried = _Attempts()
    for step in _CHAIN:
        found = step(options, tried)
        if found is not None:
            logger.debug("Credentials found: %s", found.credentials.source)
            return found
    hint = _hint_unsupported(options)
    if hint is not None:
        raise hint
    raise NoCredentialsError(
        "Unable to locate credentials. Tried: "
        + "; ".join(tried.notes)
        + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, "
        "or choose a profile with --profile / AWS_PROFILE."
    )


# --------------------------------------------------------------------------- the resolver


class CredentialResolver:
    """The credentials a client signs with: loaded lazily, refreshed before expiry, thread-safe."""

    def __init__(
        self,
        load: Callable[[], _Found],
        *,
        now: Callable[[], datetime] = utc_now,
        advisory_seconds: float = ADVISORY_REFRESH_SECONDS,
        mandatory_seconds: float = MANDATORY_REFRESH_SECONDS,
    ) -> None:
        self._load = load
        self._now = now
        self._advisory = advisory_seconds
        self._mandatory = mandatory_seconds
        self._lock = threading.Lock()
        self._current: Credentials | None = None
        self._refresh: Refresher | None = None
        #: The service rejected the current credentials as expired: refresh on the next get().
        self._rejected = False

    @classmethod
    def from_credentials(
        cls, credentials: Credentials, *, now: Callable[[], datetime] = utc_now
    ) -> CredentialResolver:
        """A resolver that always returns ``credentials`` (explicit keys)."""
        found = _Found(credentials=credentials)
        return cls(lambda: found, now=now)

    @classmethod
    def from_chain(cls, options: ChainOptions) -> CredentialResolver:
        """A resolver over the default provider chain (walked on the first :meth:`get`)."""
        return cls(lambda: _walk_chain(options), now=options.now)

    def __repr__(self) -> str:
        current = self._current
        shown = (
            "not loaded"
            if current is None
            else f"{current.source}, {mask_access_key(current.access_key)}"
        )
        return f"<CredentialResolver {shown}>"

    @property
    def source(self) -> str | None:
        """Where the current credentials came from, or ``None`` before the first load."""
        current = self._current
        return None if current is None else current.source

    @property
    def current(self) -> Credentials | None:
        """The credentials loaded so far, without loading or refreshing anything."""
        return self._current

    @property
    def can_refresh(self) -> bool:
        """Whether the source can hand out new credentials (False until loaded)."""
        return self._refresh is not None

    def needs_io(self) -> bool:
        """Whether :meth:`get` would load or refresh (and so may block on I/O) right now.

        The async client calls :meth:`get` in a worker thread when this is true, so a slow
        ``credential_process`` or IMDS call never blocks the event loop.
        """
        current = self._current
        if current is None or self._rejected:
            return True
        return self._refresh is not None and current.expires_within(self._advisory, self._now())

    def mark_expired(self, stale: Credentials | None) -> None:
        """The service rejected ``stale`` as expired: the next :meth:`get` refreshes them.

        No I/O here (the caller may be an event loop). When another thread has already
        replaced ``stale``, nothing is marked, so concurrent callers share one refresh.
        """
        with self._lock:
            if self._current is not None and (stale is None or self._current == stale):
                self._rejected = True

    def get(self) -> Credentials:
        """The credentials to sign with now; loads or refreshes them when needed.

        Credentials whose source cannot refresh (explicit, environment, files) are returned as
        they are, even past an ``AWS_CREDENTIAL_EXPIRATION``: the service will say so.
        """
        current = self._current
        if current is None:
            return self._initial_load()
        if self._rejected:
            return self._refresh_rejected()
        if self._refresh is None or not current.expires_within(self._advisory, self._now()):
            return current
        if self._lock.acquire(blocking=False):
            try:
                self._refresh_if_needed(self._advisory)
            finally:
                self._lock.release()
        elif current.expires_within(self._mandatory, self._now()):
            with self._lock:
                self._refresh_if_needed(self._mandatory)
        result = self._current
        assert result is not None
        return result

    def force_refresh(self, stale: Credentials | None = None) -> Credentials:
        """Fetch new credentials now (after ``ExpiredTokenException``).

        When ``stale`` is given and another thread has already replaced it, the newer
        credentials are returned without another fetch. Raises ``CredentialRetrievalError``
        when the source cannot refresh (static keys) or the refresh fails.
        """
        with self._lock:
            if self._current is None:
                self._current, self._refresh = self._load_found()
                return self._current
            if stale is not None and self._current != stale:
                return self._current
            if self._refresh is None:
                raise CredentialRetrievalError(
                    f"The credentials from {self._current.source} were rejected as expired and "
                    "cannot be refreshed automatically; renew them and try again"
                )
            self._current = self._call_refresh()
            return self._current

    def _refresh_rejected(self) -> Credentials:
        with self._lock:
            if self._rejected:
                if self._refresh is None:
                    self._rejected = False
                    raise CredentialRetrievalError(
                        "The credentials were rejected as expired and cannot be refreshed "
                        "automatically; renew them and try again"
                    )
                self._current = self._call_refresh()
                self._rejected = False
            assert self._current is not None
            return self._current

    def _load_found(self) -> tuple[Credentials, Refresher | None]:
        found = self._load()
        return found.credentials, found.refresh

    def _initial_load(self) -> Credentials:
        with self._lock:
            if self._current is None:
                self._current, self._refresh = self._load_found()
            return self._current

    def _refresh_if_needed(self, window: float) -> None:
        """With the lock held: refresh if the current credentials are inside ``window``."""
        current = self._current
        assert current is not None
        now = self._now()
        if not current.expires_within(window, now):
            return
        mandatory = current.expires_within(self._mandatory, now)
        try:
            self._current = self._call_refresh()
        except BedrockPaginateError:
            if mandatory:
                raise
            logger.warning(
                "Refreshing %s credentials failed in the advisory window; "
                "using the current ones until they are closer to expiry",
                current.source,
                exc_info=True,
            )

    def _call_refresh(self) -> Credentials:
        assert self._refresh is not None
        try:
            fresh = self._refresh()
        except BedrockPaginateError:
            raise
        except Exception as exc:
            raise CredentialRetrievalError(
                f"Refreshing credentials failed: {type(exc).__name__}"
            ) from exc
        if fresh.expiration is not None and fresh.expiration <= self._now():
            raise CredentialRetrievalError(
                f"Credentials were refreshed from {fresh.source}, "
                "but the new ones are already expired"
            )
        return fresh
