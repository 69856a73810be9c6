"""Shared test helpers and hypothesis strategies for the pure core.

* A position-based fake ListModelInvocationJobs service (:class:`PositionService`): its tokens
  encode an offset, so the page at a token always starts at the same item whatever the page size,
  and they are base64 with ``+``, ``/`` and ``=`` in them, like real opaque AWS tokens.
* :func:`drive`: runs a :class:`PaginationState` against such a service, as a shell would.
* Strategies: valid wire job dicts, ISO 8601 renderings of a known instant, JSON values, service
  tokens and resume-token contents.
"""

from __future__ import annotations

import base64
import string
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
from hypothesis import strategies as st

from bedrock_paginate._paginator import (
    LIST_MODEL_INVOCATION_JOBS,
    PaginationSettings,
    PaginationState,
)

UTC = timezone.utc

# --- the position-based fake service ----------------------------------------------------------

#: Page size the fake service uses when no ``maxResults`` is sent.
DEFAULT_LIMIT = 4
_TOKEN_PREFIX = b"\xfb\xff\xbf"  # base64 "+/+/": every token has '+' and '/', most have '='


def service_token(offset: int) -> str:
    """The fake service's opaque nextToken for the page starting at item ``offset``."""
    return base64.b64encode(_TOKEN_PREFIX + str(offset).encode()).decode()


def service_offset(token: str) -> int:
    """The item offset inside a token minted by :func:`service_token`."""
    raw = base64.b64decode(token, validate=True)
    assert raw.startswith(_TOKEN_PREFIX), f"not a fake-service token: {token!r}"
    return int(raw[len(_TOKEN_PREFIX) :].decode())


@attrs.define
class PositionService:
    """``n`` items (``0..n-1``) served in pages; a token always means the same start item."""

    n: int
    default_limit: int = DEFAULT_LIMIT
    requests: list[dict[str, Any]] = attrs.field(factory=list)

    def page(self, params: dict[str, Any]) -> tuple[dict[str, str | None], list[int]]:
        """Answer one request: the output tokens and the items of the page."""
        self.requests.append(dict(params))
        start = service_offset(params["nextToken"]) if "nextToken" in params else 0
        limit = params.get("maxResults", self.default_limit)
        end = min(start + limit, self.n)
        token = service_token(end) if end < self.n else None
        return {"nextToken": token}, list(range(start, end))


def new_state(
    *,
    page_size: int | None = None,
    max_items: int | None = None,
    starting_token: str | None = None,
) -> PaginationState[int]:
    """A PaginationState for ListModelInvocationJobs with these settings."""
    settings = PaginationSettings(
        max_items=max_items, page_size=page_size, starting_token=starting_token
    )
    return PaginationState[int](LIST_MODEL_INVOCATION_JOBS, settings)


def drive(state: PaginationState[int], service: PositionService) -> list[list[int]]:
    """Run ``state`` to the end against ``service``; the items shown, page by page."""
    pages: list[list[int]] = []
    while (params := state.next_request()) is not None:
        tokens, items = service.page(params)
        pages.append(list(state.receive(tokens, items)))
    return pages


# --- wire jobs ---------------------------------------------------------------------------------

_IDENT = st.text(string.ascii_letters + string.digits + "-_.:/+", min_size=1, max_size=20)
_ISO_INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_COUNTS = st.integers(min_value=0, max_value=2**40)


def iso_z(value: datetime) -> str:
    """The service's usual rendering: ``2025-03-04T05:06:07.123Z`` (milliseconds when any)."""
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


