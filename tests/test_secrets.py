"""Canary secrets never leak: not in logs (DEBUG, every logger), exceptions (str, repr, args,
attributes, formatted tracebacks), nor the reprs of clients, configuration, credentials and
requests, on every fault path, for the sync and the async client.

The canaries are the secret key, the session token, the bearer token, and every SigV4 signature
the fake received (taken from the ``Authorization`` headers as they arrived). Each is searched
raw, URL-encoded and JSON-escaped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import traceback
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

import attrs
import httpx
import pytest

from bedrock_paginate import (
    AsyncClient,
    BedrockPaginateError,
    Client,
    PaginationOptions,
    ServiceError,
)
from bedrock_paginate._operations import LIST_MODEL_INVOCATION_JOBS
from bedrock_paginate.errors import CredentialRetrievalError, TransportError
from bedrock_paginate.testing import (
    FakeBedrock,
    FakeBedrockServer,
    FakeResponse,
    Fault,
    ReceivedRequest,
    generate_jobs,
)
from tests.support import closed_port

if TYPE_CHECKING:
    from typing_extensions import Unpack

ACCESS_KEY = "AKIDCANARYEXAMPLE"
SECRET = "FAKESECRETCANARY/abc+def0123456789xyz"
TOKEN = "FAKETOKENCANARY/ghi+jkl=mno0123456789"
BEARER = "FAKEBEARERCANARY0123456789abcdefABCDEF"
REGION = "us-east-1"
OP = "list_model_invocation_jobs"
JOBS = generate_jobs(12, seed=17)
SHELLS = ("sync", "async")
_SIGNATURE = re.compile(r"Signature=([0-9a-f]{64})")


# --- a fake that remembers what authorisation it was sent ---------------------------------------


@attrs.define(kw_only=True)
class SpyFake(FakeBedrock):
    """Records every raw Authorization value (test memory only), then answers as the fake."""

    authorizations: list[str] = attrs.field(factory=list)

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        lower = {k.lower(): v for k, v in headers.items()}
        self.authorizations.append(lower.get("authorization", ""))
        return super().handle(method, path, query, headers, body)

    @property
    def signatures(self) -> list[str]:
        return [m for a in self.authorizations for m in _SIGNATURE.findall(a)]


# --- the scan -----------------------------------------------------------------------------------


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}


def _exception_texts(exc: BaseException) -> Iterator[str]:
    yield str(exc)
    yield repr(exc)
    yield repr(exc.args)
    yield "".join(traceback.format_exception(exc))
    yield repr(vars(exc))
    if isinstance(exc, ServiceError):
        yield repr(exc.response)


class Evidence:
    """Everything observable that must not hold a secret."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors: list[BaseException] = []

    def error(self, exc: BaseException) -> None:
        self.errors.append(exc)
        self.texts.extend(_exception_texts(exc))

    def client(self, client: Client | AsyncClient) -> None:
        config = client.config
        self.texts += [repr(client), repr(config), str(config), repr(config.credentials)]
        creds = config.credentials
        if creds is not None and creds.source is not None:
            current = creds.get()
            self.texts += [repr(current), str(current)]
        call = client._engine.start(LIST_MODEL_INVOCATION_JOBS, {"maxResults": 3})
        call.load_credentials()
        request = call.signed_request()
        self.texts += [repr(request), str(request), repr(call), repr(client._engine.retry)]

    def logs(self, records: Iterable[logging.LogRecord]) -> None:
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        for record in records:
            self.texts += [formatter.format(record), repr(record.args), repr(vars(record))]

    def assert_clean(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            for form in _forms(secret):
                for text in self.texts:
                    assert form not in text, f"a canary leaked: {text[:300]!r}"


@pytest.fixture
def evidence(caplog: pytest.LogCaptureFixture) -> Evidence:
    """Collects evidence; the test's own assertions run the scan."""
    caplog.set_level(logging.DEBUG)  # the root logger: bedrock_paginate, httpx, httpcore
    caplog.set_level(logging.DEBUG, logger="bedrock_paginate")
    return Evidence()


def _finish(evidence: Evidence, caplog: pytest.LogCaptureFixture, *extra: str) -> None:
    evidence.logs(caplog.records)
    assert any(r.name.startswith("bedrock_paginate") for r in caplog.records)
    evidence.assert_clean([SECRET, TOKEN, BEARER, *extra])


# --- listing harness ----------------------------------------------------------------------------


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET,
        "aws_session_token": TOKEN,
    }


