"""IAM Identity Center (SSO) credentials: the chain's ``sso`` source, as botocore 1.43 reads it.

This module owns (read from botocore's ``SSOProvider``, ``SSOCredentialFetcher``,
``SSOTokenProvider`` and ``SSOTokenLoader``, paraphrased):

* **Which profiles.** A profile with ``sso_role_name`` or ``sso_account_id``. With
  ``sso_session = NAME`` the ``[sso-session NAME]`` section supplies ``sso_start_url`` and
  ``sso_region`` (a key set in both with different values is an error; ``sso_registration_scopes``
  is only for ``aws sso login``); without it, the *legacy* form keeps ``sso_start_url`` and
  ``sso_region`` in the profile. A missing key is an error naming every missing key.
* **The access token** comes from the cache ``aws sso login`` writes:
  ``~/.aws/sso/cache/<sha1>.json``, where the sha1 is of the session name (``sso_session``) or of
  the start URL (legacy). It needs ``accessToken`` and ``expiresAt``.
* **Refresh (sso-session only).** A token within 15 minutes of ``expiresAt`` is refreshed through
  SSO-OIDC ``CreateToken`` (``grant_type=refresh_token``) when the file also holds
  ``refreshToken``, ``clientId``, ``clientSecret`` and an unexpired ``registrationExpiresAt``; the
  file is then rewritten atomically with botocore's keys (``startUrl``, ``region``,
  ``accessToken``, ``expiresAt``, ``clientId``, ``clientSecret``, ``registrationExpiresAt`` and
  the new ``refreshToken`` if one came back). A failed refresh is logged and the old token used
  while it is still valid. A legacy token is never refreshed.
* **Role credentials** from the SSO portal's ``GetRoleCredentials`` (``GET
  /federation/credentials?role_name=..&account_id=..`` with the token in
  ``x-amz-sso_bearer_token``, unsigned); ``expiration`` is in epoch milliseconds.
  Both calls are operation descriptions run on the project's engine (``_json_call``): the
  client's retry mode, TLS, proxy and timeouts, as for STS. They are
  refreshed before they expire by the resolver, like every temporary source.

With no usable token (no file, expired and not refreshable, or the portal answers 401) the error
says to run ``aws sso login --profile NAME``. Endpoints come from ``_service_endpoints``.
Tokens, client secrets and role credentials never appear in messages or logs.

Imported by the chain only when a profile has SSO keys.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs

from .._profiles import Profile, expand_path
from ..errors import ConfigError, CredentialRetrievalError
from ._cache_files import (
    _CacheFileUnusable,
    in_process_lock,
    read_json_object,
    write_json_atomic,
)
from ._options import plain_text
from ._value import Credentials, Found, credentials_from

if TYPE_CHECKING:
    from ._options import Attempts, ChainOptions

__all__ = ["SOURCE", "SsoProfile", "from_sso", "load_sso_profile", "token_cache_path"]

logger = logging.getLogger(__name__)

#: The ``source`` of credentials from this provider (botocore's method name).
SOURCE = "sso"
#: The directory ``aws sso login`` caches tokens in (botocore has no setting to move it).
TOKEN_CACHE_DIR = "~/.aws/sso/cache"
#: A token this close to expiry is refreshed first (botocore's ``_REFRESH_WINDOW``).
TOKEN_REFRESH_WINDOW = timedelta(minutes=15)

_PROFILE_KEYS = ("sso_role_name", "sso_account_id")
_SESSION_KEYS = ("sso_start_url", "sso_region")
_REFRESH_KEYS = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")


@attrs.frozen(kw_only=True)
class SsoProfile:
    """An SSO profile, resolved: where to get a token and which role to ask for."""

    profile: str
    start_url: str
    region: str
    account_id: str
    role_name: str
    #: The ``sso_session`` name; ``None`` for the legacy form (no token refresh).
    session_name: str | None = None

    @property
    def login_hint(self) -> str:
        return f"run `aws sso login --profile {self.profile}`"


def _text(section: Profile, key: str, where: str) -> str | None:
    return plain_text(section.get(key), key=key, where=where)


def _with_session(options: ChainOptions, profile: Profile, name: str) -> dict[str, str]:
    """The profile's keys updated from ``[sso-session name]`` (conflicts are errors)."""
    where = f"profile {options.profile_name!r}"
    merged = {k: v for k, v in profile.items() if isinstance(v, str)}
    session = options.files.sso_session(name)
    if session is None:
        raise ConfigError(
            f'The specified sso-session does not exist: "{name}" (profile '
            f"{options.profile_name!r} sets sso_session = {name}, but "
            f"{options.files.config_path} has no [sso-session {name}] section)"
        )
    for key in session:
        value = _text(session, key, f"[sso-session {name}]")
        if value is None:
            continue
        mine = _text(profile, key, where)
        if mine is not None and mine != value:
            raise ConfigError(
                f"The value for {key} is inconsistent between profile ({mine}) and "
                f"sso-session ({value}) in profile {options.profile_name!r}"
            )
        merged[key] = value
    return merged