@st.composite
def job_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ``ModelInvocationJobSummary`` as the service sends it (optional fields vary)."""
    job: dict[str, Any] = {
        "jobArn": draw(_IDENT),
        "jobName": draw(_IDENT),
        "modelId": draw(_IDENT),
        "roleArn": draw(_IDENT),
        "submitTime": iso_z(draw(_ISO_INSTANTS)),
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in/" + draw(_IDENT)}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out/" + draw(_IDENT)}},
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "clientRequestToken": _IDENT,
        "status": st.sampled_from(["Completed", "Failed", "InProgress", "SomethingNew"]),
        "message": st.text(max_size=30),
        "lastModifiedTime": _ISO_INSTANTS.map(iso_z),
        "endTime": _ISO_INSTANTS.map(iso_z),
        "jobExpirationTime": _ISO_INSTANTS.map(iso_z),
        "vpcConfig": st.fixed_dictionaries(
            {"subnetIds": st.lists(_IDENT, max_size=3), "securityGroupIds": st.lists(_IDENT)}
        ),
        "timeoutDurationInHours": st.integers(min_value=24, max_value=168),
        "modelInvocationType": st.sampled_from(["InvokeModel", "Converse"]),
        "totalRecordCount": _COUNTS,
        "processedRecordCount": _COUNTS,
        "successRecordCount": _COUNTS,
        "errorRecordCount": _COUNTS,
        "someFutureField": st.integers(),
    }
    for key in draw(st.sets(st.sampled_from(sorted(optional)))):
        job[key] = draw(optional[key])
    return job


#: Any JSON value (``json.loads`` output), small.
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

# --- timestamps --------------------------------------------------------------------------------

#: Aware UTC instants far enough from datetime.min/max for any offset.
utc_instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
)

_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


def _fraction(micro: int, digits: int) -> tuple[str, int]:
    """``digits`` fractional digits for ``micro`` (extra ones past 6), and the micro they mean."""
    six = f"{micro:06d}"
    shown = six[:digits] if digits <= 6 else six + "987"[: digits - 6]
    return shown, int(shown[:6].ljust(6, "0"))


@st.composite
def timestamp_renderings(draw: st.DrawFn) -> tuple[str, datetime]:
    """An ISO 8601 rendering AWS may send, and the aware UTC instant it means.

    Fractions of 0, 1, 3, 6, 7 or 9 digits (beyond 6 truncated, as botocore/dateutil do);
    ``Z``, ``z``, ``+00:00``, ``+0000``, any ``+hh:mm`` / ``+hhmm`` offset, or none (UTC).
    """
    instant = draw(utc_instants)
    digits = draw(st.sampled_from([0, 1, 3, 6, 7, 9]))
    shown, micro = _fraction(instant.microsecond, digits)
    expected = instant.replace(microsecond=micro)
    zone = draw(st.sampled_from(["Z", "z", "+00:00", "+0000", "", "offset", "compact"]))
    minutes = draw(_OFFSETS) if zone in ("offset", "compact") else 0
    local = (expected + timedelta(minutes=minutes)).replace(tzinfo=None)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + (f".{shown}" if shown else "")
    if zone in ("offset", "compact"):
        sign = "-" if minutes < 0 else "+"
        hours, mins = divmod(abs(minutes), 60)
        text += (
            f"{sign}{hours:02d}:{mins:02d}" if zone == "offset" else f"{sign}{hours:02d}{mins:02d}"
        )
    else:
        text += zone
    return text, expected


# --- tokens ------------------------------------------------------------------------------------

#: Raw service tokens: printable, with the characters that need care in base64 and URLs.
service_tokens = st.text(
    alphabet=string.ascii_letters + string.digits + "+/=-_.~é日🙂",
    min_size=1,
    max_size=60,
)

#: The contents of a resume token: the service token (or null) and the truncate amount (or none).
resume_contents = st.tuples(
    st.none() | service_tokens,
    st.none() | st.integers(min_value=0, max_value=10**6),
)


# --- SigV4 requests ----------------------------------------------------------------------------
# Shared by the requests-aws4auth cross-check and the fake's verifier tests; see the docstring of
# tests/property/test_sigv4_aws4auth.py for why paths have no ';' and header values no quotes.

_URL_RESERVED = "+/=&%~ ?#;:@!$'()*,[]"
sigv4_base64_tokens = st.binary(min_size=0, max_size=300).map(
    lambda b: base64.b64encode(b).decode()
)
_query_text = st.one_of(
    st.text(max_size=20),  # any unicode (no surrogates)
    st.text(alphabet=_URL_RESERVED + "aZ09-._", max_size=12),
    sigv4_base64_tokens,
    st.just(""),
)
_query_keys = st.one_of(
    st.sampled_from(["maxResults", "nextToken", "nameContains", "statusEquals", "sortBy"]),
    _query_text,
)
sigv4_query_pairs = st.lists(st.tuples(_query_keys, _query_text), max_size=6).flatmap(
    # repeat some pairs' keys with other values so repeated keys are common
    lambda pairs: (
        st.lists(st.sampled_from(pairs), max_size=3).map(
            lambda extra: pairs + [(k, v + "x") for k, v in extra]
        )
        if pairs
        else st.just(pairs)
    )
)
sigv4_hosts = st.sampled_from(
    [
        ("https", "bedrock.us-east-1.amazonaws.com", None),
        ("https", "bedrock.eu-west-3.amazonaws.com", 443),
        ("http", "127.0.0.1", 8080),
        ("http", "localhost", 80),
        ("https", "localhost", 8443),
    ]
)
# Path _path_segments: any text but ';' (requests-aws4auth cuts ';params', see the docstring); httpx
# rejects '?', '#' and control characters in a path.
_path_segments = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=";?#"),
    max_size=8,
)
sigv4_paths = st.one_of(
    st.just("/model-invocation-jobs"),
    st.lists(_path_segments, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
)
_header_names = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True).filter(
    lambda n: n not in {"host", "authorization"} and not n.startswith("x-amz-")
)
# Printable ASCII without quotes (requests-aws4auth's shlex keeps spaces inside quotes).
_header_values = st.text(
    alphabet=st.sampled_from([c for c in string.printable if c not in "'\"\r\n\x0b\x0c"]),
    max_size=30,
)
sigv4_extra_headers = st.dictionaries(_header_names, _header_values, max_size=3)
sigv4_times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.just(timezone.utc),
)
sigv4_session_tokens = st.one_of(st.none(), sigv4_base64_tokens.filter(bool))