def _options(endpoint: str, **extra: Any) -> dict[str, Any]:
    return {
        "region_name": REGION,
        "endpoint_url": endpoint,
        "environ": {},
        "read_timeout": 0.2,
        "max_attempts": 2,
        "sleep": lambda seconds: None,
        "random": lambda: 0.5,
        **_keys(),
        **extra,
    }


def run(
    shell: str, options: Mapping[str, Any], evidence: Evidence, **config: Unpack[PaginationOptions]
) -> list[str]:
    """List with a fresh client, recording the client's reprs and any error."""
    if shell == "sync":
        with Client(**options) as client:
            pages = client.get_paginator(OP).paginate(PaginationConfig=config)
            arns: list[str] = []
            try:
                arns += [job.job_arn for job in pages.jobs()]
            except BedrockPaginateError as exc:
                evidence.error(exc)
            evidence.client(client)
            evidence.texts.append(pages.position_token())
            return arns

    async def main() -> list[str]:
        async with AsyncClient(**options) as client:
            pages = client.get_paginator(OP).paginate(PaginationConfig=config)
            arns: list[str] = []
            try:
                arns += [job.job_arn async for job in pages.jobs()]
            except BedrockPaginateError as exc:
                evidence.error(exc)
            evidence.client(client)
            return arns

    return asyncio.run(main())


def _spy(**kwargs: Any) -> SpyFake:
    return SpyFake(
        jobs=JOBS,
        default_page_size=4,
        check_sigv4=True,
        credentials={ACCESS_KEY: SECRET},
        **kwargs,
    )


def _from(index: int) -> Any:
    return lambda request: request.index >= index


def _has_token(request: ReceivedRequest) -> bool:
    return request.param("nextToken") is not None


FAULTS: dict[str, Fault] = {
    "throttle": Fault.throttle(retry_after_ms=10),
    "500-html": Fault.status(500),
    "503-html": Fault.status(503),
    "500-json": Fault.internal_error(),
    "drop": Fault.drop(),
    "reset": Fault.drop(reset=True),
    "slow": Fault.slow(0.4),
    "slow-body": Fault.slow_body(0.4, chunk_size=256),
    "cut-body": Fault.cut_body(),
    "200-html": Fault.html(),
    "200-not-json": Fault.not_json(),
    "200-wrong-types": Fault.wrong_types(),
    "validation": Fault.error("ValidationException", 400, "bad"),
    "access-denied": Fault.access_denied(),
    "expired-static": Fault.expired_token(),
    "clock-skew-every-time": Fault.clock_skew(),
    "cycle": Fault.cycle(),
}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("name", list(FAULTS))
def test_no_secret_leaks_on_any_fault_path(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str, name: str
) -> None:
    """Every injected fault, retried then failed: nothing secret in logs, errors or reprs."""
    fake = _spy()
    when = _has_token if name == "cycle" else _from(1)
    fake.inject(FAULTS[name], times=None, when=when)
    with FakeBedrockServer(fake, max_delay=0.4) as server:
        run(shell, _options(server.url), evidence, PageSize=4)
    assert evidence.errors, "the fault should have ended the listing with an error"
    assert fake.signatures
    _finish(evidence, caplog, *fake.signatures)


@pytest.mark.parametrize("shell", SHELLS)
def test_no_secret_leaks_when_correcting_clock_skew(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str
) -> None:
    """The skew path (403, re-sign, success) logs nothing secret."""
    from datetime import datetime, timedelta, timezone

    fake = SpyFake(
        jobs=JOBS,
        default_page_size=4,
        check_sigv4=True,
        credentials={ACCESS_KEY: SECRET},
        now=lambda: datetime.now(timezone.utc) + timedelta(minutes=15),
    )
    with FakeBedrockServer(fake) as server:
        arns = run(shell, _options(server.url), evidence)
    assert len(arns) == len(JOBS)
    assert fake.requests[0].status == 403
    _finish(evidence, caplog, *fake.signatures)


