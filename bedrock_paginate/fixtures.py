"""Record and replay ListModelInvocationJobs traffic as JSON fixture files (public).

This module owns the fixture file format (documented in ``docs/fixtures.md``) and the two httpx
transports that write and read it:

* :class:`RecordingTransport` wraps the real transport, passes every request through, and writes
  each interaction to the file as soon as it completes. Before anything is written, a redaction
  pass removes every secret (see :func:`redact_text`); an optional :class:`Scrubber` replaces
  account ids and bucket names for fixtures that are shared publicly.
* :class:`ReplayTransport` answers requests from a file, matching on method, path and query
  parameters only, and opens no socket.

Each is one class serving both ``httpx.Client`` and ``httpx.AsyncClient`` (as
``httpx.MockTransport`` does). Also here: the values of a file (:class:`Fixture`,
:class:`Interaction`, ...), :func:`load_fixture` / :func:`save_fixture`, and
:class:`FixtureMismatchError`.

Imports httpx, attrs and the library's ``errors`` only; the client imports this module lazily,
when recording or replaying.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

import attrs
import httpx

from .errors import BedrockPaginateError, DecodeError, ParamValidationError

__all__ = [
    "DATE_OFFSET_THRESHOLD",
    "FIXTURE_FORMAT",
    "FIXTURE_VERSION",
    "REDACTED",
    "REQUEST_HEADERS",
    "RESPONSE_HEADERS",
    "Fixture",
    "FixtureMismatchError",
    "FixtureWriteError",
    "Interaction",
    "RecordedError",
    "RecordedRequest",
    "RecordedResponse",
    "RecordingTransport",
    "ReplayTransport",
    "Scrubber",
    "dumps_fixture",
    "load_fixture",
    "loads_fixture",
    "redact_text",
    "save_fixture",
    "scrub_fixture",
]

#: The ``format`` field of every fixture file.
FIXTURE_FORMAT = "bedrock-paginate-fixture"
#: The ``version`` field written; the only one read.
FIXTURE_VERSION = 1
#: What replaces a secret wherever one is found.
REDACTED = "[redacted]"
#: Request headers kept in a recording (lower case); everything else is dropped.
REQUEST_HEADERS = frozenset({"accept", "content-type"})
#: Response headers kept in a recording (lower case); everything else is dropped.
RESPONSE_HEADERS = frozenset(
    {"content-type", "x-amzn-requestid", "x-amzn-errortype", "x-amz-retry-after", "retry-after"}
)
#: A server ``Date`` at least this many seconds from the client's clock is recorded (as an
#: offset); closer ones are dropped, since only clock-skew handling reads the header.
DATE_OFFSET_THRESHOLD = 60
#: Bodies larger than this are not recorded (the client refuses them anyway).
MAX_RECORDED_BODY = 64 * 1024 * 1024

BodyKind = Literal["json", "text", "base64"]

_DEFAULT_DESCRIPTION = "Recorded with bedrock-paginate."
# Secrets shorter than this are ignored: replacing them would mangle unrelated text, and no
# real AWS secret key, session token or Bedrock API key is that short.
_MIN_SECRET_LENGTH = 8
_REDACTION_PASSES = 4
_BODY_KEYS: dict[BodyKind, str] = {"json": "body", "text": "body_text", "base64": "body_base64"}
_NEAREST_SHOWN = 3
_NEW_FILE_MODE = 0o644
_UNUSED_SHOWN = 10

QueryPairs = tuple[tuple[str, str], ...]
RequestKey = tuple[str, str, QueryPairs]


class FixtureWriteError(BedrockPaginateError):
    """A recording could not be written (folder missing or read-only, disk full)."""


class FixtureMismatchError(BedrockPaginateError):
    """A replayed request matched no recorded interaction, or interactions went unused.

    ``request`` is the request that did not match (``None`` for the unused check); ``nearest``
    holds the indexes of the closest recorded interactions; ``unused`` the indexes never
    replayed; ``source`` names the fixture.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        request: RecordedRequest | None = None,
        nearest: tuple[int, ...] = (),
        unused: tuple[int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.source = source
        self.request = request
        self.nearest = nearest
        self.unused = unused


# --- values ------------------------------------------------------------------------------------


def _pairs(value: Iterable[tuple[str, str]]) -> QueryPairs:
    return tuple(sorted((str(k), str(v)) for k, v in value))


def _upper(value: str) -> str:
    return str(value).upper()


def _interaction_tuple(value: Iterable[Interaction]) -> tuple[Interaction, ...]:
    return tuple(value)


def _lower_keys(value: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in value.items()}


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """The part of a request that is recorded and matched: method, path, sorted query pairs.

    ``headers`` keeps only :data:`REQUEST_HEADERS`; it is informative and never matched.
    """

    method: str = attrs.field(converter=_upper)
    path: str
    query: QueryPairs = attrs.field(default=(), converter=_pairs)
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_lower_keys)

    @property
    def key(self) -> RequestKey:
        """What replay matches on."""
        return (self.method, self.path, self.query)

    def describe(self) -> str:
        """``GET /path?name=value&...`` with long values shortened (for messages)."""
        if not self.query:
            return f"{self.method} {self.path}"
        shown = urlencode([(k, _shorten(v)) for k, v in self.query], safe="/+=:*")
        return f"{self.method} {self.path}?{shown}"


