"""The credential value: :class:`Credentials`, what a provider returns, and ISO 8601 expiry.

Owns the value the signer uses (validated, with a repr that never shows a secret), the
:class:`Found` record every provider returns, and the constructors providers share to turn a
source's answer into credentials whose errors name the source. Every ISO 8601 expiry a provider
reads goes through here (:func:`parse_expiration_from`, over ``_time.parse_expiration``, which
with ``utc_now`` is re-exported from ``_time``, the package's one timestamp module).

Imports nothing of the package but ``_time`` and ``errors``; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

import attrs

from .._time import parse_expiration, utc_now
from ..errors import ConfigError, CredentialRetrievalError, ParamValidationError

__all__ = [
    "Credentials",
    "Found",
    "Refresher",
    "check_not_expired",
    "credentials_from",
    "credentials_from_json",
    "mask_access_key",
    "parse_expiration",
    "parse_expiration_from",
    "utc_now",
]


def mask_access_key(access_key: str) -> str:
    """An access key id safe to show: its first four and last four characters at most."""
    if len(access_key) < 12:
        return "*" * len(access_key)
    return f"{access_key[:4]}{'*' * (len(access_key) - 8)}{access_key[-4:]}"


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
    #: Where they came from: ``explicit``, ``env``, ``assume-role``,
    #: ``assume-role-with-web-identity``, ``shared-credentials-file``, ``config-file``,
    #: ``credential_process``, ``container`` or ``imds``.
    source: str = "explicit"

    def expires_within(self, seconds: float, now: datetime) -> bool:
        """Whether these credentials expire less than ``seconds`` after ``now``."""
        if self.expiration is None:
            return False
        return (self.expiration - now).total_seconds() < seconds


def credentials_from(
    where: str, error: type[ConfigError] = ConfigError, **fields: Any
) -> Credentials:
    """``Credentials(**fields)`` from a source; a malformed value is the source's error (a
    ConfigError naming ``where``), never a ParamValidationError about an argument."""
    try:
        return Credentials(**fields)
    except ParamValidationError as exc:
        field = f"Credentials.{exc.param}"
        message = exc.message.replace(field, _FIELD_NAMES.get(str(exc.param), field))
        raise error(f"Credentials from {where}: {message}") from None


#: The credential fields as a user knows them from files, environments and answers.
_FIELD_NAMES = {
    "access_key": "the access key id",
    "secret_key": "the secret access key",
    "token": "the session token",
    "expiration": "the expiration",
}


#: A source's way to fetch fresh credentials again.
Refresher = Callable[[], Credentials]


class Found(NamedTuple):
    """What a provider found: the credentials (``source`` names the provider) and, for
    temporary ones, how to fetch them again."""

    credentials: Credentials
    refresh: Refresher | None = None


def parse_expiration_from(text: str, source: str) -> datetime:
    """:func:`parse_expiration` for a value a source returned: errors name the source."""
    try:
        return parse_expiration(text)
    except ValueError:
        raise CredentialRetrievalError(
            f"{source} returned an Expiration that is not an ISO 8601 timestamp"
        ) from None


def check_not_expired(creds: Credentials, now: datetime, what: str) -> None:
    """Refuse credentials a source handed out already expired."""
    if creds.expiration is not None and creds.expiration <= now:
        raise CredentialRetrievalError(
            f"{what} returned credentials that expired at {creds.expiration.isoformat()}"
        )


def credentials_from_json(data: Any, *, what: str, source: str, token_key: str) -> Credentials:
    """Credentials from a container/IMDS JSON document; all four fields are required."""
    if not isinstance(data, dict):
        raise CredentialRetrievalError(f"{what} did not return a JSON object")
    values = {}
    for key in ("AccessKeyId", "SecretAccessKey", token_key, "Expiration"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise CredentialRetrievalError(f"{what} response lacks a non-empty string {key}")
        values[key] = value
    return credentials_from(
        what,
        CredentialRetrievalError,
        access_key=values["AccessKeyId"],
        secret_key=values["SecretAccessKey"],
        token=values[token_key],
        expiration=parse_expiration_from(values["Expiration"], what),
        source=source,
    )