@pytest.mark.parametrize("shell", SHELLS)
def test_no_secret_leaks_with_a_wrong_secret(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str
) -> None:
    """InvalidSignatureException (the fake knows another secret) leaks nothing."""
    fake = SpyFake(jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: "another-secret-key"})
    with FakeBedrockServer(fake) as server:
        run(shell, _options(server.url), evidence)
    assert isinstance(evidence.errors[0], ServiceError)
    _finish(evidence, caplog, *fake.signatures)


@pytest.mark.parametrize("shell", SHELLS)
def test_no_secret_leaks_when_the_body_is_too_large(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str
) -> None:  # fmt: skip
    """The size-cap refusal leaks nothing."""
    fake = _spy()
    with FakeBedrockServer(fake) as server:
        run(shell, _options(server.url, max_body_bytes=500), evidence)
    assert "larger than 500 bytes" in str(evidence.errors[0])
    _finish(evidence, caplog, *fake.signatures)


@pytest.mark.parametrize("shell", SHELLS)
def test_no_secret_leaks_when_nothing_listens(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str
) -> None:
    """Connection refused, retried, then TransportError: nothing secret anywhere."""
    run(shell, _options(f"http://127.0.0.1:{closed_port()}"), evidence)
    assert "could not connect" in str(evidence.errors[0])
    _finish(evidence, caplog)


# --- a hostile service that echoes what it received ---------------------------------------------


class EchoTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers like an AWS service that quotes the canonical request in its error message,
    echoing the session token, the Authorization header and even the secret key back."""

    def __init__(self, status: int, *, secret: str = "") -> None:
        self.status = status
        self.secret = secret
        self.signatures: list[str] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        token = request.headers.get("x-amz-security-token", "")
        self.signatures += _SIGNATURE.findall(auth)
        text = (
            "The request signature we calculated does not match the signature you provided. "
            "The Canonical String for this request should have been\n'GET\n"
            f"/model-invocation-jobs\n\nhost:bedrock\nx-amz-security-token:{token}\n'\n"
            f"You sent: {auth} / {quote(token, safe='')} / {self.secret}"
        )
        if self.status == 200:  # not JSON: the DecodeError quotes the start of the body
            return httpx.Response(200, content=(token + " " + auth + " " + text).encode())
        body = json.dumps({"message": text}).replace("/", "\\/").encode()
        headers = {
            "x-amzn-ErrorType": "InvalidSignatureException",
            "x-amzn-RequestId": "echo-1",
            "x-echo-authorization": auth,
            "x-echo-token": token,
        }
        return httpx.Response(self.status, headers=headers, content=body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("status", [403, 500, 200])
def test_secrets_echoed_by_the_service_are_scrubbed(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str, status: int
) -> None:
    """A service echoing the token, signature and secret in its error: all scrubbed."""
    transport = EchoTransport(status, secret=SECRET)
    options = _options("https://bedrock.us-east-1.amazonaws.com", transport=transport)
    run(shell, options, evidence)
    assert evidence.errors
    assert "[redacted]" in str(evidence.errors[0])
    assert transport.signatures
    _finish(evidence, caplog, *transport.signatures)


@pytest.mark.parametrize("shell", SHELLS)
def test_bearer_token_echoed_by_the_service_is_scrubbed(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str
) -> None:
    """Bearer auth: a refusal that echoes the token leaks nothing."""
    options = {
        **_options("https://bedrock.us-east-1.amazonaws.com", transport=EchoTransport(403)),
        "aws_access_key_id": None,
        "aws_secret_access_key": None,
        "aws_session_token": None,
        "bearer_token": BEARER,
    }
    run(shell, options, evidence)
    assert isinstance(evidence.errors[0], ServiceError)
    _finish(evidence, caplog)


@pytest.mark.parametrize("shell", SHELLS)
def test_bearer_token_from_the_environment_never_leaks(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str
) -> None:
    """AWS_BEARER_TOKEN_BEDROCK refused by the fake, then throttling: nothing leaks."""
    fake = SpyFake(jobs=JOBS, bearer_tokens={"another-token-entirely"})
    options = {
        **_options("https://bedrock.us-east-1.amazonaws.com", transport=fake.transport()),
        "aws_access_key_id": None,
        "aws_secret_access_key": None,
        "aws_session_token": None,
        "environ": {"AWS_BEARER_TOKEN_BEDROCK": BEARER},
    }
    run(shell, options, evidence)
    assert isinstance(evidence.errors[0], ServiceError)
    assert fake.authorizations == [f"Bearer {BEARER}"]
    _finish(evidence, caplog)


# --- refreshed credentials ----------------------------------------------------------------------

_CREDENTIAL_SCRIPT = """
import json, sys
counter = sys.argv[1]
try:
    n = int(open(counter).read()) + 1