@attrs.frozen(kw_only=True)
class RecordedResponse:
    """A recorded response: status, allow-listed headers (lower case) and the body.

    ``body_kind`` says how ``body`` holds the bytes: ``"json"`` (the parsed JSON value),
    ``"text"`` (a UTF-8 string that is not JSON) or ``"base64"`` (bytes that are not UTF-8).
    ``date_offset`` is the server's ``Date`` minus the client's clock, in whole seconds, when
    they were at least :data:`DATE_OFFSET_THRESHOLD` apart (a clock-skew error); replay then
    serves a ``Date`` that far from the replaying client's clock.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_lower_keys)
    body_kind: BodyKind = "text"
    body: Any = ""
    date_offset: int | None = None

    @classmethod
    def from_bytes(
        cls, status: int, headers: Mapping[str, str], content: bytes
    ) -> RecordedResponse:
        """The response for raw ``content``: JSON when it parses, else text, else base64."""
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return cls(status=status, headers=headers, body_kind="base64", body=_b64(content))
        if text.strip():
            try:
                body = json.loads(text, parse_constant=_reject_constant)
                return cls(status=status, headers=headers, body_kind="json", body=body)
            except ValueError:
                pass
        return cls(status=status, headers=headers, body_kind="text", body=text)

    def content(self) -> bytes:
        """The body bytes to serve."""
        if self.body_kind == "json":
            return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()
        if self.body_kind == "base64":
            return base64.b64decode(str(self.body))
        return str(self.body).encode()


@attrs.frozen(kw_only=True)
class RecordedError:
    """A request that failed without a response: the httpx exception class name and message."""

    type: str
    message: str

    def exception(self, request: httpx.Request) -> httpx.RequestError:
        """The httpx exception to raise for ``request`` on replay."""
        return _httpx_error_class(self.type)(self.message, request=request)


@attrs.frozen(kw_only=True)
class Interaction:
    """One request and what came back: a ``response``, or an ``error`` (exactly one is set)."""

    request: RecordedRequest
    response: RecordedResponse | None = None
    error: RecordedError | None = None

    def __attrs_post_init__(self) -> None:
        if (self.response is None) == (self.error is None):
            raise ParamValidationError(
                "an interaction needs exactly one of response and error", param="response"
            )

    def outcome(self) -> str:
        """``200`` or ``ReadTimeout`` (for messages)."""
        if self.response is not None:
            return str(self.response.status)
        return self.error.type if self.error is not None else "?"


@attrs.frozen(kw_only=True)
class Fixture:
    """A fixture file: a description and interactions in recording order."""

    description: str = ""
    interactions: tuple[Interaction, ...] = attrs.field(default=(), converter=_interaction_tuple)


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON; such a body is kept as text."""
    raise ValueError(f"{name} is not JSON")


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def _shorten(value: str, limit: int = 48) -> str:
    if len(value) <= limit:
        return value
    return f"{value[:28]}...{value[-12:]}"


def _httpx_error_classes() -> dict[str, type[httpx.RequestError]]:
    found: dict[str, type[httpx.RequestError]] = {}
    for name in dir(httpx):
        value = getattr(httpx, name)
        if isinstance(value, type) and issubclass(value, httpx.RequestError):
            found[name] = value
    return found


def _httpx_error_class(name: str) -> type[httpx.RequestError]:
    cls = _httpx_error_classes().get(name)
    if cls is None:
        raise ParamValidationError(
            f"unknown error type {name!r}: expected an httpx.RequestError subclass such as "
            "ReadTimeout or ConnectError",
            param="type",
        )
    return cls


# --- JSON form ---------------------------------------------------------------------------------


def _request_to_json(request: RecordedRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "query": [list(pair) for pair in request.query],
        "headers": dict(request.headers),
    }


def _interaction_to_json(interaction: Interaction) -> dict[str, Any]:
    out: dict[str, Any] = {"request": _request_to_json(interaction.request)}
    response = interaction.response
    if response is not None:
        out["response"] = {
            "status": response.status,
            "headers": dict(response.headers),
            _BODY_KEYS[response.body_kind]: response.body,
        }
        if response.date_offset is not None:
            out["response"]["date_offset_seconds"] = response.date_offset
    error = interaction.error
    if error is not None:
        out["error"] = {"type": error.type, "message": error.message}
    return out


def _fixture_to_json(fixture: Fixture) -> dict[str, Any]:
    return {
        "version": FIXTURE_VERSION,
        "format": FIXTURE_FORMAT,
        "description": fixture.description,
        "interactions": [_interaction_to_json(i) for i in fixture.interactions],
    }


