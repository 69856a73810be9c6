"""Configuration values: where each raw setting comes from, and the checks every value passes.

:class:`Value` is a raw setting with its origin (an argument, an environment variable, a
profile key) and raises the right error for it: ``ParamValidationError`` for an argument,
``ConfigError`` otherwise, the message naming the origin and what is allowed. :class:`Sources`
reads the environment and the (lazily loaded) profile of one resolution. The checks of booleans,
explicit keys, timeouts and endpoint URLs live here; ``_config`` applies the precedence rules.

Imports ``_profiles`` and ``errors``; no httpx.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

from ._profiles import Profile, ProfileValue, SharedFiles
from .errors import (
    BedrockPaginateError,
    ConfigError,
    ConfigFileError,
    ParamValidationError,
    ProfileNotFoundError,
)

__all__ = [
    "MAX_TIMEOUT",
    "Sources",
    "Value",
    "bool_setting",
    "bool_text",
    "check_explicit_keys",
    "check_timeout",
    "parse_bool",
    "validate_endpoint_url",
    "validate_url",
]

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


# --------------------------------------------------------------------------- lookups


class Value(NamedTuple):
    """A raw setting and where it came from (``origin``), plus whether that was an argument."""

    text: str
    origin: str
    from_argument: bool = False
    #: Where a profile value is written (``FILE, line N``), looked up only for an error.
    locate: Callable[[], str | None] | None = None

    def error(self, message: str) -> BedrockPaginateError:
        """The right error class for a bad value from this origin."""
        if self.from_argument:
            return ParamValidationError(f"{self.origin}: {message}", param=self.origin)
        where = self.locate() if self.locate is not None else None
        origin = self.origin if where is None else f"{self.origin} ({where})"
        return ConfigError(f"{origin}: {message}")


class Sources:
    """The environment and the (lazily read) profile of one resolution."""

    def __init__(
        self,
        environ: Mapping[str, str],
        files: SharedFiles,
        profile_name: str,
        *,
        named: bool,
        must_exist: bool,
    ) -> None:
        self.environ = environ
        self.files = files
        self.profile_name = profile_name
        self._named = named
        self._must_exist = must_exist
        self._profile: Profile | None = None

    def env(self, name: str) -> Value | None:
        """Environment variable ``name``; empty counts as unset."""
        value = self.environ.get(name)
        return Value(value, name) if value else None

    def profile(self) -> Profile:
        """The merged profile (read on first use); raises if a named profile is missing."""
        if self._profile is None:
            try:
                found = self.files.profile(self.profile_name)
            except ConfigFileError:
                if self._must_exist:
                    raise
                # Replay needs no configuration: a broken local file must not block it.
                found = None
            if found is None and self._named and self._must_exist:
                raise ProfileNotFoundError(
                    f"The config profile ({self.profile_name}) could not be found in "
                    f"{self.files.config_path} or {self.files.credentials_path}",
                    profile=self.profile_name,
                )
            self._profile = found or {}
        return self._profile

    def profile_raw(self, key: str) -> ProfileValue | None:
        return self.profile().get(key)

    def from_profile(self, key: str) -> Value | None:
        """Profile key ``key`` as a plain string; an indented sub-section is an error."""
        value = self.profile_raw(key)
        origin = f"{key} in profile {self.profile_name!r}"
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{origin} must be a plain value, not an indented sub-section")

        def locate() -> str | None:
            return self.files.locate(self.profile_name, key)

        return Value(value, origin, locate=locate) if value else None

    def first(self, env_names: tuple[str, ...], profile_key: str | None) -> Value | None:
        """The first of the environment variables, then the profile key, that is set."""
        for name in env_names:
            found = self.env(name)
            if found is not None:
                return found
        return None if profile_key is None else self.from_profile(profile_key)


def bool_text(text: str) -> bool | None:
    """``true`` / ``false`` in any case, surrounding spaces ignored; ``None`` for anything else.
    Every boolean setting (client, credential providers, STS) is read with this."""
    lowered = text.strip().lower()
    return None if lowered not in ("true", "false") else lowered == "true"


def parse_bool(value: Value) -> bool:
    found = bool_text(value.text)
    if found is None:
        raise value.error(f"must be 'true' or 'false', not {value.text!r}")
    return found


def bool_setting(argument: bool | None, name: str, sources: Sources, env: str, key: str) -> bool:
    if argument is not None:
        if not isinstance(argument, bool):
            raise ParamValidationError(f"{name} must be True, False or None", param=name)
        return argument
    found = sources.first((env,), key)
    return False if found is None else parse_bool(found)


# --------------------------------------------------------------------------- arguments


def check_explicit_keys(
    access_key: str | None, secret_key: str | None, token: str | None, bearer: str | None
) -> None:
    for name, value in (
        ("aws_access_key_id", access_key),
        ("aws_secret_access_key", secret_key),
        ("aws_session_token", token),
        ("bearer_token", bearer),
    ):
        if value is not None and (not isinstance(value, str) or not value):
            raise ParamValidationError(f"{name} must be a non-empty string", param=name)
    if (access_key is None) != (secret_key is None):
        missing = "aws_secret_access_key" if secret_key is None else "aws_access_key_id"
        raise ParamValidationError(
            "aws_access_key_id and aws_secret_access_key must be given together; "
            f"{missing} is missing",
            param=missing,
        )
    if token is not None and access_key is None:
        raise ParamValidationError(
            "aws_session_token needs aws_access_key_id and aws_secret_access_key as well",
            param="aws_session_token",
        )
    if bearer is not None and access_key is not None:
        raise ParamValidationError(
            "Give either bearer_token or aws_access_key_id/aws_secret_access_key, not both",
            param="bearer_token",
        )


#: The longest timeout, seconds: a socket refuses (OverflowError) waits past about 9.2e9 s.
MAX_TIMEOUT = 1e9


def check_timeout(value: float | None, name: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamValidationError(f"{name} must be a number of seconds", param=name)
    if not math.isfinite(value) or value <= 0 or value > MAX_TIMEOUT:
        raise ParamValidationError(
            f"{name} must be a positive number of seconds up to {MAX_TIMEOUT:.0e} (about 31 "
            f"years; a socket cannot wait longer), not {value!r}",
            param=name,
        )
    return float(value)


# --------------------------------------------------------------------------- endpoint URLs


def _invalid_url(value: Value, why: str) -> BedrockPaginateError:
    return value.error(
        f"invalid endpoint URL ({why}); expected http(s)://host[:port][/path] with no "
        "user info, query string or fragment"
    )


def _check_host(host: str) -> bool:
    import ipaddress

    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1].split("%", 1)[0])
        except ValueError:
            return False
        return host.endswith("]")
    host = host[:-1] if host.endswith(".") else host
    return (
        bool(host) and len(host) <= 253 and all(_HOST_LABEL.fullmatch(p) for p in host.split("."))
    )


def validate_url(value: Value) -> str:
    from urllib.parse import urlsplit

    url = value.text
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise _invalid_url(value, "it contains whitespace or control characters")
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise _invalid_url(value, "the scheme must be http:// or https://")
    if "?" in rest or "#" in rest:
        raise _invalid_url(value, "it has a query string or fragment")
    netloc, _, path = rest.partition("/")
    if "@" in netloc:
        raise _invalid_url(value, "it has user info before the host")
    if netloc.endswith(":"):
        raise _invalid_url(value, "the port is empty")
    try:
        port = urlsplit(url).port
    except ValueError:
        raise _invalid_url(value, "the host or port is malformed") from None
    if port == 0:
        raise _invalid_url(value, "the port is not a number from 1 to 65535")
    host = netloc if port is None else netloc.rsplit(":", 1)[0]
    if not _check_host(host):
        raise _invalid_url(value, "the host is missing or not a valid name or IP address")
    path = path.rstrip("/")
    return f"{scheme.lower()}://{netloc}" + (f"/{path}" if path else "")


def validate_endpoint_url(url: str, *, origin: str = "endpoint_url") -> str:
    """Check an endpoint URL given as an argument and return it without a trailing slash.

    Raises ``ParamValidationError`` saying what is allowed.
    """
    if not isinstance(url, str):
        raise ParamValidationError(f"{origin} must be a string", param=origin)
    return validate_url(Value(url, origin, from_argument=True))