except FileNotFoundError:
    n = 1
open(counter, "w").write(str(n))
print(json.dumps({
    "Version": 1,
    "AccessKeyId": "AKIDCANARYEXAMPLE",
    "SecretAccessKey": "FAKESECRETCANARY/abc+def0123456789xyz",
    "SessionToken": "FAKETOKENCANARY/ghi+jkl=mno0123456789" + str(n),
    "Expiration": "2999-01-01T00:00:00Z",
}))
"""


def _process_environ(tmp_path: Path) -> dict[str, str]:
    script = tmp_path / "creds.py"
    script.write_text(_CREDENTIAL_SCRIPT)
    config = tmp_path / "config"
    config.write_text(
        f'[profile tmp]\nregion = {REGION}\ncredential_process = "{sys.executable}" '
        f'"{script}" "{tmp_path / "runs"}"\n'
    )
    return {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "HOME": str(tmp_path),
    }


@pytest.mark.parametrize("shell", SHELLS)
def test_no_secret_leaks_when_refreshing_expired_credentials(
    evidence: Evidence, caplog: pytest.LogCaptureFixture, shell: str, tmp_path: Path
) -> None:
    """credential_process credentials refused as expired, refreshed, refused again: the
    refresh path leaks neither the old nor the new token."""
    fake = _spy()
    fake.inject(Fault.expired_token(), times=None, when=_from(1))
    options = {
        **_options(""),
        "endpoint_url": None,
        "aws_access_key_id": None,
        "aws_secret_access_key": None,
        "aws_session_token": None,
        "environ": _process_environ(tmp_path),
        "profile_name": "tmp",
    }
    with FakeBedrockServer(fake) as server:
        options["endpoint_url"] = server.url
        run(shell, options, evidence)
    assert "rejected again after refreshing" in str(evidence.errors[0])
    assert (tmp_path / "runs").read_text() == "2"
    _finish(evidence, caplog, *fake.signatures)


def test_scan_finds_a_planted_canary(evidence: Evidence, caplog: pytest.LogCaptureFixture) -> None:
    """The scan is not vacuous: a canary logged under bedrock_paginate is caught."""
    logging.getLogger("bedrock_paginate.test").debug("oops %s", quote(TOKEN, safe=""))
    evidence.logs(caplog.records)
    with pytest.raises(AssertionError, match="a canary leaked"):
        evidence.assert_clean([TOKEN])


def test_echoed_token_is_scrubbed_from_args_and_response_too() -> None:
    """A service error echoing the session token (JSON-escaped) leaks it nowhere in the
    exception: not message, str, repr, args, nor the botocore-shaped response."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    body = ('{"message": "The security token ' + escaped + ' is invalid"}').encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            content=body,
            headers={"x-amzn-ErrorType": "ValidationException", "content-type": "application/json"},
        )

    client = Client(
        transport=httpx.MockTransport(handler),
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        environ={},
    )
    with pytest.raises(ServiceError) as raised:
        client.list_model_invocation_jobs()
    error = raised.value
    for text in (error.message, str(error), repr(error), repr(error.args), repr(error.response)):
        assert TOKEN not in text
    assert "[redacted]" in error.message