class _Reader:
    """Validates the JSON form of one file, naming the file and the JSON path of any problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> DecodeError:
        return DecodeError(f"fixture {self.source!r}: {where} {problem}", path=where)

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a JSON object, got {type(value).__name__}")
        return value

    def string(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"must be a string, got {value!r}")
        return value

    def headers(self, value: Any, where: str) -> dict[str, str]:
        return {k: self.string(v, f"{where}.{k}") for k, v in self.obj(value, where).items()}

    def query(self, value: Any, where: str) -> QueryPairs:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list of [name, value] pairs")
        pairs = []
        for i, pair in enumerate(value):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise self.fail(f"{where}[{i}]", f"must be a [name, value] pair, got {pair!r}")
            pairs.append(
                (self.string(pair[0], f"{where}[{i}][0]"), self.string(pair[1], f"{where}[{i}][1]"))
            )
        return tuple(pairs)

    def request(self, value: Any, where: str) -> RecordedRequest:
        data = self.obj(value, where)
        return RecordedRequest(
            method=self.string(data.get("method"), f"{where}.method"),
            path=self.string(data.get("path"), f"{where}.path"),
            query=self.query(data.get("query", []), f"{where}.query"),
            headers=self.headers(data.get("headers", {}), f"{where}.headers"),
        )

    def response(self, value: Any, where: str) -> RecordedResponse:
        data = self.obj(value, where)
        status = data.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise self.fail(f"{where}.status", f"must be an integer 100..599, got {status!r}")
        present = [kind for kind, key in _BODY_KEYS.items() if key in data]
        if len(present) > 1:
            raise self.fail(where, "must have only one of body, body_text and body_base64")
        kind: BodyKind = present[0] if present else "text"
        body = data.get(_BODY_KEYS[kind], "")
        if kind != "json":
            body = self.string(body, f"{where}.{_BODY_KEYS[kind]}")
        if kind == "base64":
            try:
                base64.b64decode(body, validate=True)
            except binascii.Error:
                raise self.fail(f"{where}.body_base64", "is not valid base64") from None
        offset = data.get("date_offset_seconds")
        if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int)):
            raise self.fail(f"{where}.date_offset_seconds", f"must be an integer, got {offset!r}")
        return RecordedResponse(
            status=status,
            headers=self.headers(data.get("headers", {}), f"{where}.headers"),
            body_kind=kind,
            body=body,
            date_offset=offset,
        )

    def error(self, value: Any, where: str) -> RecordedError:
        data = self.obj(value, where)
        name = self.string(data.get("type"), f"{where}.type")
        if name not in _httpx_error_classes():
            raise self.fail(
                f"{where}.type",
                f"is {name!r}; expected the name of an httpx.RequestError subclass "
                "such as ReadTimeout or ConnectError",
            )
        return RecordedError(type=name, message=self.string(data.get("message", ""), where))

    def interaction(self, value: Any, where: str) -> Interaction:
        data = self.obj(value, where)
        if ("response" in data) == ("error" in data):
            raise self.fail(where, "must have exactly one of response and error")
        return Interaction(
            request=self.request(data.get("request"), f"{where}.request"),
            response=self.response(data["response"], f"{where}.response")
            if "response" in data
            else None,
            error=self.error(data["error"], f"{where}.error") if "error" in data else None,
        )

    def fixture(self, value: Any) -> Fixture:
        data = self.obj(value, "the top level")
        if data.get("format") != FIXTURE_FORMAT:
            raise self.fail("format", f'must be "{FIXTURE_FORMAT}", got {data.get("format")!r}')
        if data.get("version") != FIXTURE_VERSION:
            raise self.fail(
                "version",
                f"is {data.get('version')!r}; this version of bedrock-paginate reads version "
                f"{FIXTURE_VERSION} only",
            )
        items = data.get("interactions")
        if not isinstance(items, list):
            raise self.fail("interactions", "must be a list")
        return Fixture(
            description=self.string(data.get("description", ""), "description"),
            interactions=tuple(
                self.interaction(item, f"interactions[{i}]") for i, item in enumerate(items)
            ),
        )


# Objects down to this depth (file, interaction, request/response) are the envelope: their keys
# keep the documented order. Deeper objects (headers, bodies) have their keys sorted.
_ENVELOPE_DEPTH = 3


def _render(value: Any, depth: int = 0) -> str:
    """JSON with 2-space indents and stable key order; lists of scalars stay on one line."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        keys = list(value) if depth <= _ENVELOPE_DEPTH else sorted(value)
        items = [f"{inner}{_scalar(str(k))}: {_render(value[k], depth + 1)}" for k in keys]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if not any(isinstance(item, (dict, list)) for item in value):
            return "[" + ", ".join(_scalar(item) for item in value) + "]"
        items = [inner + _render(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def dumps_fixture(fixture: Fixture) -> str:
    """The file text of ``fixture``: stable key order, one interaction per list entry."""
    return _render(_fixture_to_json(fixture)) + "\n"


def loads_fixture(text: str, *, source: str = "<string>") -> Fixture:
    """Parse and validate fixture text.

    Raises:
        DecodeError: the text is not JSON or not a version-1 fixture; the message names
            ``source`` and the JSON path of the problem.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DecodeError(f"fixture {source!r} is not valid JSON: {exc}") from None
    return _Reader(source).fixture(data)


def load_fixture(path: str | os.PathLike[str]) -> Fixture:
    """Read and validate a fixture file.

    Raises:
        DecodeError: the file cannot be read, is not JSON, or is not a version-1 fixture.
    """
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DecodeError(f"cannot read fixture {source!r}: {exc}") from None
    return loads_fixture(text, source=source)


def save_fixture(fixture: Fixture, path: str | os.PathLike[str]) -> None:
    """Write ``fixture`` atomically (a temporary file renamed over ``path``); makes parents."""
    target = Path(os.fspath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    # Keep the mode of a file being replaced; a new file is readable by all (it holds no secret).
    mode = target.stat().st_mode & 0o777 if target.exists() else _NEW_FILE_MODE
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(dumps_fixture(fixture))
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- redaction ---------------------------------------------------------------------------------

# Signatures (``Signature=`` in an Authorization header, ``X-Amz-Signature=`` in a presigned
# URL), tokens in query strings, and bearer tokens (RFC 6750 token characters).
_SECRET_PATTERNS = (
    re.compile(r"(?i)(signature=)[0-9a-f]{16,}"),
    re.compile(r"(?i)(x-amz-security-token=)[^&\s\"',;]+"),
    re.compile(r"(?i)(x-amz-signature=)[^&\s\"',;]+"),
    re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{16,}=*"),
)
# JSON keys whose values are secrets wherever they appear (compared lower-cased, no - or _).
_SECRET_KEYS = frozenset(
    {
        "authorization",
        "proxyauthorization",
        "xamzsecuritytoken",
        "secretaccesskey",
        "awssecretaccesskey",
        "sessiontoken",
        "awssessiontoken",
        "securitytoken",
        "bearertoken",
        "password",
    }
)


def _variants(secret: str) -> set[str]:
    """The forms a secret can take in recorded text: raw, URL-encoded, JSON-escaped, Latin-1."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        secret.replace("/", "\\/"),
        secret.encode("utf-8").decode("latin-1"),
    }


class _Redactor:
    """Replaces every known secret and every secret-looking pattern with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= _MIN_SECRET_LENGTH:
                forms |= _variants(secret)
        ordered = sorted(forms, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def text(self, text: str) -> str:
        known = self._known
        if known is not None:
            # A replacement next to the remaining text can form a secret again; repeat, and
            # give up on the whole string if that keeps happening.
            for _ in range(_REDACTION_PASSES):
                if known.search(text) is None:
                    break
                text = known.sub(REDACTED, text)
            else:
                if known.search(text) is not None:
                    return REDACTED
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self._member(str(k), v) for k, v in value.items()}
        return value

    def _member(self, key: str, value: Any) -> Any:
        if key.lower().replace("-", "").replace("_", "") in _SECRET_KEYS and value:
            return REDACTED
        return self.value(value)

    def interaction(self, interaction: Interaction) -> Interaction:
        data = _interaction_to_json(interaction)
        response = data.get("response")
        if response is not None and "body_base64" in response:
            raw = base64.b64decode(response["body_base64"]).decode("latin-1")
            response["body_base64"] = _b64(self.text(raw).encode("latin-1"))
        return _Reader("<recording>").interaction(self.value(data), "interaction")


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each of ``secrets`` (raw, URL-encoded or JSON-escaped) and every
    signature, ``X-Amz-Security-Token=`` value and bearer token replaced by ``[redacted]``.

    Secrets shorter than 8 characters are ignored.
    """
    return _Redactor(secrets).text(text)


def _request_secrets(request: httpx.Request) -> list[str]:
    """Secrets visible on the wire: the bearer token or signature, the session token."""
    found = []
    token = request.headers.get("x-amz-security-token")
    if token:
        found.append(token)
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        found.append(credentials.strip())
    match = re.search(r"Signature=([0-9a-fA-F]+)", authorization)
    if match:
        found.append(match.group(1))
    return found


# --- scrubbing ---------------------------------------------------------------------------------

_ARN_ACCOUNT = re.compile(r"(arn:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:)(\d{12})(?=:|/|$)")
_S3_URI = re.compile(r"(s3://)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?=/|$|[\s\"'?#])")
_S3_ARN = re.compile(r"(arn:[A-Za-z0-9-]*:s3:::)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?=/|$|[\s\"'])")
_ACCESS_KEY = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_ACCOUNT_KEYS = frozenset({"s3bucketowner", "accountid", "awsaccountid", "owneraccountid"})


def _strings(value: Any) -> Iterator[tuple[str | None, str]]:
    """Every string in a JSON value, with the key it is the value of (``None`` otherwise)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield None, str(key)
            if isinstance(item, str):
                yield str(key), item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield None, value


@attrs.frozen(kw_only=True)
class Scrubber:
    """Replaces account ids and S3 bucket names consistently, for fixtures shared publicly.

    Accounts are found in ARNs (``arn:aws:bedrock:us-east-1:ACCOUNT:...``) and in
    ``s3BucketOwner``/``accountId`` values; buckets in ``s3://BUCKET/...`` URIs and S3 ARNs.
    Each distinct value maps to one fake value for the whole file, in order of first
    appearance: accounts to ``fake_account``, ``fake_account + 1``, ...; buckets to
    ``example-bucket-1``, ``example-bucket-2``, .... Afterwards every other occurrence of a found
    value (as a whole word) is replaced too, in requests and responses alike, so a replayed
    listing still pages through the scrubbed tokens.

    With ``access_keys`` (default), access key ids (``AKIA...``/``ASIA...``, not secret but
    naming a principal, as in an echoed credential scope) become ``AKIAEXAMPLE00000001``-style
    values too.
    """

    accounts: bool = True
    buckets: bool = True
    access_keys: bool = True
    fake_account: str = attrs.field(default="123456789012")
    bucket_prefix: str = attrs.field(default="example-bucket-")

    @fake_account.validator
    def _check_account(self, _: object, value: str) -> None:
        if not re.fullmatch(r"\d{12}", value):
            raise ParamValidationError(
                f"fake_account must be 12 digits, got {value!r}", param="fake_account"
            )

    @bucket_prefix.validator
    def _check_prefix(self, _: object, value: str) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,40}", value):
            raise ParamValidationError(
                f"bucket_prefix must be a valid start of an S3 bucket name ([a-z0-9.-]), got "
                f"{value!r}",
                param="bucket_prefix",
            )

    def scrub(self, interactions: Sequence[Interaction]) -> tuple[Interaction, ...]:
        """The interactions with accounts and buckets replaced."""
        documents = [_interaction_to_json(i) for i in interactions]
        replace = self._replacer(documents)
        reader = _Reader("<scrubbed>")
        return tuple(
            reader.interaction(_map_values(doc, replace), f"interactions[{i}]")
            for i, doc in enumerate(documents)
        )

    def _replacer(self, documents: list[dict[str, Any]]) -> Callable[[str], str]:
        accounts: dict[str, None] = {}
        buckets: dict[str, None] = {}
        keys: dict[str, None] = {}
        for key, text in _strings(documents):
            if self.access_keys:
                for match in _ACCESS_KEY.finditer(text):
                    keys.setdefault(match.group(0))
            if self.accounts:
                for match in _ARN_ACCOUNT.finditer(text):
                    accounts.setdefault(match.group(2))
                if (
                    key is not None
                    and key.lower() in _ACCOUNT_KEYS
                    and re.fullmatch(r"\d{12}", text)
                ):
                    accounts.setdefault(text)
            if self.buckets:
                for pattern in (_S3_URI, _S3_ARN):
                    for match in pattern.finditer(text):
                        buckets.setdefault(match.group(2))
        mapping = {
            **self._fake_accounts(list(accounts)),
            **self._fake_buckets(list(buckets)),
            **{real: f"{real[:4]}EXAMPLE{n:09d}" for n, real in enumerate(keys, start=1)},
        }
        if not mapping:
            return lambda text: text
        alternatives = "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
        word = re.compile(rf"(?<![A-Za-z0-9.\-])(?:{alternatives})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])")
        return lambda text: word.sub(lambda m: mapping[m.group(0)], text)

    def _fake_accounts(self, real: list[str]) -> dict[str, str]:
        taken = set(real)
        out: dict[str, str] = {}
        candidate = int(self.fake_account)
        for account in real:
            while f"{candidate:012d}" in taken and f"{candidate:012d}" != account:
                candidate += 1
            out[account] = f"{candidate:012d}"
            candidate += 1
        return out

    def _fake_buckets(self, real: list[str]) -> dict[str, str]:
        taken = set(real)
        out: dict[str, str] = {}
        number = 1
        for bucket in real:
            while f"{self.bucket_prefix}{number}" in taken - {bucket}:
                number += 1
            out[bucket] = f"{self.bucket_prefix}{number}"
            number += 1
        return out


def _map_values(value: Any, fn: Callable[[str], str]) -> Any:
    """``value`` with ``fn`` applied to every string in it except object keys."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_values(item, fn) for item in value]
    if isinstance(value, dict):
        return {k: _map_values(v, fn) for k, v in value.items()}
    return value


def scrub_fixture(fixture: Fixture, scrubber: Scrubber | None = None) -> Fixture:
    """A copy of ``fixture`` with accounts and buckets scrubbed (default :class:`Scrubber`)."""
    scrubbed = (scrubber or Scrubber()).scrub(fixture.interactions)
    return attrs.evolve(fixture, interactions=scrubbed)


# --- recording ---------------------------------------------------------------------------------


def _recorded_request(request: httpx.Request) -> RecordedRequest:
    query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True, errors="replace")
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        query=query,
        headers={k: v for k, v in request.headers.items() if k.lower() in REQUEST_HEADERS},
    )


