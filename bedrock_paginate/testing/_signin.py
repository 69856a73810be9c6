"""``FakeSignin``: AWS Sign-In's ``CreateOAuth2Token`` refresh grant (what refreshes ``aws login``
credentials) as a pure request -> response function, with DPoP proofs checked.

Serve it with :class:`~bedrock_paginate.testing.LoopbackServer` and point
``AWS_ENDPOINT_URL_SIGNIN`` at the server. :meth:`FakeSignin.aws_login` writes the cache file
``aws login`` would write, with a fresh EC P-256 key whose thumbprint the refresh token is bound
to. Each refresh checks the ``DPoP`` proof (ES256 signature by that key, ``typ``, ``htm``,
``htu``, ``iat`` within 5 minutes of the fake's clock, a ``jti`` never seen before) and rotates
the refresh token.

Needs the ``cryptography`` package (``pip install 'bedrock-paginate[login]'``), imported when
used. Secrets stay out of reprs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from ._responses import FakeResponse, json_ok
from ._sso import write_cache_file

__all__ = ["SIGNIN_TOKEN_PATH", "FakeSignin"]

SIGNIN_TOKEN_PATH = "/v1/token"
_MAX_PROOF_AGE = 300


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 thumbprint of an EC JWK."""
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"]},
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class _BadProof(Exception):
    """The DPoP proof failed a check (the reason is the message; no secrets)."""


