"""``FakeSSO``: IAM Identity Center's SSO portal (``GetRoleCredentials``) and SSO-OIDC
(``CreateToken`` with the refresh grant) as a pure request -> response function.

Serve it with :class:`~bedrock_paginate.testing.LoopbackServer` and point
``AWS_ENDPOINT_URL_SSO`` and ``AWS_ENDPOINT_URL_SSO_OIDC`` at the server (one fake answers both
paths). :meth:`FakeSSO.sso_login` writes the token cache file ``aws sso login`` would write.

Tokens and credentials expire on the fake's clock (``now``); ``call_count`` counts calls per
operation. Every value it hands out is obviously fake (``FAKESSO...``). Tokens, client secrets
and secret keys are kept out of reprs.

Imports only the standard library, attrs and the rest of ``bedrock_paginate.testing``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from ._responses import FakeResponse, json_error, json_ok

__all__ = ["SSO_ROLE_PATH", "SSO_TOKEN_PATH", "FakeSSO"]

SSO_ROLE_PATH = "/federation/credentials"
SSO_TOKEN_PATH = "/token"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_cache_file(path: str, content: Mapping[str, Any]) -> None:
    """Write a JSON cache file the way the AWS CLI does (directory created, file 0600)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(dict(content), handle)
    os.replace(temp, path)