def load_sso_profile(options: ChainOptions) -> SsoProfile | None:
    """The SSO settings of the chain's profile, or ``None`` when it is not an SSO profile.

    Raises ``ConfigError`` naming the missing keys, a missing ``[sso-session]`` section or an
    inconsistent value, as botocore does.
    """
    profile = options.files.profile(options.profile_name) or {}
    if all(key not in profile for key in _PROFILE_KEYS):
        return None
    where = f"profile {options.profile_name!r}"
    for key in (*_PROFILE_KEYS, *_SESSION_KEYS):
        _text(profile, key, where)  # an indented sub-section is an error, not "missing"
    session_name = _text(profile, "sso_session", where)
    if session_name is not None:
        values = _with_session(options, profile, session_name)
    else:
        values = {k: v for k, v in profile.items() if isinstance(v, str)}
    required = (*_PROFILE_KEYS, *_SESSION_KEYS)
    missing = [key for key in required if key not in values]
    if missing:
        raise ConfigError(
            f'The profile "{options.profile_name}" is configured to use SSO but is missing '
            f"required configuration: {', '.join(missing)}"
        )
    return SsoProfile(
        profile=options.profile_name,
        start_url=values["sso_start_url"],
        region=values["sso_region"],
        account_id=values["sso_account_id"],
        role_name=values["sso_role_name"],
        session_name=session_name,
    )


def token_cache_path(options: ChainOptions, sso: SsoProfile) -> str:
    """``~/.aws/sso/cache/<sha1 of the session name or start URL>.json``."""
    key = sso.session_name if sso.session_name is not None else sso.start_url
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()  # noqa: S324 (a file name, as botocore)
    return os.path.join(expand_path(TOKEN_CACHE_DIR, options.environ), digest + ".json")


def parse_cache_time(text: object) -> datetime:
    """A cache file's timestamp (``_time.parse_cache_expiration``: ISO 8601, or the ``...UTC``
    botocore's ``JSONFileCache`` writes); ``ValueError`` when it is not one (or not a string)."""
    from .._time import parse_cache_expiration

    if not isinstance(text, str):
        raise ValueError("not a string")
    return parse_cache_expiration(text)


def _format_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- the token


class _Token:
    """The cached token of one profile, as read from its file."""

    def __init__(self, data: dict[str, Any], path: str, expires_at: datetime) -> None:
        self.data = data
        self.path = path
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return f"<SSO token from {self.path}, expires {self.expires_at.isoformat()}>"

    @property
    def access_token(self) -> str:
        return str(self.data["accessToken"])


def _read_token(options: ChainOptions, sso: SsoProfile) -> _Token:
    path = token_cache_path(options, sso)
    name = sso.session_name if sso.session_name is not None else sso.start_url
    try:
        data = read_json_object(path)
    except _CacheFileUnusable as exc:
        raise CredentialRetrievalError(
            f"The SSO token cache file {path} of profile {sso.profile!r} {exc.reason}; "
            f"{sso.login_hint} to write it again"
        ) from None
    if data is None:
        raise CredentialRetrievalError(
            f"Error loading SSO Token: Token for {name} does not exist (looked for {path} for "
            f"profile {sso.profile!r}); {sso.login_hint}"
        )
    token = data.get("accessToken")
    if not isinstance(token, str) or not token or "expiresAt" not in data:
        raise CredentialRetrievalError(
            f"Error loading SSO Token: Token for {name} is invalid: {path} (profile "
            f"{sso.profile!r}) lacks accessToken or expiresAt; {sso.login_hint}"
        )
    try:
        expires_at = parse_cache_time(data["expiresAt"])
    except ValueError:
        raise CredentialRetrievalError(
            f"The SSO token cache file {path} of profile {sso.profile!r} has an expiresAt that "
            f"is not an ISO 8601 timestamp; {sso.login_hint}"
        ) from None
    return _Token(data, path, expires_at)