def _verify_proof(proof: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """``(key thumbprint, claims)`` of a valid ES256 DPoP proof; raises ``_BadProof``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        head_b64, claims_b64, sig_b64 = proof.split(".")
        header = json.loads(_b64url_decode(head_b64))
        claims = json.loads(_b64url_decode(claims_b64))
        signature = _b64url_decode(sig_b64)
        jwk = header["jwk"]
        point = ec.EllipticCurvePublicNumbers(
            int.from_bytes(_b64url_decode(jwk["x"]), "big"),
            int.from_bytes(_b64url_decode(jwk["y"]), "big"),
            ec.SECP256R1(),
        )
        public = point.public_key()
    except (ValueError, KeyError, TypeError) as exc:
        raise _BadProof(f"malformed DPoP proof ({type(exc).__name__})") from None
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
        raise _BadProof("DPoP proof must have typ dpop+jwt and alg ES256")
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or len(signature) != 64:
        raise _BadProof("DPoP proof must carry an EC P-256 key and a 64-byte signature")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise _BadProof("DPoP proof signature does not verify") from None
    iat = claims.get("iat")
    if type(iat) is not int or abs(iat - now.timestamp()) > _MAX_PROOF_AGE:
        raise _BadProof("DPoP proof iat is missing or not within 5 minutes of now")
    if claims.get("htm") != "POST" or not str(claims.get("htu", "")).endswith(SIGNIN_TOKEN_PATH):
        raise _BadProof("DPoP proof htm/htu do not match POST /v1/token")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise _BadProof("DPoP proof lacks a jti")
    return _thumbprint(jwk), claims


@attrs.define(kw_only=True)
class FakeSignin:
    """AWS Sign-In's token endpoint, in memory. Thread-safe.

    Args:
        now: the fake's clock; proofs and ``expiresIn`` are judged by it.
        access_key: the access key id of every refreshed credential.
        secret_key: their secret key (give both to ``FakeBedrock(credentials=...)``).
        credential_lifetime: ``expiresIn`` of refreshed credentials (the service gives 900 s).
    """

    now: Callable[[], datetime] = _utc_now
    access_key: str = "ASIAFAKESIGNINEXAMPLE"
    secret_key: str = attrs.field(default="FAKESIGNINSECRET/wJalrXUtnFEMI+K7MDENG", repr=False)
    credential_lifetime: timedelta = timedelta(seconds=900)

    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    #: refresh token -> (client id, key thumbprint)
    _refresh_tokens: dict[str, tuple[str, str]] = attrs.field(init=False, factory=dict, repr=False)
    _seen_jti: set[str] = attrs.field(init=False, factory=set, repr=False)
    _calls: Counter[str] = attrs.field(init=False, factory=Counter)
    _issued: list[str] = attrs.field(init=False, factory=list, repr=False)
    #: Why the last refused proof was refused (for assertions).
    last_rejection: str | None = attrs.field(init=False, default=None)

    def aws_login(
        self,
        cache_dir: str,
        *,
        session: str,
        account_id: str = "123456789012",
        lifetime: timedelta = timedelta(minutes=15),
        client_id: str = "arn:aws:signin:::devtools/same-device",
    ) -> str:
        """Write the cache file ``aws login`` would write: ``<cache_dir>/<sha256>.json``.

        The credentials expire after ``lifetime`` (negative: already expired); a new EC key is
        generated and the refresh token bound to it. Returns the file's path.
        """
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        numbers = key.public_key().public_numbers()
        jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": base64.urlsafe_b64encode(numbers.x.to_bytes(32, "big")).rstrip(b"=").decode(),
            "y": base64.urlsafe_b64encode(numbers.y.to_bytes(32, "big")).rstrip(b"=").decode(),
        }
        refresh = "FAKESIGNINREFRESH" + secrets.token_hex(16)
        with self._lock:
            self._refresh_tokens[refresh] = (client_id, _thumbprint(jwk))
            session_token = self._next_session_token()
        content = {
            "accessToken": {
                "accessKeyId": self.access_key,
                "secretAccessKey": self.secret_key,
                "sessionToken": session_token,
                "accountId": account_id,
                "expiresAt": (self.now() + lifetime)
                .astimezone(timezone.utc)
                .strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "tokenType": "aws_sigv4",
            "clientId": client_id,
            "refreshToken": refresh,
            "idToken": "FAKESIGNINIDTOKEN",
            "dpopKey": pem,
        }
        name = hashlib.sha256(session.encode("utf-8")).hexdigest() + ".json"
        path = os.path.join(cache_dir, name)
        write_cache_file(path, content)
        return path

    def revoke(self, refresh_token: str) -> None:
        """Make a refresh token invalid (the next refresh answers TOKEN_EXPIRED)."""
        with self._lock:
            self._refresh_tokens.pop(refresh_token, None)

    def call_count(self, operation: str = "CreateOAuth2Token") -> int:
        """How many ``CreateOAuth2Token`` requests arrived."""
        with self._lock:
            return self._calls[operation]

    @property
    def session_tokens(self) -> list[str]:
        """The session tokens handed out (by :meth:`aws_login` and refreshes), in order."""
        with self._lock:
            return list(self._issued)

    def _next_session_token(self) -> str:
        token = f"FAKESIGNINSESSION{len(self._issued) + 1}" + secrets.token_hex(8)
        self._issued.append(token)
        return token

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        """Answer one request to the token endpoint."""
        if method != "POST" or path != SIGNIN_TOKEN_PATH:
            return _error(404, "ResourceNotFoundException", "RESOURCE_NOT_FOUND", "no route")
        lowered = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self._calls["CreateOAuth2Token"] += 1
            try:
                thumbprint, claims = _verify_proof(lowered.get("dpop", ""), self.now())
                if claims["jti"] in self._seen_jti:
                    raise _BadProof("DPoP proof jti was used before")
                self._seen_jti.add(claims["jti"])
            except _BadProof as exc:
                self.last_rejection = str(exc)
                return _error(400, "ValidationException", "INVALID_REQUEST", str(exc))
            try:
                request = json.loads(body)
            except ValueError:
                return _error(400, "ValidationException", "INVALID_REQUEST", "body is not JSON")
            if not isinstance(request, dict) or request.get("grantType") != "refresh_token":
                return _error(400, "ValidationException", "INVALID_REQUEST", "bad grantType")
            bound = self._refresh_tokens.get(str(request.get("refreshToken")))
            if bound is None or bound[0] != request.get("clientId"):
                return _error(401, "AccessDeniedException", "TOKEN_EXPIRED", "session expired")
            if bound[1] != thumbprint:
                self.last_rejection = "DPoP key does not match the refresh token"
                return _error(400, "ValidationException", "INVALID_REQUEST", self.last_rejection)
            del self._refresh_tokens[str(request["refreshToken"])]
            new_refresh = "FAKESIGNINREFRESH" + secrets.token_hex(16)
            self._refresh_tokens[new_refresh] = bound
            session_token = self._next_session_token()
        payload = {
            "accessToken": {
                "accessKeyId": self.access_key,
                "secretAccessKey": self.secret_key,
                "sessionToken": session_token,
            },
            "tokenType": "aws_sigv4",
            "expiresIn": int(self.credential_lifetime.total_seconds()),
            "refreshToken": new_refresh,
        }
        return json_ok(payload, "fake-signin-" + secrets.token_hex(4))


def _error(status: int, code: str, kind: str, message: str) -> FakeResponse:
    body = json.dumps({"error": kind, "message": message}).encode()
    headers = {
        "Content-Type": "application/json",
        "x-amzn-ErrorType": code,
        "x-amzn-RequestId": "fake-" + secrets.token_hex(4),
    }
    return FakeResponse(status=status, headers=headers, body=body)