def _kept_response_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in RESPONSE_HEADERS}


def _date_offset(status: int, headers: httpx.Headers, now: float) -> int | None:
    """The error response's ``Date`` minus ``now`` in seconds, when far enough to matter."""
    value = headers.get("date")
    if value is None or 200 <= status < 300:
        return None
    try:
        offset = round(parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, OverflowError):
        return None
    return offset if abs(offset) >= DATE_OFFSET_THRESHOLD else None


def _served_headers(headers: httpx.Headers) -> list[tuple[str, str]]:
    """Headers for the already-decoded body handed back to the client."""
    dropped = {"content-encoding", "content-length", "transfer-encoding"}
    return [(k, v) for k, v in headers.multi_items() if k.lower() not in dropped]


class _Body:
    """Collects a decoded response body up to :data:`MAX_RECORDED_BODY` (+1 byte)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; ``False`` once the body is over the limit (stop reading)."""
        self.chunks.append(chunk)
        self.size += len(chunk)
        return self.size <= MAX_RECORDED_BODY

    @property
    def content(self) -> bytes:
        return b"".join(self.chunks)


SecretsSource = Iterable[str] | Callable[[], Iterable[str]]


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a transport and records every interaction to a fixture file.

    Works for ``httpx.Client`` and ``httpx.AsyncClient`` (the wrapped transport must support the
    same kind). The file is rewritten atomically after each interaction, so a crash loses
    nothing, and once more on close (with no interaction it then holds an empty list).

    Nothing secret is written: only allow-listed headers are kept (:data:`REQUEST_HEADERS`,
    :data:`RESPONSE_HEADERS`), and every string (query, path, bodies, error messages) is
    scanned for ``secrets``, for the session token, bearer token and signature of the request
    itself, and for signature-looking patterns (see :func:`redact_text`).

    Args:
        transport: the transport that does the I/O.
        path: the fixture file to write (replaced if it exists).
        secrets: values that must never be written (secret key, session token, bearer token),
            or a function returning them, called at each interaction (so refreshed
            credentials are covered).
        scrub: ``True`` or a :class:`Scrubber` to replace account ids and bucket names.
        description: the file's ``description``.
        clock: the client's clock (epoch seconds), to record how far an error response's
            ``Date`` was from it (see :attr:`RecordedResponse.date_offset`).
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
        path: str | os.PathLike[str],
        *,
        secrets: SecretsSource = (),
        scrub: bool | Scrubber = False,
        description: str = _DEFAULT_DESCRIPTION,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._inner = transport
        self._clock = clock
        self.path = Path(os.fspath(path))
        self._secrets = secrets if callable(secrets) else tuple(secrets)
        self._scrubber = Scrubber() if scrub is True else (scrub or None)
        self._description = description
        # Kept in memory as received; redaction happens on the way to the file.
        self._interactions: list[Interaction] = []
        self._seen_secrets: set[str] = set()
        self._lock = threading.RLock()

    @property
    def interactions(self) -> tuple[Interaction, ...]:
        """What was recorded so far, redacted (not scrubbed)."""
        with self._lock:
            redactor = _Redactor(self._seen_secrets)
            return tuple(redactor.interaction(i) for i in self._interactions)

    def fixture(self) -> Fixture:
        """The fixture as it is written to the file."""
        interactions = self.interactions
        if self._scrubber is not None:
            interactions = self._scrubber.scrub(interactions)
        return Fixture(description=self._description, interactions=interactions)

    def flush(self) -> None:
        """Write the file now.

        Every interaction is redacted again with every secret known so far, so a secret
        learnt late (refreshed credentials) is also removed from earlier interactions.
        """
        with self._lock:  # re-entrant: the snapshot and the write happen as one step
            try:
                save_fixture(self.fixture(), self.path)
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise FixtureWriteError(
                    f"cannot write the recording to {os.fspath(self.path)!r}: {reason}"
                ) from None

    def _learn_secrets(self, request: httpx.Request) -> None:
        configured = self._secrets() if callable(self._secrets) else self._secrets
        found = [s for s in configured if isinstance(s, str) and s]
        with self._lock:
            self._seen_secrets.update(found + _request_secrets(request))

    def _record(self, request: httpx.Request, outcome: RecordedResponse | RecordedError) -> None:
        self._learn_secrets(request)
        interaction = Interaction(
            request=_recorded_request(request),
            response=outcome if isinstance(outcome, RecordedResponse) else None,
            error=outcome if isinstance(outcome, RecordedError) else None,
        )
        with self._lock:
            self._interactions.append(interaction)
        self.flush()

    def _record_error(self, request: httpx.Request, exc: httpx.RequestError) -> None:
        self._record(request, RecordedError(type=type(exc).__name__, message=str(exc)))

    def _finish(
        self, request: httpx.Request, response: httpx.Response, body: _Body
    ) -> httpx.Response:
        """Record the response and hand the client an equivalent one with the read body."""
        content = body.content
        status = response.status_code
        kept = _kept_response_headers(response.headers)
        if body.size > MAX_RECORDED_BODY:
            note = f"<body of more than {MAX_RECORDED_BODY} bytes; not recorded>"
            recorded = RecordedResponse(status=status, headers=kept, body=note)
        else:
            recorded = RecordedResponse.from_bytes(status, kept, content)
        offset = _date_offset(status, response.headers, self._clock())
        self._record(request, attrs.evolve(recorded, date_offset=offset))
        return httpx.Response(
            response.status_code,
            headers=_served_headers(response.headers),
            content=content,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the wrapped transport and record the interaction."""
        inner = self._inner
        if not isinstance(inner, httpx.BaseTransport):
            raise ParamValidationError(
                f"the recorded transport {type(inner).__name__} is async-only; use it with an "
                "AsyncClient",
                param="transport",
            )
        body = _Body()
        try:
            response = inner.handle_request(request)
            try:
                for chunk in response.iter_bytes():
                    if not body.add(chunk):
                        break
            finally:
                response.close()
        except httpx.RequestError as exc:
            self._record_error(request, exc)
            raise
        return self._finish(request, response, body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the wrapped async transport and record the interaction."""
        inner = self._inner
        if not isinstance(inner, httpx.AsyncBaseTransport):
            raise ParamValidationError(
                f"the recorded transport {type(inner).__name__} is sync-only; use it with a Client",
                param="transport",
            )
        body = _Body()
        try:
            response = await inner.handle_async_request(request)
            try:
                async for chunk in response.aiter_bytes():
                    if not body.add(chunk):
                        break
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            self._record_error(request, exc)
            raise
        return self._finish(request, response, body)

    def close(self) -> None:
        """Close the wrapped transport and write the file."""
        try:
            if isinstance(self._inner, httpx.BaseTransport):
                self._inner.close()
        finally:
            self.flush()

    async def aclose(self) -> None:
        """Close the wrapped async transport and write the file."""
        try:
            if isinstance(self._inner, httpx.AsyncBaseTransport):
                await self._inner.aclose()
        finally:
            self.flush()


# --- replay ------------------------------------------------------------------------------------


def _query_difference(sent: QueryPairs, recorded: QueryPairs) -> tuple[int, str]:
    """How far two query multisets are apart, and what differs, in words."""
    only_sent = Counter(sent) - Counter(recorded)
    only_recorded = Counter(recorded) - Counter(sent)
    notes = []
    names = sorted({k for k, _ in only_sent} | {k for k, _ in only_recorded})
    for name in names:
        sent_values = [_shorten(v) for k, v in sorted(only_sent.elements()) if k == name]
        recorded_values = [_shorten(v) for k, v in sorted(only_recorded.elements()) if k == name]
        if sent_values and recorded_values:
            notes.append(f"{name}: sent {_join(sent_values)}, recorded {_join(recorded_values)}")
        elif sent_values:
            notes.append(f"{name}={_join(sent_values)} sent but not recorded")
        else:
            notes.append(f"{name}={_join(recorded_values)} recorded but not sent")
    score = sum(only_sent.values()) + sum(only_recorded.values())
    return score, "; ".join(notes)


def _join(values: list[str]) -> str:
    return " and ".join(repr(v) for v in values)


def _difference(sent: RecordedRequest, recorded: RecordedRequest) -> tuple[int, str]:
    score, notes = _query_difference(sent.query, recorded.query)
    parts = [notes] if notes else []
    if sent.path != recorded.path:
        score += 50
        parts.insert(0, f"path {recorded.path!r} recorded")
    if sent.method != recorded.method:
        score += 100
        parts.insert(0, f"method {recorded.method} recorded")
    return score, "; ".join(parts) or "identical"


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers requests from a fixture; opens no socket and needs no credentials.

    A request matches an interaction when method, path and the query parameters (as a
    multiset, order ignored) are equal; headers, signatures and dates are never compared. By
    default interactions are replayed in order: the next unused interaction must match. With
    ``any_order=True`` the first unused interaction that matches is used. Each interaction is
    used at most once. A request that matches nothing raises :class:`FixtureMismatchError`
    showing the request and the nearest recorded ones. Thread-safe.

    Args:
        source: a fixture file, or a :class:`Fixture`.
        any_order: match any unused interaction instead of only the next one.
        clock: the client's clock (epoch seconds), for the ``Date`` of responses recorded
            with a clock offset.

    Raises:
        DecodeError: the file cannot be read or is not a version-1 fixture.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | Fixture,
        *,
        any_order: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        if isinstance(source, Fixture):
            self.fixture, self.source = source, "<fixture>"
        else:
            self.source = os.fspath(source)
            self.fixture = load_fixture(self.source)
        self.any_order = any_order
        self._used = [False] * len(self.fixture.interactions)
        self._requests = 0
        self._lock = threading.Lock()

    @property
    def used_count(self) -> int:
        """How many interactions have been replayed."""
        with self._lock:
            return sum(self._used)

    @property
    def unused(self) -> tuple[Interaction, ...]:
        """The interactions not replayed yet, in file order."""
        with self._lock:
            return tuple(
                i for i, used in zip(self.fixture.interactions, self._used, strict=True) if not used
            )

    def assert_all_used(self) -> None:
        """Raise :class:`FixtureMismatchError` if an interaction was never replayed."""
        with self._lock:
            unused = tuple(i for i, used in enumerate(self._used) if not used)
        if not unused:
            return
        interactions = self.fixture.interactions
        lines = [
            f"  #{i} {interactions[i].request.describe()} -> {interactions[i].outcome()}"
            for i in unused[:_UNUSED_SHOWN]
        ]
        if len(unused) > _UNUSED_SHOWN:
            lines.append(f"  ... and {len(unused) - _UNUSED_SHOWN} more")
        message = (
            f"{len(unused)} of {len(interactions)} recorded interactions in {self.source!r} "
            "were never requested:\n" + "\n".join(lines) + "\nThe code under test made fewer "
            "or different requests than were recorded; re-record the fixture if that is intended."
        )
        raise FixtureMismatchError(redact_text(message), source=self.source, unused=unused)

    def _match(self, request: RecordedRequest) -> int:
        """The index of the interaction that answers ``request`` (marks it used)."""
        with self._lock:
            self._requests += 1
            interactions = self.fixture.interactions
            candidates = range(len(interactions))
            if not self.any_order:
                candidates = range(
                    min(self._used.count(True), len(interactions)), len(interactions)
                )
                candidates = candidates[:1]
            for index in candidates:
                if not self._used[index] and interactions[index].request.key == request.key:
                    self._used[index] = True
                    return index
            number, used = self._requests, list(self._used)
        raise self._mismatch(request, number, used)

    def _mismatch(
        self, request: RecordedRequest, number: int, used: list[bool]
    ) -> FixtureMismatchError:
        interactions = self.fixture.interactions
        scored = sorted(
            (
                (*_difference(request, item.request), index)
                for index, item in enumerate(interactions)
            ),
            key=lambda entry: (entry[0], entry[2]),
        )[:_NEAREST_SHOWN]
        mode = "any order" if self.any_order else "in order"
        lines = [
            f"no recorded interaction matches request #{number} {request.describe()} "
            f"(replaying {self.source!r}, {mode}, {used.count(True)} of {len(interactions)} "
            "interactions used)"
        ]
        if not self.any_order:
            following = used.count(True)
            if following < len(interactions):
                item = interactions[following]
                lines.append(f"expected next: #{following} {item.request.describe()}")
            else:
                lines.append("every recorded interaction has been used")
        if scored:
            lines.append("nearest recorded interactions:")
            for _, notes, index in scored:
                item = interactions[index]
                lines.append(
                    f"  #{index} {item.request.describe()} -> {item.outcome()}: "
                    f"{self._why_not(notes, used[index])}"
                )
        lines.append(
            "Requests match on method, path and query parameters (never headers or "
            "signatures). Re-record the fixture"
            + ("." if self.any_order else ", or replay with any_order=True.")
        )
        return FixtureMismatchError(
            redact_text("\n".join(lines)),
            source=self.source,
            request=request,
            nearest=tuple(index for _, _, index in scored),
        )

    def _why_not(self, notes: str, used: bool) -> str:
        if notes != "identical":
            return notes
        if used:
            return "matches, but was already used (each interaction answers once)"
        return "matches, but replay is in order and an earlier interaction comes first"

    def _respond(self, request: httpx.Request) -> httpx.Response:
        interaction = self.fixture.interactions[self._match(_recorded_request(request))]
        if interaction.error is not None:
            raise interaction.error.exception(request)
        response = interaction.response
        assert response is not None  # an interaction has a response or an error
        headers = list(response.headers.items())
        if response.date_offset is not None:
            headers.append(("date", formatdate(self._clock() + response.date_offset, usegmt=True)))
        return httpx.Response(response.status, headers=headers, content=response.content())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded response for ``request`` (or its recorded httpx error)."""
        request.read()
        return self._respond(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded response for ``request`` (or its recorded httpx error)."""
        await request.aread()
        return self._respond(request)