# --- every object reachable from a transport error ----------------------------------------------

_OPAQUE = (
    int,
    float,
    complex,
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.CodeType,
    # Frames reach the whole program (the engine holds the credentials): out of scope, as for
    # any exception; what is walked is the error's own object graph.
    types.FrameType,
    types.TracebackType,
)


def reachable_texts(root: object, limit: int = 50_000) -> Iterator[str]:
    """Every string (and bytes, read as Latin-1) reachable from ``root`` through attributes
    (``vars`` and ``__slots__``), exception ``args``/``__cause__``/``__context__``, and the
    items of containers: an httpx request's headers among them."""
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack and len(seen) < limit:
        obj = stack.pop()
        if obj is None or id(obj) in seen or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
            continue
        if isinstance(obj, (bytes, bytearray, memoryview)):
            yield bytes(obj).decode("latin-1")
            continue
        if isinstance(obj, dict):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack += list(obj)
        if isinstance(obj, BaseException):
            stack += [obj.args, obj.__cause__, obj.__context__]
        if isinstance(obj, httpx.Request):
            stack += [obj.headers.raw, str(obj.url)]
        if hasattr(obj, "__dict__"):
            stack += list(vars(obj).values())
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                stack.append(getattr(obj, name, None))


def assert_unreachable(error: BaseException, *secrets: str) -> None:
    texts = list(reachable_texts(error))
    assert any("127.0.0.1" in text for text in texts), "the walk should reach the request"
    for text in texts:
        for secret in secrets:
            for form in _forms(secret):
                assert form not in text, f"a canary is reachable from the error: {text[:200]!r}"
        assert not _SIGNATURE.search(text), f"a signature is reachable: {text[:200]!r}"


def test_reachable_texts_finds_a_planted_token() -> None:
    """The walk reaches a signed request's headers through the cause chain."""
    request = httpx.Request("GET", "http://127.0.0.1/", headers={"X-Amz-Security-Token": TOKEN})
    inner = httpx.ConnectError("refused", request=request)
    outer = BedrockPaginateError("failed")
    outer.__cause__ = inner
    with pytest.raises(AssertionError, match="canary is reachable"):
        assert_unreachable(outer, TOKEN)


@pytest.mark.parametrize("shell", SHELLS)
def test_no_secret_reachable_from_a_transport_error(shell: str) -> None:
    """Connection refused: the TransportError still says why (httpx's ConnectError and the
    OS error below it), but no object reachable from it holds the token or a signature."""
    options = _options(f"http://127.0.0.1:{closed_port()}", max_attempts=1)
    if shell == "sync":
        with Client(**options) as client, pytest.raises(TransportError) as caught:
            client.list_model_invocation_jobs()
    else:

        async def main() -> None:
            async with AsyncClient(**options) as client:
                await client.list_model_invocation_jobs()

        with pytest.raises(TransportError) as caught:
            asyncio.run(main())
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.request.url.host == "127.0.0.1"
    assert isinstance(cause.__cause__ or cause.__context__, Exception)
    assert_unreachable(caught.value, TOKEN, SECRET)


def test_no_secret_reachable_from_an_unreachable_sts_error(tmp_path: Path) -> None:
    """Assuming a role through a closed STS port with session-token source credentials:
    nothing reachable from the CredentialRetrievalError holds the token or a signature."""
    from bedrock_paginate._credentials import ChainOptions, CredentialResolver
    from bedrock_paginate._credentials._options import StsOptions
    from bedrock_paginate._profiles import SharedFiles

    config = tmp_path / "config"
    config.write_text(
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n"
        f"[profile base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n"
        f"aws_session_token = {TOKEN}\n",
        encoding="utf-8",
    )
    options = ChainOptions(
        environ={
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{closed_port()}",
        },
        files=SharedFiles(config_path=str(config), credentials_path=str(tmp_path / "none")),
        profile_name="dev",
        profile_from_code=True,
        sleep=lambda seconds: None,
        sts=StsOptions(region="us-east-1", max_attempts=1),
    )
    with pytest.raises(CredentialRetrievalError) as caught:
        CredentialResolver.from_chain(options).get()
    assert "could not get an answer from STS" in str(caught.value)
    assert_unreachable(caught.value, TOKEN, SECRET)