def _refreshed(options: ChainOptions, sso: SsoProfile, token: _Token) -> _Token | None:
    """The token renewed through SSO-OIDC CreateToken and saved, or ``None`` (logged why)."""
    missing = [key for key in _REFRESH_KEYS if key not in token.data]
    if missing:
        logger.info("Unable to refresh SSO token: missing keys: %s", missing)
        return None
    try:
        registration_expiry = parse_cache_time(token.data["registrationExpiresAt"])
    except ValueError:
        logger.info("Unable to refresh SSO token: registrationExpiresAt is not a timestamp")
        return None
    if registration_expiry <= options.now():
        logger.info("SSO token registration expired at %s", registration_expiry.isoformat())
        return None
    try:
        answer = _create_token(options, sso, token)
    except CredentialRetrievalError as exc:
        logger.warning("SSO token refresh attempt failed: %s", exc.message)
        return None
    fresh: dict[str, Any] = {
        "startUrl": sso.start_url,
        "region": sso.region,
        "accessToken": answer["accessToken"],
        "expiresAt": _format_time(options.now() + timedelta(seconds=answer["expiresIn"])),
        "clientId": token.data["clientId"],
        "clientSecret": token.data["clientSecret"],
        "registrationExpiresAt": token.data["registrationExpiresAt"],
    }
    if "refreshToken" in answer:
        fresh["refreshToken"] = answer["refreshToken"]
    try:
        write_json_atomic(token.path, fresh)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        logger.warning("The refreshed SSO token could not be saved in %s: %s", token.path, reason)
    logger.info("SSO Token refresh succeeded (profile %r)", sso.profile)
    return _Token(fresh, token.path, parse_cache_time(fresh["expiresAt"]))


def _create_token(options: ChainOptions, sso: SsoProfile, token: _Token) -> dict[str, Any]:
    """SSO-OIDC CreateToken with the refresh grant; the checked answer."""
    from ..errors import ServiceError
    from ._json_call import CREATE_TOKEN, call_json, refusal
    from ._service_endpoints import service_endpoint

    endpoint = service_endpoint(
        options, "sso-oidc", region=sso.region, region_origin=f"sso_region of {sso.profile!r}"
    )
    params = {
        "clientId": token.data["clientId"],
        "clientSecret": token.data["clientSecret"],
        "grantType": "refresh_token",
        "refreshToken": token.data["refreshToken"],
    }
    try:
        body = call_json(
            options,
            CREATE_TOKEN,
            params,
            what="SSO-OIDC CreateToken",
            url=endpoint.url,
            secrets=(params["clientSecret"], params["refreshToken"]),
        )
    except ServiceError as exc:
        raise CredentialRetrievalError(
            f"SSO-OIDC CreateToken at {endpoint.url} answered {refusal(exc)}"
        ) from exc
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("accessToken"), str)
        or not body["accessToken"]
        or type(body.get("expiresIn")) is not int
        or ("refreshToken" in body and not isinstance(body["refreshToken"], str))
    ):
        raise CredentialRetrievalError(
            f"SSO-OIDC CreateToken at {endpoint.url} answered without a string accessToken "
            "and a whole-number expiresIn"
        )
    return body


def access_token(options: ChainOptions, sso: SsoProfile) -> str:
    """The bearer token for the SSO portal, refreshed first when it is about to expire."""
    with in_process_lock(token_cache_path(options, sso)):
        token = _read_token(options, sso)
        now = options.now()
        if sso.session_name is not None and token.expires_at - now < TOKEN_REFRESH_WINDOW:
            token = _refreshed(options, sso, token) or token
    if token.expires_at <= options.now():
        how = (
            "it could not be refreshed"
            if sso.session_name is not None
            else "a legacy sso_start_url profile cannot refresh it"
        )
        raise CredentialRetrievalError(
            f"The SSO session associated with profile {sso.profile!r} has expired (the token "
            f"in {token.path} expired at {token.expires_at.isoformat()} and {how}). To refresh "
            f"this SSO session, {sso.login_hint}."
        )
    return token.access_token


# --------------------------------------------------------------------------- role credentials