@attrs.define(kw_only=True)
class FakeSSO:
    """The SSO portal and SSO-OIDC, in memory. Thread-safe.

    Args:
        now: the fake's clock (aware datetime); tokens and credentials expire on it.
        access_key: the access key id of every role credential handed out.
        secret_key: their secret key (give both to ``FakeBedrock(credentials=...)``).
        credential_lifetime: how long role credentials last.
        token_lifetime: how long an access token from :meth:`issue_token` or a refresh lasts.
    """

    now: Callable[[], datetime] = _utc_now
    access_key: str = "ASIAFAKESSOEXAMPLE"
    secret_key: str = attrs.field(default="FAKESSOSECRET/wJalrXUtnFEMI+K7MDENGEXAMPLE", repr=False)
    credential_lifetime: timedelta = timedelta(hours=1)
    token_lifetime: timedelta = timedelta(hours=8)

    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _roles: set[tuple[str, str]] = attrs.field(init=False, factory=set)
    _tokens: dict[str, datetime] = attrs.field(init=False, factory=dict, repr=False)
    _clients: dict[str, str] = attrs.field(init=False, factory=dict, repr=False)
    _refresh_tokens: dict[str, str] = attrs.field(init=False, factory=dict, repr=False)
    _calls: Counter[str] = attrs.field(init=False, factory=Counter)
    _issued: list[str] = attrs.field(init=False, factory=list, repr=False)

    # --- setting up ----------------------------------------------------------------------

    def add_role(self, account_id: str, role_name: str) -> None:
        """Let every valid token get credentials for ``role_name`` in ``account_id``."""
        with self._lock:
            self._roles.add((account_id, role_name))

    def issue_token(self, lifetime: timedelta | None = None) -> tuple[str, datetime]:
        """A new access token and its expiry (``lifetime`` may be negative: already expired)."""
        token = "FAKESSOACCESS" + secrets.token_hex(16)
        expires = self.now() + (self.token_lifetime if lifetime is None else lifetime)
        with self._lock:
            self._tokens[token] = expires
        return token, expires

    def register_client(self) -> tuple[str, str]:
        """A new OIDC client registration: ``(clientId, clientSecret)``."""
        client_id, client_secret = (
            "fakessoclient" + secrets.token_hex(8),
            "FAKESSOCLIENT" + (secrets.token_hex(16)),
        )
        with self._lock:
            self._clients[client_id] = client_secret
        return client_id, client_secret

    def issue_refresh_token(self, client_id: str) -> str:
        """A refresh token bound to ``client_id``."""
        token = "FAKESSOREFRESH" + secrets.token_hex(16)
        with self._lock:
            self._refresh_tokens[token] = client_id
        return token

    def revoke(self, token: str) -> None:
        """Make an access or refresh token invalid (as signing out does)."""
        with self._lock:
            self._tokens.pop(token, None)
            self._refresh_tokens.pop(token, None)

    def sso_login(
        self,
        home: str,
        *,
        start_url: str,
        region: str,
        session_name: str | None = None,
        lifetime: timedelta | None = None,
        refreshable: bool = True,
        registration_lifetime: timedelta = timedelta(days=90),
    ) -> str:
        """Write the token cache file ``aws sso login`` would write under ``home``.

        The file is ``home/.aws/sso/cache/<sha1 of session_name or start_url>.json``; with
        ``refreshable`` it also holds a client registration and a refresh token (the
        sso-session form). Returns the file's path.
        """
        token, expires = self.issue_token(lifetime)
        content: dict[str, Any] = {
            "startUrl": start_url,
            "region": region,
            "accessToken": token,
            "expiresAt": _iso(expires),
        }
        if refreshable:
            client_id, client_secret = self.register_client()
            content.update(
                clientId=client_id,
                clientSecret=client_secret,
                registrationExpiresAt=_iso(self.now() + registration_lifetime),
                refreshToken=self.issue_refresh_token(client_id),
            )
        key = session_name if session_name is not None else start_url
        name = hashlib.sha1(key.encode("utf-8")).hexdigest() + ".json"  # noqa: S324
        path = os.path.join(home, ".aws", "sso", "cache", name)
        write_cache_file(path, content)
        return path

    # --- observing -----------------------------------------------------------------------

    def call_count(self, operation: str) -> int:
        """How many ``GetRoleCredentials`` / ``CreateToken`` requests arrived."""
        with self._lock:
            return self._calls[operation]

    @property
    def session_tokens(self) -> list[str]:
        """The session tokens of the role credentials handed out, in order."""
        with self._lock:
            return list(self._issued)

    # --- handling ------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        """Answer one request to the portal or to SSO-OIDC."""
        if method == "GET" and path == SSO_ROLE_PATH:
            return self._role_credentials(dict(query), {k.lower(): v for k, v in headers.items()})
        if method == "POST" and path == SSO_TOKEN_PATH:
            return self._create_token(body)
        return _error(404, "ResourceNotFoundException", f"No route for {method} {path}")

    def _role_credentials(self, query: dict[str, str], headers: dict[str, str]) -> FakeResponse:
        with self._lock:
            self._calls["GetRoleCredentials"] += 1
            role, account = query.get("role_name"), query.get("account_id")
            if not role or not account:
                return _error(400, "InvalidRequestException", "role_name and account_id needed")
            token = headers.get("x-amz-sso_bearer_token", "")
            expires = self._tokens.get(token)
            now = self.now()
            if expires is None or expires <= now:
                return _error(401, "UnauthorizedException", "Session token not found or invalid")
            if (account, role) not in self._roles:
                return _error(403, "ForbiddenException", "No access")
            session_token = f"FAKESSOSESSION{len(self._issued) + 1}" + secrets.token_hex(8)
            self._issued.append(session_token)
            expiration = now + self.credential_lifetime
        payload = {
            "roleCredentials": {
                "accessKeyId": self.access_key,
                "secretAccessKey": self.secret_key,
                "sessionToken": session_token,
                "expiration": int(expiration.timestamp() * 1000),
            }
        }
        return json_ok(payload, "fake-sso-" + secrets.token_hex(4))

    def _create_token(self, body: bytes) -> FakeResponse:
        with self._lock:
            self._calls["CreateToken"] += 1
            try:
                request = json.loads(body)
            except ValueError:
                return _error(400, "InvalidRequestException", "body is not JSON")
            if not isinstance(request, dict) or request.get("grantType") != "refresh_token":
                return _error(400, "UnsupportedGrantTypeException", "only refresh_token here")
            client_id = request.get("clientId")
            if self._clients.get(str(client_id)) != request.get("clientSecret"):
                return _error(401, "InvalidClientException", "unknown client or wrong secret")
            refresh = str(request.get("refreshToken"))
            if self._refresh_tokens.get(refresh) != client_id:
                return _error(400, "InvalidGrantException", "refresh token not valid")
            del self._refresh_tokens[refresh]  # rotated, as the service does
            access = "FAKESSOACCESS" + secrets.token_hex(16)
            self._tokens[access] = self.now() + self.token_lifetime
            new_refresh = "FAKESSOREFRESH" + secrets.token_hex(16)
            self._refresh_tokens[new_refresh] = str(client_id)
        payload = {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": int(self.token_lifetime.total_seconds()),
            "refreshToken": new_refresh,
        }
        return json_ok(payload, "fake-oidc-" + secrets.token_hex(4))


def _error(status: int, code: str, message: str) -> FakeResponse:
    return json_error(status, code, message, "fake-" + secrets.token_hex(4), suffixed=False)