# --- IAM Identity Center and aws login ----------------------------------------------------------


def _cache_secrets(path: Path) -> list[str]:
    """Every token, client secret and key line in an SSO / aws login cache file."""
    data = json.loads(path.read_text())
    found: list[str] = []
    for key in ("accessToken", "refreshToken", "clientSecret", "dpopKey"):
        value = data.get(key)
        if isinstance(value, dict):
            found += [value["secretAccessKey"], value["sessionToken"]]
        elif isinstance(value, str):
            found.append(value)
            found += [line for line in value.splitlines() if len(line) > 16 and "-----" not in line]
    return found


def _sso_scenario(world: Any, scenario: str) -> Path:
    from datetime import timedelta

    from tests.sso_support import LOGIN_CONFIG, LOGIN_SESSION, SESSION_CONFIG, START_URL

    if scenario.startswith("sso"):
        (world.home / "config").write_text(SESSION_CONFIG)
        path = Path(
            world.sso.sso_login(
                str(world.home),
                start_url=START_URL,
                region=REGION,
                session_name="corp",
                lifetime=timedelta(minutes=-1),
            )
        )
        data = json.loads(path.read_text())
        if scenario == "sso-refresh-refused":
            world.sso.revoke(data["refreshToken"])
        return path
    (world.home / "config").write_text(LOGIN_CONFIG)
    path = Path(
        world.signin.aws_login(
            str(world.login_cache), session=LOGIN_SESSION, lifetime=timedelta(minutes=-1)
        )
    )
    if scenario == "login-refresh-refused":
        world.signin.revoke(json.loads(path.read_text())["refreshToken"])
    return path


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    "scenario",
    ["sso-refreshed", "sso-refresh-refused", "login-refreshed", "login-refresh-refused"],
)
def test_no_sso_or_login_secret_leaks(
    evidence: Evidence,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    shell: str,
    scenario: str,
) -> None:
    """SSO access/refresh tokens, client secrets, role credentials, the aws login keys and the
    DPoP key appear in no log line, error or repr, when a refresh works and when it fails."""
    from datetime import datetime, timezone

    from tests.sso_support import running_world

    with running_world(tmp_path) as world:
        world.clock.now = datetime.now(timezone.utc)
        path = _sso_scenario(world, scenario)
        canaries = _cache_secrets(path)
        fake = SpyFake(
            jobs=JOBS,
            default_page_size=4,
            check_sigv4=True,
            credentials={
                world.sso.access_key: world.sso.secret_key,
                world.signin.access_key: world.signin.secret_key,
            },
        )
        with FakeBedrockServer(fake) as server:
            (world.home / "credentials").write_text("")
            options = {
                "region_name": REGION,
                "environ": world.environ(AWS_ENDPOINT_URL_BEDROCK=server.url, AWS_PROFILE="dev"),
                "sleep": lambda seconds: None,
            }
            if scenario.endswith("refused"):
                client_cls = Client if shell == "sync" else AsyncClient
                with pytest.raises(BedrockPaginateError) as info:
                    run_to_error(client_cls, options)
                evidence.error(info.value)
                assert "login" in str(info.value)
            else:
                arns = run(shell, options, evidence)
                assert len(arns) == len(JOBS)
        canaries += _cache_secrets(path)  # the refreshed values too
        canaries += [world.sso.secret_key, world.signin.secret_key]
        canaries += world.sso.session_tokens + world.signin.session_tokens
    _finish(evidence, caplog, *canaries, *fake.signatures)


def run_to_error(client_cls: type[Client] | type[AsyncClient], options: Mapping[str, Any]) -> None:
    """List until the credential error; record nothing (the caller records the error)."""
    if client_cls is Client:
        with Client(**options) as client:
            list(client.get_paginator(OP).paginate().jobs())
        return

    async def main() -> None:
        async with AsyncClient(**options) as client:
            [job async for job in client.get_paginator(OP).paginate().jobs()]

    asyncio.run(main())