def _role_credentials(options: ChainOptions, sso: SsoProfile, token: str) -> dict[str, Any]:
    from ..errors import ServiceError
    from ._json_call import GET_ROLE_CREDENTIALS, call_json, refusal
    from ._service_endpoints import service_endpoint

    endpoint = service_endpoint(
        options, "sso", region=sso.region, region_origin=f"sso_region of {sso.profile!r}"
    )
    what = "SSO GetRoleCredentials"
    try:
        body = call_json(
            options,
            GET_ROLE_CREDENTIALS,
            {"roleName": sso.role_name, "accountId": sso.account_id, "accessToken": token},
            what=what,
            url=endpoint.url,
            secrets=(token,),
        )
    except ServiceError as exc:
        if exc.status_code == 401:
            raise CredentialRetrievalError(
                f"The SSO session associated with profile {sso.profile!r} has expired or is "
                f"otherwise invalid ({what} at {endpoint.url} answered {refusal(exc)}). To "
                f"refresh this SSO session, {sso.login_hint}."
            ) from exc
        raise CredentialRetrievalError(
            f"{what} at {endpoint.url} refused role {sso.role_name!r} in account "
            f"{sso.account_id} for profile {sso.profile!r}: {refusal(exc)}"
        ) from exc
    role = body.get("roleCredentials") if isinstance(body, dict) else None
    fields = {}
    for key in ("accessKeyId", "secretAccessKey", "sessionToken"):
        value = role.get(key) if isinstance(role, dict) else None
        if not isinstance(value, str) or not value:
            raise CredentialRetrievalError(
                f"{what} at {endpoint.url} answered without a string roleCredentials.{key}"
            )
        fields[key] = value
    assert isinstance(role, dict)
    millis = role.get("expiration")
    if isinstance(millis, bool) or not isinstance(millis, (int, float)):
        raise CredentialRetrievalError(
            f"{what} at {endpoint.url} answered without a numeric roleCredentials.expiration"
        )
    try:
        expiration = datetime.fromtimestamp(millis / 1000.0, timezone.utc).replace(microsecond=0)
    except (OverflowError, OSError, ValueError):
        raise CredentialRetrievalError(
            f"{what} at {endpoint.url} answered an expiration out of range"
        ) from None
    # Checked as credentials first (header-safe values), then kept as botocore caches them.
    credentials_from(
        what,
        CredentialRetrievalError,
        access_key=fields["accessKeyId"],
        secret_key=fields["secretAccessKey"],
        token=fields["sessionToken"],
        expiration=expiration,
        source=SOURCE,
    )
    return {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": fields["accessKeyId"],
            "SecretAccessKey": fields["secretAccessKey"],
            "SessionToken": fields["sessionToken"],
            "Expiration": _format_time(expiration),
            "AccountId": sso.account_id,
        },
    }


def role_cache_key(sso: SsoProfile) -> str:
    """botocore's ``SSOCredentialFetcher`` key: SHA-1 of the compact sorted JSON of the role,
    the account and the session name (or, legacy, the start URL)."""
    args = {"roleName": sso.role_name, "accountId": sso.account_id}
    if sso.session_name is not None:
        args["sessionName"] = sso.session_name
    else:
        args["startUrl"] = sso.start_url
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def fetch_credentials(options: ChainOptions, sso: SsoProfile) -> Credentials:
    """Role credentials for ``sso``: from the credential cache while they have more than 15
    minutes left (botocore's ``CachedCredentialFetcher``; a dict per client, the AWS CLI's
    ``~/.aws/cli/cache`` for the CLI), else from the portal (token refreshed first if needed)."""
    from ._role_cache import cached_answer
    from ._sts import credentials_from_answer

    answer = cached_answer(
        options.role_cache,
        role_cache_key(sso),
        lambda: _role_credentials(options, sso, access_token(options, sso)),
        options.now,
    )
    return credentials_from_answer(answer, source=SOURCE, what="SSO role credentials")


def from_sso(options: ChainOptions, tried: Attempts) -> Found | None:
    """The chain step: role credentials for an SSO profile, refreshable; else ``None``."""
    sso = load_sso_profile(options)
    if sso is None:
        tried.add(f"SSO (profile {options.profile_name!r} sets no sso_role_name/sso_account_id)")
        return None
    logger.debug(
        "Profile %r uses SSO (%s form)",
        sso.profile,
        "sso-session" if sso.session_name is not None else "legacy",
    )

    def fetch() -> Credentials:
        return fetch_credentials(options, sso)

    return Found(credentials=fetch(), refresh=fetch)
