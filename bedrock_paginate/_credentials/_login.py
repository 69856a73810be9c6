"""``aws login`` credentials: the chain's ``login`` source, as botocore 1.43's ``LoginProvider``
reads them.

This module owns (read from botocore's ``LoginProvider``, ``LoginCredentialFetcher``,
``LoginTokenLoader`` and ``get_login_token_cache_directory``, paraphrased):

* **Which profiles.** A profile with ``login_session`` (the session ARN ``aws login`` printed).
* **The cache.** ``$AWS_LOGIN_CACHE_DIRECTORY`` (``$VAR`` and ``~`` expanded) or
  ``~/.aws/login/cache``; the file is ``<sha256 of the login_session>.json``. It must hold
  ``accessToken`` (an object with ``accessKeyId``, ``secretAccessKey``, ``sessionToken``,
  ``accountId``, ``expiresAt``), ``refreshToken``, ``clientId`` and ``dpopKey`` (a PEM EC P-256
  private key).
* **Use.** The cached credentials are used as they are while they are valid (no extra package
  needed; botocore insists on ``awscrt`` even then).
* **Refresh.** The file is read again; if another process already renewed the credentials
  (more than 5 minutes left) they are used. Otherwise Sign-In's ``CreateOAuth2Token``
  (``POST /v1/token``, JSON ``{"clientId", "refreshToken", "grantType": "refresh_token"}``,
  unsigned) is called with a ``DPoP`` proof: a JWT (``typ: dpop+jwt``, ``alg: ES256``, the
  public key as a JWK; claims ``htm``, ``htu``, ``iat``, ``jti``) signed with the cached key. The
  signing uses the ``cryptography`` package (extra ``[login]``); without it, a clear error says
  to install it or run ``aws login`` again. The new credentials (``expiresAt`` = now +
  ``expiresIn``) and refresh token are written back atomically, other keys kept. The call is
  an operation description run on the project's engine (``_json_call``), the proof a header
  member scrubbed like the refresh token.
* **Errors** as botocore: ``AccessDeniedException`` with ``error`` (kept by the engine in
  ``ServiceError.members``) ``TOKEN_EXPIRED`` /
  ``USER_CREDENTIALS_CHANGED`` -> reauthenticate with ``aws login``; ``INSUFFICIENT_PERMISSIONS``
  -> the ``signin:CreateOAuth2Token`` permission is missing.

The Sign-In endpoint is in the profile's region (``AWS_REGION``, ``AWS_DEFAULT_REGION``, then
``region``), see ``_service_endpoints``. No secret (keys, tokens, the DPoP key or proof) ever
appears in a message or log line. Imported by the chain only when a profile has
``login_session``; ``cryptography`` only when a refresh is needed.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import logging
import os
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from .._profiles import expand_path
from ..errors import ConfigError, CredentialRetrievalError, ServiceError
from ._cache_files import (
    _CacheFileUnusable,
    in_process_lock,
    read_json_object,
    write_json_atomic,
)
from ._options import env, setting
from ._resolver import ADVISORY_REFRESH_SECONDS, MANDATORY_REFRESH_SECONDS
from ._sso import parse_cache_time
from ._value import Credentials, Found, credentials_from

if TYPE_CHECKING:
    from ._options import Attempts, ChainOptions

__all__ = ["SOURCE", "LoginProfile", "build_dpop_proof", "from_login", "login_cache_path"]

logger = logging.getLogger(__name__)

#: The ``source`` of credentials from this provider (botocore's method name).
SOURCE = "login"
DEFAULT_CACHE_DIR = "~/.aws/login/cache"
CACHE_DIR_ENV = "AWS_LOGIN_CACHE_DIRECTORY"
#: Credentials renewed by someone else with more than this left are used without a refresh.
REFRESH_THRESHOLD = timedelta(minutes=5)
INSTALL_HINT = "pip install 'bedrock-paginate[login]'"

_REQUIRED = ("accessToken", "refreshToken", "dpopKey", "clientId")
_ACCESS_FIELDS = ("accessKeyId", "secretAccessKey", "sessionToken", "accountId", "expiresAt")


@attrs.frozen(kw_only=True)
class LoginProfile:
    """A ``login_session`` profile: the session and the cache file that holds it."""

    profile: str
    session: str = attrs.field(repr=False)
    path: str

    @property
    def login_hint(self) -> str:
        return f"run `aws login --profile {self.profile}`"


def login_cache_path(options: ChainOptions, session: str) -> str:
    """The cache file of ``session``: ``<dir>/<sha256 of session>.json``."""
    directory = options.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR
    name = hashlib.sha256(session.encode("utf-8")).hexdigest() + ".json"
    return os.path.join(expand_path(directory, options.environ), name)


def load_login_profile(options: ChainOptions) -> LoginProfile | None:
    profile = options.files.profile(options.profile_name) or {}
    session = profile.get("login_session")
    if session is None:
        return None
    if not isinstance(session, str) or not session:
        raise ConfigError(
            f"login_session in profile {options.profile_name!r} must be a non-empty plain value"
        )
    return LoginProfile(
        profile=options.profile_name, session=session, path=login_cache_path(options, session)
    )


# --------------------------------------------------------------------------- the cache file


def _read(login: LoginProfile) -> dict[str, Any]:
    try:
        data = read_json_object(login.path)
    except _CacheFileUnusable as exc:
        raise CredentialRetrievalError(
            f"The aws login cache file {login.path} of profile {login.profile!r} "
            f"{exc.reason}; {login.login_hint} to write it again"
        ) from None
    if data is None:
        raise CredentialRetrievalError(
            "Error loading login session token: Unable to load an existing login session for "
            f"profile {login.profile!r} (no file {login.path}). Please reauthenticate with "
            f"'aws login' ({login.login_hint})."
        )
    missing = [key for key in _REQUIRED if key not in data]
    access = data.get("accessToken")
    if not missing and isinstance(access, dict):
        missing = [f"accessToken.{k}" for k in _ACCESS_FIELDS if not isinstance(access.get(k), str)]
    elif not missing:
        missing = ["accessToken (an object)"]
    if missing:
        raise CredentialRetrievalError(
            f"Error loading login session token from {login.path} (profile {login.profile!r}): "
            f"missing required fields: {', '.join(missing)}; {login.login_hint}"
        )
    return data


def _to_credentials(data: dict[str, Any], login: LoginProfile) -> Credentials:
    access = data["accessToken"]
    where = f"the aws login cache file {login.path}"
    try:
        expiration = parse_cache_time(access["expiresAt"])
    except ValueError:
        raise CredentialRetrievalError(
            f"accessToken.expiresAt in {where} is not an ISO 8601 timestamp; {login.login_hint}"
        ) from None
    return credentials_from(
        where,
        CredentialRetrievalError,
        access_key=access["accessKeyId"],
        secret_key=access["secretAccessKey"],
        token=access["sessionToken"],
        expiration=expiration,
        source=SOURCE,
    )


# --------------------------------------------------------------------------- DPoP


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _private_key(pem: object, login: LoginProfile) -> Any:
    """The cached EC key (PKCS#8 or SEC1, PEM armour optional), via ``cryptography``."""
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.serialization import load_der_private_key
    except ImportError:
        raise CredentialRetrievalError(
            f"The aws login credentials of profile {login.profile!r} need refreshing (they "
            "expire within 10 minutes or have expired), which needs the 'cryptography' package "
            "to sign a DPoP proof: "
            f"{INSTALL_HINT}, or {login.login_hint} again"
        ) from None
    problem = f"dpopKey in {login.path} is not a PEM EC private key; {login.login_hint}"
    if not isinstance(pem, str):
        raise CredentialRetrievalError(problem)
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----")).strip()
    try:
        key = load_der_private_key(base64.b64decode(body, validate=False), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise CredentialRetrievalError(problem) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise CredentialRetrievalError(problem)
    return key


def build_dpop_proof(key: Any, url: str, *, issued_at: int, jti: str | None = None) -> str:
    """A DPoP proof (RFC 9449) for ``POST url``, signed ES256 with the EC P-256 ``key``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    numbers = key.public_key().public_numbers()
    header = {
        "typ": "dpop+jwt",
        "alg": "ES256",
        "jwk": {
            "kty": "EC",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
            "crv": "P-256",
        },
    }
    claims = {"htm": "POST", "htu": url, "iat": issued_at, "jti": jti or str(uuid.uuid4())}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    der = key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


# --------------------------------------------------------------------------- refresh


def _region(options: ChainOptions, login: LoginProfile) -> tuple[str, str]:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = env(options, name)
        if value is not None:
            return value, name
    found = setting(options, "AWS_DEFAULT_REGION", "region")  # the environment is unset here
    if found is not None:
        return found
    raise ConfigError(
        f"Refreshing the aws login credentials of profile {login.profile!r} needs a region "
        "for the AWS Sign-In endpoint: set AWS_REGION or add 'region = ...' to the profile"
    )


def _access_denied(exc: ServiceError, login: LoginProfile) -> CredentialRetrievalError:
    kind = exc.members.get("error")
    if kind in ("TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED"):
        text = "Your session has expired or credentials have changed"
        return CredentialRetrievalError(
            f"{text} (profile {login.profile!r}). Please reauthenticate using 'aws login' "
            f"({login.login_hint})."
        )
    if kind == "INSUFFICIENT_PERMISSIONS":
        return CredentialRetrievalError(
            f"Unable to refresh the aws login credentials of profile {login.profile!r} due to "
            "insufficient permissions: the 'signin:CreateOAuth2Token' action may be missing."
        )
    return CredentialRetrievalError(
        f"AWS Sign-In refused to refresh the aws login credentials of profile "
        f"{login.profile!r} (AccessDeniedException); {login.login_hint}"
    )


def _create_oauth2_token(
    options: ChainOptions, login: LoginProfile, data: dict[str, Any], key: Any
) -> dict[str, Any]:
    from ._json_call import CREATE_OAUTH2_TOKEN, call_json, refusal
    from ._service_endpoints import service_endpoint

    region, origin = _region(options, login)
    endpoint = service_endpoint(options, "signin", region=region, region_origin=origin)
    url = endpoint.url + CREATE_OAUTH2_TOKEN.uri
    proof = build_dpop_proof(key, url, issued_at=int(options.now().timestamp()))
    params = {
        "clientId": data["clientId"],
        "refreshToken": data["refreshToken"],
        "grantType": "refresh_token",
        "dpop": proof,
    }
    try:
        body = call_json(
            options,
            CREATE_OAUTH2_TOKEN,
            params,
            what="AWS Sign-In CreateOAuth2Token",
            url=endpoint.url,
            secrets=(params["refreshToken"], proof),
        )
    except ServiceError as exc:
        if exc.code == "AccessDeniedException":
            raise _access_denied(exc, login) from exc
        raise CredentialRetrievalError(
            f"AWS Sign-In CreateOAuth2Token at {endpoint.url} refused to refresh the aws login "
            f"credentials of profile {login.profile!r} ({refusal(exc)}); {login.login_hint} "
            "if this persists"
        ) from exc
    access = body.get("accessToken") if isinstance(body, dict) else None
    if (
        not isinstance(body, dict)
        or not isinstance(access, dict)
        or not all(isinstance(access.get(k), str) for k in _ACCESS_FIELDS[:3])
        or not isinstance(body.get("refreshToken"), str)
        or type(body.get("expiresIn")) is not int
    ):
        raise CredentialRetrievalError(
            "Unable to refresh access token due to an invalid service response from AWS "
            f"Sign-In at {endpoint.url}. Please try running 'aws login' again "
            f"({login.login_hint})."
        )
    return body


def refresh(options: ChainOptions, login: LoginProfile) -> Credentials:
    """New credentials: renewed ones from the file if someone else refreshed, else Sign-In's
    (one refresh at a time per file in this process: see ``in_process_lock``)."""
    with in_process_lock(login.path):
        return _refresh_locked(options, login)


def _refresh_locked(options: ChainOptions, login: LoginProfile) -> Credentials:
    data = _read(login)
    try:
        remaining = parse_cache_time(data["accessToken"]["expiresAt"]) - options.now()
    except ValueError:
        remaining = timedelta(0)
    if remaining > REFRESH_THRESHOLD:
        return _to_credentials(data, login)
    key = _private_key(data["dpopKey"], login)
    output = _create_oauth2_token(options, login, data, key)
    expires_at: datetime = options.now() + timedelta(seconds=output["expiresIn"])
    fresh = copy.deepcopy(data)
    fresh["accessToken"] = {
        "accessKeyId": output["accessToken"]["accessKeyId"],
        "secretAccessKey": output["accessToken"]["secretAccessKey"],
        "sessionToken": output["accessToken"]["sessionToken"],
        "accountId": data["accessToken"]["accountId"],
        "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    fresh["refreshToken"] = output["refreshToken"]
    try:
        write_json_atomic(login.path, fresh)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        logger.warning(
            "The refreshed aws login credentials could not be saved in %s: %s", login.path, reason
        )
    logger.info("aws login credentials refreshed (profile %r)", login.profile)
    return _to_credentials(fresh, login)


def from_login(options: ChainOptions, tried: Attempts) -> Found | None:
    """The chain step: the cached ``aws login`` credentials (refreshed when about to expire)."""
    login = load_login_profile(options)
    if login is None:
        tried.add(f"aws login (profile {options.profile_name!r} sets no login_session)")
        return None
    cached = _to_credentials(_read(login), login)

    def fetch() -> Credentials:
        return refresh(options, login)

    now = options.now()
    if cached.expires_within(ADVISORY_REFRESH_SECONDS, now):
        try:
            cached = fetch()
        except CredentialRetrievalError:
            if cached.expires_within(MANDATORY_REFRESH_SECONDS, now):
                raise
            logger.warning(
                "Refreshing aws login credentials failed in the advisory window; using the "
                "cached ones until they are closer to expiry",
                exc_info=True,
            )
    return Found(credentials=cached, refresh=fetch)
