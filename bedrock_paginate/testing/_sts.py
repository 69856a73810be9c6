"""``FakeSts``: AWS STS ``AssumeRole`` and ``AssumeRoleWithWebIdentity`` as a pure
request -> response function, and ``FakeStsServer`` to serve it on loopback.

The fake speaks the query protocol: a form-encoded ``POST /`` with ``Action`` and
``Version=2011-06-15``, answered in STS's XML (``<AssumeRoleResponse>`` ...
``<ErrorResponse>``). ``AssumeRole`` must be SigV4-signed for service ``sts`` by a key the fake
knows (``credentials``, or one it issued itself, so role chains work); the signature is checked
with the project's verifier. ``AssumeRoleWithWebIdentity`` is unsigned and needs a token from
``web_identity_tokens``. Credentials it issues expire ``DurationSeconds`` (default 3600) after
the fake's clock; ``on_issue`` hands each new key pair to, say, ``FakeBedrock.add_credentials``
so the listing can be signed with them.

Optional rules make it a useful opponent: ``roles`` (only these ARNs exist), ``external_ids``
(a role that requires an ``ExternalId``), ``mfa_codes`` (a serial and the code it wants),
scripted errors (:meth:`FakeSts.fail`). :attr:`FakeSts.calls` records every call (no secret:
the token code and web identity token are not kept).

Imports only the standard library, attrs and the project's ``_sigv4`` (through ``_auth``).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import attrs

from ._auth import AuthPolicy
from ._responses import FakeResponse
from ._server import LoopbackServer

__all__ = ["FakeSts", "FakeStsServer", "StsCall"]

_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
_ACCOUNT = "123456789012"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@attrs.frozen(kw_only=True)
class StsCall:
    """One call the fake received: the action, its role and session, who signed it (access
    key id, ``None`` when unsigned), and the HTTP status answered."""

    action: str
    role_arn: str | None
    session_name: str | None
    signed_by: str | None
    status: int
    external_id: str | None = None
    serial_number: str | None = None
    duration_seconds: str | None = None


@attrs.define(kw_only=True)
class FakeSts:
    """A fake STS endpoint. Thread-safe.

    Args:
        credentials: access key id -> secret key allowed to sign ``AssumeRole``.
        web_identity_tokens: tokens ``AssumeRoleWithWebIdentity`` accepts.
        region: the region SigV4 scopes must name (``us-east-1`` for the global endpoint).
        roles: when given, only these role ARNs can be assumed (``AccessDenied`` otherwise).
        external_ids: role ARN -> the ``ExternalId`` it requires.
        mfa_codes: MFA serial -> the ``TokenCode`` it accepts.
        duration: default ``DurationSeconds``.
        now: the fake's clock (aware datetime): signature freshness and expirations.
        check_sigv4: verify ``AssumeRole`` signatures (on by default).
        on_issue: called with each issued access key id and secret key.
    """

    credentials: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    web_identity_tokens: Collection[str] = attrs.field(factory=frozenset, repr=False)
    region: str = "us-east-1"
    roles: Collection[str] | None = None
    external_ids: Mapping[str, str] = attrs.field(factory=dict)
    mfa_codes: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    duration: int = 3600
    now: Callable[[], datetime] = _utc_now
    check_sigv4: bool = True
    on_issue: Callable[[str, str], None] | None = None

    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _calls: list[StsCall] = attrs.field(init=False, factory=list)
    _issued: dict[str, str] = attrs.field(init=False, factory=dict, repr=False)
    _failures: list[tuple[str | None, int, str, str]] = attrs.field(init=False, factory=list)
    _serial: Any = attrs.field(init=False, factory=lambda: itertools.count(1))

    # --- scripting and inspection ---------------------------------------------------------

    def fail(
        self,
        code: str,
        message: str,
        *,
        status: int = 403,
        action: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls (of ``action``, or any) with this STS error."""
        with self._lock:
            self._failures.extend([(action, status, code, message)] * times)

    @property
    def calls(self) -> list[StsCall]:
        """Every call answered so far, in order."""
        with self._lock:
            return list(self._calls)

    def call_count(self, action: str | None = None) -> int:
        """How many calls (of ``action``, or all) were answered."""
        return sum(1 for call in self.calls if action is None or call.action == action)

    @property
    def issued(self) -> dict[str, str]:
        """Access key id -> secret key of every credential issued so far."""
        with self._lock:
            return dict(self._issued)

    # --- handling ----------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        """Answer one request (``query`` is ignored: STS reads the form body)."""
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        action = params.get("Action", "")
        signer = self._signer(headers)
        response = self._answer(method, path, query, headers, body, params, action, signer)
        with self._lock:
            self._calls.append(
                StsCall(
                    action=action,
                    role_arn=params.get("RoleArn"),
                    session_name=params.get("RoleSessionName"),
                    signed_by=signer,
                    status=response.status,
                    external_id=params.get("ExternalId"),
                    serial_number=params.get("SerialNumber"),
                    duration_seconds=params.get("DurationSeconds"),
                )
            )
        return response

    @staticmethod
    def _signer(headers: Mapping[str, str]) -> str | None:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if auth is None or "Credential=" not in auth:
            return None
        return auth.split("Credential=", 1)[1].split("/", 1)[0]

    def _answer(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        params: Mapping[str, str],
        action: str,
        signer: str | None,
    ) -> FakeResponse:
        if method != "POST" or params.get("Version") != "2011-06-15":
            return _error(400, "InvalidAction", "Could not find operation for this request")
        scripted = self._take_failure(action)
        if scripted is not None:
            return scripted
        if action == "AssumeRole":
            refused = self._check_signature(method, path, query, headers, body)
            return refused or self._assume_role(params)
        if action == "AssumeRoleWithWebIdentity":
            return self._assume_role_with_web_identity(params)
        return _error(400, "InvalidAction", f"Could not find operation {action} for version")

    def _take_failure(self, action: str) -> FakeResponse | None:
        with self._lock:
            for index, (wanted, status, code, message) in enumerate(self._failures):
                if wanted is None or wanted == action:
                    del self._failures[index]
                    return _error(status, code, message)
        return None

    def _check_signature(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> FakeResponse | None:
        if not self.check_sigv4:
            return None
        with self._lock:
            known = {**self.credentials, **self._issued}
        policy = AuthPolicy(check_sigv4=True, credentials=known, region=self.region, service="sts")
        now_micros = int(self.now().timestamp() * 1_000_000)
        failure = policy.check(method, path, query, headers, body, now_micros=now_micros)
        if failure is None:
            return None
        # STS's query protocol names a bad signature SignatureDoesNotMatch.
        code = {"InvalidSignatureException": "SignatureDoesNotMatch"}.get(
            failure.code, failure.code
        )
        return _error(failure.status, code, failure.message)

    def _role_checks(self, params: Mapping[str, str]) -> FakeResponse | None:
        role = params.get("RoleArn", "")
        session = params.get("RoleSessionName", "")
        if not role or not session:
            missing = "roleArn" if not role else "roleSessionName"
            return _error(400, "ValidationError", f"1 validation error detected: {missing}")
        if self.roles is not None and role not in self.roles:
            return _error(
                403, "AccessDenied", f"Not authorized to perform sts:AssumeRole on {role}"
            )
        duration = params.get("DurationSeconds")
        if duration is not None and not (duration.isdigit() and 900 <= int(duration) <= 43200):
            return _error(400, "ValidationError", "DurationSeconds must be 900..43200")
        return None

    def _assume_role(self, params: Mapping[str, str]) -> FakeResponse:
        problem = self._role_checks(params)
        if problem is not None:
            return problem
        role = params["RoleArn"]
        required = self.external_ids.get(role)
        if required is not None and params.get("ExternalId") != required:
            return _error(
                403, "AccessDenied", f"Not authorized to perform sts:AssumeRole on {role}"
            )
        serial = params.get("SerialNumber")
        if serial is not None:
            wanted = self.mfa_codes.get(serial)
            if wanted is None or params.get("TokenCode") != wanted:
                return _error(
                    403,
                    "AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                )
        return self._issue("AssumeRole", params)

    def _assume_role_with_web_identity(self, params: Mapping[str, str]) -> FakeResponse:
        problem = self._role_checks(params)
        if problem is not None:
            return problem
        token = params.get("WebIdentityToken", "")
        if token not in self.web_identity_tokens:
            return _error(
                400, "InvalidIdentityToken", "The web identity token that was passed is invalid"
            )
        return self._issue("AssumeRoleWithWebIdentity", params)

    def _issue(self, action: str, params: Mapping[str, str]) -> FakeResponse:
        with self._lock:
            number = next(self._serial)
            access = f"ASIAFAKESTS{number:09d}"
            secret = f"FAKESTSSECRET{number:09d}/+canaryWJalrXUtnFEMI"
            self._issued[access] = secret
        token = f"FAKESTSTOKEN{number:09d}//canary+IQoJb3JpZ2luX2VjE"
        seconds = int(params.get("DurationSeconds") or self.duration)
        expiration = (self.now() + timedelta(seconds=seconds)).astimezone(timezone.utc)
        role = params["RoleArn"]
        session = params["RoleSessionName"]
        role_name = role.rsplit("/", 1)[-1]
        extra = (
            "<SubjectFromWebIdentityToken>system:serviceaccount:fake</SubjectFromWebIdentityToken>"
            "<Audience>sts.amazonaws.com</Audience><Provider>fake-oidc</Provider>"
            if action == "AssumeRoleWithWebIdentity"
            else "<PackedPolicySize>6</PackedPolicySize>"
        )
        request_id = f"fake-sts-{number:08d}"
        xml = (
            f'<{action}Response xmlns="{_NS}"><{action}Result>{extra}'
            "<AssumedRoleUser>"
            f"<Arn>arn:aws:sts::{_ACCOUNT}:assumed-role/{escape(role_name)}/{escape(session)}</Arn>"
            f"<AssumedRoleId>AROAFAKE{number:09d}:{escape(session)}</AssumedRoleId>"
            "</AssumedRoleUser>"
            f"<Credentials><AccessKeyId>{access}</AccessKeyId>"
            f"<SecretAccessKey>{escape(secret)}</SecretAccessKey>"
            f"<SessionToken>{escape(token)}</SessionToken>"
            f"<Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration></Credentials>"
            f"</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId>"
            f"</ResponseMetadata></{action}Response>"
        )
        if self.on_issue is not None:
            self.on_issue(access, secret)
        return FakeResponse(
            status=200,
            headers={"Content-Type": "text/xml", "x-amzn-RequestId": request_id},
            body=xml.encode(),
        )


def _error(status: int, code: str, message: str) -> FakeResponse:
    kind = "Receiver" if status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{_NS}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error>"
        "<RequestId>fake-sts-error</RequestId></ErrorResponse>"
    )
    return FakeResponse(
        status=status,
        headers={"Content-Type": "text/xml", "x-amzn-RequestId": "fake-sts-error"},
        body=body.encode(),
    )


class FakeStsServer(LoopbackServer[FakeSts]):
    """A loopback HTTP server for a :class:`FakeSts` (point ``AWS_ENDPOINT_URL_STS`` at
    :attr:`url`)."""
