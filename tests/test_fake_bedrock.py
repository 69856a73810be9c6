"""The fake Bedrock endpoint in-process: data, filters, sorting, tokens, validation, auth, faults.

Everything goes through plain httpx clients on ``fake.transport()``; expectations are computed
here independently of the fake's own code.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from requests_aws4auth import AWS4Auth

from bedrock_paginate._sigv4 import sign_request
from bedrock_paginate.errors import DecodeError, ParamValidationError
from bedrock_paginate.testing import (
    ALL_STATUSES,
    FakeBedrock,
    Fault,
    generate_jobs,
    jobs_from_fixture,
)

BASE = "https://bedrock.us-east-1.amazonaws.com"
PATH = "/model-invocation-jobs"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
JOBS = generate_jobs(60, seed=7)
ERROR_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/"


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _oracle(jobs: list[dict[str, Any]], **params: Any) -> list[str]:
    """Expected jobArns of a full listing, computed without the fake."""
    selected = [
        j
        for j in jobs
        if ("statusEquals" not in params or j["status"] == params["statusEquals"])
        and ("nameContains" not in params or params["nameContains"] in j["jobName"])
        and ("submitTimeAfter" not in params or _ts(j["submitTime"]) >= params["submitTimeAfter"])
        and ("submitTimeBefore" not in params or _ts(j["submitTime"]) < params["submitTimeBefore"])
    ]
    selected.sort(key=lambda j: (_ts(j["submitTime"]), j["jobArn"]))
    if params.get("sortOrder", "Descending") == "Descending":
        selected.reverse()
    return [j["jobArn"] for j in selected]


def _client(fake: FakeBedrock, **kwargs: Any) -> httpx.Client:
    return httpx.Client(transport=fake.transport(), base_url=BASE, **kwargs)


def _params(**params: Any) -> dict[str, str]:
    out = {}
    for key, value in params.items():
        out[key] = value.isoformat() if isinstance(value, datetime) else str(value)
    return out


def _walk(http: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Every job of a listing, following nextToken; and the tokens seen."""
    items: list[dict[str, Any]] = []
    tokens: list[str] = []
    query = _params(**params)
    while True:
        response = http.get(PATH, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["invocationJobSummaries"]
        if "nextToken" not in body:
            return items, tokens
        tokens.append(body["nextToken"])
        query["nextToken"] = body["nextToken"]


def _error(response: httpx.Response) -> tuple[int, str, str]:
    code = response.headers["x-amzn-errortype"].split(":")[0]
    return response.status_code, code, response.json()["message"]


# --- generated data ---------------------------------------------------------------------------

ARN_RE = re.compile(r"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/[a-z0-9]{12}")
NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9+.\-]{0,62}")
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
REQUIRED = (
    "jobArn",
    "jobName",
    "modelId",
    "roleArn",
    "submitTime",
    "inputDataConfig",
    "outputDataConfig",
)


def test_generate_jobs_is_deterministic() -> None:
    """The same n and seed give the same jobs; another seed gives others."""
    assert generate_jobs(25, seed=3) == generate_jobs(25, seed=3)
    assert generate_jobs(25, seed=3) != generate_jobs(25, seed=4)


def test_generate_jobs_has_every_status_from_ten_jobs() -> None:
    """Every status appears as soon as n >= 10."""
    for seed in range(5):
        assert {j["status"] for j in generate_jobs(10, seed=seed)} == set(ALL_STATUSES)


def test_generated_jobs_are_valid_summaries() -> None:
    """Required members, ARN/name/time formats and union shapes match the service model."""
    jobs = generate_jobs(300, seed=1)
    assert len({j["jobArn"] for j in jobs}) == 300
    for job in jobs:
        assert all(key in job for key in REQUIRED)
        assert ARN_RE.fullmatch(job["jobArn"])
        assert NAME_RE.fullmatch(job["jobName"])
        assert job["status"] in ALL_STATUSES
        for key in ("submitTime", "lastModifiedTime", "endTime", "jobExpirationTime"):
            assert key not in job or TIME_RE.fullmatch(job[key])
        assert list(job["inputDataConfig"]) == ["s3InputDataConfig"]
        assert list(job["outputDataConfig"]) == ["s3OutputDataConfig"]
        assert job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"].startswith("s3://")
        assert 24 <= job.get("timeoutDurationInHours", 24) <= 168
        assert job.get("modelInvocationType", "InvokeModel") in ("InvokeModel", "Converse")


def test_generated_record_counts_are_consistent() -> None:
    """success + error == processed <= total, and Completed jobs processed everything."""
    for job in generate_jobs(300, seed=2):
        if "totalRecordCount" not in job:
            continue
        assert job["successRecordCount"] + job["errorRecordCount"] == job["processedRecordCount"]
        assert 0 <= job["processedRecordCount"] <= job["totalRecordCount"]
        if job["status"] == "Completed":
            assert job["processedRecordCount"] == job["totalRecordCount"]


def test_generated_jobs_vary_optional_members() -> None:
    """Optional members are sometimes present and sometimes absent; Failed jobs explain."""
    jobs = generate_jobs(300, seed=5)
    optional = (
        "vpcConfig",
        "message",
        "clientRequestToken",
        "endTime",
        "totalRecordCount",
        "modelInvocationType",
        "timeoutDurationInHours",
        "lastModifiedTime",
    )
    for key in optional:
        assert 0 < sum(key in j for j in jobs) < len(jobs), key
    outputs = [j["outputDataConfig"]["s3OutputDataConfig"] for j in jobs]
    assert 0 < sum("s3EncryptionKeyId" in o for o in outputs) < len(jobs)
    assert all("message" in j for j in jobs if j["status"] == "Failed")
    assert all(any(c in j["jobName"] for j in jobs) for c in "-+.")
    assert {j["jobName"][:1].isupper() for j in jobs} == {True, False}


def test_generated_submit_times_span_months_with_ties() -> None:
    """Submit times cover months; an occasional exact tie exists."""
    times = [_ts(j["submitTime"]) for j in generate_jobs(300, seed=0)]
    assert max(times) - min(times) > timedelta(days=120)
    counts = Counter(times)
    assert 1 <= sum(1 for c in counts.values() if c > 1) < 30


def test_generate_jobs_rejects_bad_arguments() -> None:
    """Negative n or a malformed account is refused with a ParamValidationError."""
    with pytest.raises(ParamValidationError, match="non-negative"):
        generate_jobs(-1)
    with pytest.raises(ParamValidationError, match="12 digits"):
        generate_jobs(1, account="12345")


def test_generate_jobs_uses_region_partition() -> None:
    """ARNs use the region's partition and the given account."""
    job = generate_jobs(1, region="cn-north-1", account="000011112222")[0]
    assert job["jobArn"].startswith("arn:aws-cn:bedrock:cn-north-1:000011112222:")
    assert job["roleArn"].startswith("arn:aws-cn:iam::000011112222:role/")


# --- fixtures ---------------------------------------------------------------------------------


def _write_fixture(path: Path, interactions: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps(
            {"version": 1, "format": "bedrock-paginate-fixture", "interactions": interactions}
        )
    )
    return path


def _interaction(status: int, body: Any) -> dict[str, Any]:
    return {
        "request": {"method": "GET", "path": PATH, "query": [["maxResults", "2"]]},
        "response": {"status": status, "headers": {"x-amzn-requestid": "r"}, "body": body},
    }


def test_jobs_from_fixture_collects_distinct_jobs_in_first_seen_order(tmp_path: Path) -> None:
    """Jobs of 200 responses are collected once each, in first-seen order; errors skipped."""
    a, b, c = generate_jobs(3, seed=9)
    fixture = _write_fixture(
        tmp_path / "f.json",
        [
            _interaction(200, {"invocationJobSummaries": [b, a], "nextToken": "t"}),
            _interaction(429, {"message": "slow down"}),
            _interaction(200, {"invocationJobSummaries": [dict(a, status="Stopped"), c]}),
        ],
    )
    assert jobs_from_fixture(fixture) == [b, a, c]


def test_jobs_from_fixture_rejects_other_files(tmp_path: Path) -> None:
    """A file that is not a version-1 fixture raises DecodeError naming the file."""
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else", "version": 1, "interactions": []}')
    with pytest.raises(DecodeError, match=r"other\.json"):
        jobs_from_fixture(other)
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "bedrock-paginate-fixture", "version": 2, "interactions": []}')
    with pytest.raises(DecodeError, match="version 2"):
        jobs_from_fixture(newer)
    with pytest.raises(DecodeError, match="cannot read"):
        jobs_from_fixture(tmp_path / "missing.json")


def test_fixture_jobs_can_be_served(tmp_path: Path) -> None:
    """A fake built from a fixture lists the fixture's jobs."""
    jobs = generate_jobs(5, seed=2)
    fixture = _write_fixture(
        tmp_path / "f.json", [_interaction(200, {"invocationJobSummaries": jobs})]
    )
    fake = FakeBedrock(jobs=jobs_from_fixture(fixture))
    with _client(fake) as http:
        items, _ = _walk(http, maxResults=2)
    assert [j["jobArn"] for j in items] == _oracle(jobs)


# --- listing ----------------------------------------------------------------------------------


def test_first_page_shape_and_headers() -> None:
    """A 200 carries JSON summaries, a nextToken when more remain, and a request id."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        response = http.get(PATH, params={"maxResults": "5"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert re.fullmatch(r"[0-9a-f-]{36}", response.headers["x-amzn-requestid"])
    body = response.json()
    assert [j["jobArn"] for j in body["invocationJobSummaries"]] == _oracle(JOBS)[:5]
    assert isinstance(body["nextToken"], str)


def test_last_page_has_no_token() -> None:
    """The page that ends the listing has no nextToken key at all."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        body = http.get(PATH, params={"maxResults": "60"}).json()
    assert len(body["invocationJobSummaries"]) == 60
    assert "nextToken" not in body


def test_default_page_size_is_1000() -> None:
    """Without maxResults a page holds 1000 jobs."""
    jobs = generate_jobs(1001, seed=3)
    with _client(FakeBedrock(jobs=jobs)) as http:
        first = http.get(PATH).json()
        second = http.get(PATH, params={"nextToken": first["nextToken"]}).json()
    assert len(first["invocationJobSummaries"]) == 1000
    assert len(second["invocationJobSummaries"]) == 1
    assert "nextToken" not in second


def test_default_page_size_is_configurable() -> None:
    """default_page_size applies when maxResults is absent; out of range is refused."""
    with _client(FakeBedrock(jobs=JOBS, default_page_size=7)) as http:
        assert len(http.get(PATH).json()["invocationJobSummaries"]) == 7
    with pytest.raises(ParamValidationError, match=r"1\.\.1000"):
        FakeBedrock(default_page_size=0)


def test_status_filter_is_exact() -> None:
    """statusEquals lists exactly the jobs with that status."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        for status in ALL_STATUSES:
            items, _ = _walk(http, statusEquals=status, maxResults=4)
            assert [j["jobArn"] for j in items] == _oracle(JOBS, statusEquals=status)


def test_name_filter_is_case_sensitive_substring() -> None:
    """nameContains matches substrings, respecting case."""
    jobs = [
        dict(j, jobName=n)
        for j, n in zip(JOBS[:3], ["Nightly-Eval", "nightly-eval", "x.nightly+1"], strict=True)
    ]
    with _client(FakeBedrock(jobs=jobs)) as http:
        lower, _ = _walk(http, nameContains="nightly")
        upper, _ = _walk(http, nameContains="Nightly")
    assert {j["jobName"] for j in lower} == {"nightly-eval", "x.nightly+1"}
    assert {j["jobName"] for j in upper} == {"Nightly-Eval"}


def test_time_filters_are_after_inclusive_before_exclusive() -> None:
    """A job submitted exactly at submitTimeAfter is listed; exactly at submitTimeBefore is not."""
    ordered = sorted(JOBS, key=lambda j: (_ts(j["submitTime"]), j["jobArn"]))
    low, high = ordered[10], ordered[20]
    with _client(FakeBedrock(jobs=JOBS)) as http:
        items, _ = _walk(
            http, submitTimeAfter=low["submitTime"], submitTimeBefore=high["submitTime"]
        )
    arns = {j["jobArn"] for j in items}
    assert low["jobArn"] in arns
    assert high["jobArn"] not in arns
    expected = _oracle(
        JOBS, submitTimeAfter=_ts(low["submitTime"]), submitTimeBefore=_ts(high["submitTime"])
    )
    assert [j["jobArn"] for j in items] == expected


def test_time_filters_accept_offsets_and_fractions() -> None:
    """Timestamps with an offset or microseconds are understood as the same instants."""
    instant = _ts(JOBS[30]["submitTime"])
    shifted = instant.astimezone(timezone(timedelta(hours=-5))).isoformat()
    with _client(FakeBedrock(jobs=JOBS)) as http:
        a, _ = _walk(http, submitTimeAfter=shifted)
        b, _ = _walk(http, submitTimeAfter=instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    assert a == b
    assert [j["jobArn"] for j in a] == _oracle(JOBS, submitTimeAfter=instant)


def test_sort_order_and_stable_tiebreak() -> None:
    """Ascending is by (submitTime, jobArn); Descending, the default, is its exact reverse."""
    tie = JOBS[5]["submitTime"]
    jobs = [dict(j, submitTime=tie) for j in JOBS[:4]] + JOBS[4:20]
    with _client(FakeBedrock(jobs=jobs)) as http:
        asc, _ = _walk(http, sortOrder="Ascending", sortBy="CreationTime", maxResults=3)
        desc, _ = _walk(http, maxResults=3)
    assert [j["jobArn"] for j in asc] == _oracle(jobs, sortOrder="Ascending")
    assert desc == asc[::-1]


def test_empty_listing() -> None:
    """No jobs (or nothing matching) is one empty page without a token."""
    with _client(FakeBedrock(jobs=[])) as http:
        assert http.get(PATH).json() == {"invocationJobSummaries": []}


def test_empty_last_page_option() -> None:
    """With empty_last_page a full final page still has a token, whose page is empty."""
    with _client(FakeBedrock(jobs=JOBS[:6], empty_last_page=True)) as http:
        items, tokens = _walk(http, maxResults=3)
        last = http.get(PATH, params={"maxResults": "3", "nextToken": tokens[-1]}).json()
    assert len(items) == 6
    assert len(tokens) == 2
    assert last == {"invocationJobSummaries": []}


def test_jobs_must_have_unique_arns_and_times() -> None:
    """Repeated ARNs or unparseable submit times are refused; a failed add changes nothing."""
    with pytest.raises(ParamValidationError, match="unique"):
        FakeBedrock(jobs=[JOBS[0], dict(JOBS[0], jobName="other")])
    with pytest.raises(ParamValidationError, match="submitTime"):
        FakeBedrock(jobs=[dict(JOBS[0], submitTime="last week")])
    fake = FakeBedrock(jobs=JOBS[:3])
    with pytest.raises(ParamValidationError, match="unique"):
        fake.add_jobs([JOBS[3], JOBS[0]])
    assert fake.jobs == JOBS[:3]
    assert len(fake.expected()) == 3


def test_expected_helper_matches_listing() -> None:
    """fake.expected() returns what a full listing returns."""
    fake = FakeBedrock(jobs=JOBS)
    with _client(fake) as http:
        items, _ = _walk(http, statusEquals="Completed", sortOrder="Ascending", maxResults=5)
    assert fake.expected(statusEquals="Completed", sortOrder="Ascending") == items
    with pytest.raises(ParamValidationError, match="statusEquals"):
        fake.expected(statusEquals="Done")


# --- tokens -----------------------------------------------------------------------------------


def test_tokens_look_opaque_with_plus_slash_equals() -> None:
    """Every token is base64 containing '+', '/' and '='."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        _, tokens = _walk(http, maxResults=2)
    assert len(tokens) == 29
    for token in tokens:
        assert {"+", "/", "="} <= set(token)
        base64.b64decode(token, validate=True)
        assert "model-invocation-job" not in base64.b64decode(token).decode("latin-1")


def test_tokens_are_stable_across_fakes_and_runs() -> None:
    """The same position and filters give the same token, so recordings repeat."""
    with _client(FakeBedrock(jobs=JOBS)) as a, _client(FakeBedrock(jobs=JOBS, seed=5)) as b:
        assert _walk(a, maxResults=4)[1] == _walk(b, maxResults=4)[1]


def test_token_reuse_returns_the_same_page() -> None:
    """Fetching the page at a token again gives the same items (mid-page resume)."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        _, tokens = _walk(http, maxResults=5)
        first = http.get(PATH, params={"maxResults": "5", "nextToken": tokens[3]}).json()
        again = http.get(PATH, params={"maxResults": "5", "nextToken": tokens[3]}).json()
    assert first == again


def test_page_size_may_change_between_pages() -> None:
    """A token is not bound to maxResults: a smaller page continues at the same place."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        token = http.get(PATH, params={"maxResults": "10"}).json()["nextToken"]
        page = http.get(PATH, params={"maxResults": "3", "nextToken": token}).json()
    assert [j["jobArn"] for j in page["invocationJobSummaries"]] == _oracle(JOBS)[10:13]


def _tamper(token: str) -> str:
    raw = bytearray(base64.b64decode(token))
    raw[-3] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


BAD_TOKEN = (400, "ValidationException")


def test_tampered_token_is_rejected() -> None:
    """Changing any bit of a token gives 400 ValidationException."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        token = http.get(PATH, params={"maxResults": "5"}).json()["nextToken"]
        response = http.get(PATH, params={"maxResults": "5", "nextToken": _tamper(token)})
    assert _error(response)[:2] == BAD_TOKEN
    assert "nextToken" in _error(response)[2]


def test_token_with_other_filters_is_rejected() -> None:
    """A token used with other filters or another sort order gives 400."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        token = http.get(PATH, params={"maxResults": "5", "statusEquals": "Completed"}).json()[
            "nextToken"
        ]
        for changed in (
            {"statusEquals": "Failed"},
            {},
            {"statusEquals": "Completed", "sortOrder": "Ascending"},
            {"statusEquals": "Completed", "nameContains": "a"},
        ):
            response = http.get(PATH, params={**changed, "nextToken": token})
            assert _error(response)[:2] == BAD_TOKEN, changed
        same = http.get(
            PATH,
            params={
                "statusEquals": "Completed",
                "sortOrder": "Descending",
                "sortBy": "CreationTime",
                "nextToken": token,
            },
        )
    assert same.status_code == 200  # explicit defaults are the same filters


def test_foreign_and_garbage_tokens_are_rejected() -> None:
    """Tokens from a fake with another secret, or not base64 at all, give 400."""
    other = FakeBedrock(jobs=JOBS, token_secret=b"another key")
    with _client(other) as http:
        foreign = http.get(PATH, params={"maxResults": "5"}).json()["nextToken"]
    with _client(FakeBedrock(jobs=JOBS)) as http:
        for token in (foreign, "abc", "eyJub3QiOiAidGhpcyJ9", "+/+/" * 10, "=" * 8):
            assert _error(http.get(PATH, params={"nextToken": token}))[:2] == BAD_TOKEN, token


def test_unencoded_plus_in_token_is_read_as_space() -> None:
    """A client that forgets to percent-encode '+' sends spaces, which the service rejects."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        token = http.get(PATH, params={"maxResults": "5"}).json()["nextToken"]
        response = http.get(f"{PATH}?maxResults=5&nextToken={token}")
    status, code, message = _error(response)
    assert (status, code) == BAD_TOKEN
    assert r"Member must satisfy regular expression pattern: \S*" in message


def _key(job: dict[str, Any]) -> tuple[datetime, str]:
    return _ts(job["submitTime"]), job["jobArn"]


def test_tokens_survive_jobs_added_and_removed() -> None:
    """A token is a cursor: removing a listed job or adding an older one keeps the walk exact."""
    fake = FakeBedrock(jobs=JOBS[20:])
    with _client(fake) as http:
        first = http.get(PATH, params={"maxResults": "10"}).json()
        last = first["invocationJobSummaries"][-1]
        fake.remove_jobs({last["jobArn"]})
        fake.add_jobs(JOBS[:20])
        rest, _ = _walk(http, maxResults=10, nextToken=first["nextToken"])
    older = sorted((j for j in JOBS if _key(j) < _key(last)), key=_key, reverse=True)
    assert [j["jobArn"] for j in rest] == [j["jobArn"] for j in older]
    assert any(j in JOBS[:20] for j in older)


STATUS = st.sampled_from(ALL_STATUSES)
NAME_PART = st.sampled_from(["a", "e", "-0", "run", "2025", "Eval", "+", "."])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    seed=st.integers(0, 5),
    page=st.integers(1, 9),
    status=st.none() | STATUS,
    name=st.none() | st.sampled_from(["a", "e", "run", "Eval", "0", "l-0", "SUMMARIZE"]),
    order=st.sampled_from(["Ascending", "Descending", None]),
    window=st.none() | st.tuples(st.integers(0, 220), st.integers(0, 220)),
    refetch=st.integers(0, 10),
)
def test_walking_tokens_visits_each_filtered_job_once(
    n: int,
    seed: int,
    page: int,
    status: str | None,
    name: str | None,
    order: str | None,
    window: tuple[int, int] | None,
    refetch: int,
) -> None:
    """For any data, page size and filters, following nextTokens lists exactly the expected jobs."""
    jobs = generate_jobs(n, seed=seed)
    params: dict[str, Any] = {"maxResults": page}
    if status is not None:
        params["statusEquals"] = status
    if name is not None:
        params["nameContains"] = name
    if order is not None:
        params["sortOrder"] = order
    if window is not None:
        start = datetime(2024, 10, 1, tzinfo=timezone.utc)
        params["submitTimeAfter"] = start + timedelta(days=window[0])
        params["submitTimeBefore"] = start + timedelta(days=window[1])
    with _client(FakeBedrock(jobs=jobs)) as http:
        items, tokens = _walk(http, **params)
        if tokens:
            token = tokens[refetch % len(tokens)]
            again = http.get(PATH, params=_params(**params, nextToken=token)).json()
            index = tokens.index(token) + 1
            assert again["invocationJobSummaries"] == items[index * page : (index + 1) * page]
    expected = _oracle(jobs, **{k: v for k, v in params.items() if k != "maxResults"})
    assert [j["jobArn"] for j in items] == expected
    assert len(tokens) == max(0, -(-len(expected) // page) - 1)
    assert all({"+", "/", "="} <= set(t) for t in tokens)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"maxResults": "1001"},
            "1 validation error detected: Value '1001' at 'maxResults' failed "
            "to satisfy constraint: Member must have value less than or equal to 1000",
        ),
        (
            {"maxResults": "0"},
            "Value '0' at 'maxResults' failed to satisfy constraint: Member must "
            "have value greater than or equal to 1",
        ),
        (
            {"maxResults": "ten"},
            "Value 'ten' at 'maxResults' failed to satisfy constraint: Member must be an integer",
        ),
        (
            {"statusEquals": "completed"},
            "Value 'completed' at 'statusEquals' failed to satisfy "
            "constraint: Member must satisfy enum value set: [Submitted, InProgress, Completed, "
            "Failed, Stopping, Stopped, PartiallyCompleted, Expired, Validating, Scheduled]",
        ),
        ({"sortBy": "Name"}, "Member must satisfy enum value set: [CreationTime]"),
        ({"sortOrder": "ascending"}, "Member must satisfy enum value set: [Ascending, Descending]"),
        (
            {"nameContains": "x" * 64},
            "Value '" + "x" * 64 + "' at 'nameContains' failed to satisfy "
            "constraint: Member must have length less than or equal to 63",
        ),
        ({"nameContains": ""}, "Member must have length greater than or equal to 1"),
        (
            {"nameContains": "-run"},
            "at 'nameContains' failed to satisfy constraint: Member must "
            r"satisfy regular expression pattern: [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}",
        ),
        ({"nameContains": "a" + "-" * 40 + "_"}, "regular expression pattern"),
        (
            {"submitTimeAfter": "yesterday"},
            "Value 'yesterday' at 'submitTimeAfter' failed to "
            "satisfy constraint: Member must be a timestamp in ISO 8601 date-time format",
        ),
        ({"submitTimeBefore": "2025-02-30T00:00:00Z"}, "at 'submitTimeBefore'"),
        ({"submitTimeBefore": "2025-02-03T00:00:00"}, "at 'submitTimeBefore'"),
        ({"nextToken": "x" * 2049}, "Member must have length less than or equal to 2048"),
    ],
)
def test_validation_errors_use_aws_wording(params: dict[str, str], message: str) -> None:
    """Bad parameters give 400 ValidationException with Coral's message."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        status, code, text = _error(http.get(PATH, params=params))
    assert (status, code) == (400, "ValidationException")
    assert message in text
    assert text.startswith("1 validation error detected: ")


def test_several_validation_errors_are_counted() -> None:
    """Every violation is reported, joined by '; ', with the count in front."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        _, _, text = _error(http.get(PATH, params={"maxResults": "0", "sortOrder": "Up"}))
    assert text.startswith("2 validation errors detected: Value '0' at 'maxResults'")
    assert "; Value 'Up' at 'sortOrder'" in text


def test_repeated_parameter_is_rejected_and_unknown_ignored() -> None:
    """A parameter given twice is a 400; an unknown parameter is ignored."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        twice = http.get(f"{PATH}?maxResults=1&maxResults=2")
        unknown = http.get(PATH, params={"maxResults": "1", "colour": "blue"})
    assert _error(twice)[:2] == (400, "ValidationException")
    assert "at 'maxResults'" in _error(twice)[2]
    assert unknown.status_code == 200


def test_unknown_route_is_404() -> None:
    """Another path or method is an UnknownOperationException."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        assert _error(http.get("/model-invocation-job"))[:2] == (404, "UnknownOperationException")
        assert _error(http.post(PATH))[:2] == (404, "UnknownOperationException")


@pytest.mark.parametrize(
    ("style", "suffixes"),
    [("alternate", [True, False, True]), ("plain", [False] * 3), ("suffixed", [True] * 3)],
)
def test_error_type_header_styles(style: Any, suffixes: list[bool]) -> None:
    """x-amzn-ErrorType is plain or carries Coral's namespace, as configured."""
    with _client(FakeBedrock(jobs=JOBS, error_type_style=style)) as http:
        seen = [
            http.get(PATH, params={"maxResults": "0"}).headers["x-amzn-errortype"] for _ in range(3)
        ]
    assert seen == ["ValidationException" + (ERROR_SUFFIX if s else "") for s in suffixes]


def test_requests_are_recorded_with_secrets_redacted() -> None:
    """fake.requests lists each request's query, status and fault; Authorization is masked."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(Fault.throttle(), at=1)
    with _client(fake) as http:
        http.get(PATH, params={"maxResults": "2"}, headers={"Authorization": "Bearer FAKE-canary"})
        http.get(PATH, params={"maxResults": "3"})
    first, second = fake.requests
    assert (first.index, first.param("maxResults"), first.status, first.fault) == (
        0,
        "2",
        200,
        None,
    )
    assert (second.index, second.status, second.fault) == (1, 429, "throttle")
    assert first.header("authorization") == "[redacted]"
    assert "FAKE-canary" not in repr(fake.requests)
    assert fake.request_count == 2


def test_fake_repr_hides_secrets() -> None:
    """The fake's repr shows no credentials, bearer tokens or token key."""
    fake = FakeBedrock(
        credentials={ACCESS_KEY: SECRET_KEY},
        bearer_tokens={"FAKE-bearer"},
        token_secret=b"FAKE-key",
    )
    text = repr(fake)
    assert SECRET_KEY not in text
    assert "FAKE-bearer" not in text
    assert "FAKE-key" not in text


# --- authentication ---------------------------------------------------------------------------


def _signed_fake(**kwargs: Any) -> FakeBedrock:
    return FakeBedrock(
        jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY}, now=lambda: NOW, **kwargs
    )


def _signed_get(
    fake: FakeBedrock,
    params: dict[str, str],
    *,
    secret: str = SECRET_KEY,
    when: datetime = NOW,
    region: str = "us-east-1",
    service: str = "bedrock",
) -> httpx.Response:
    with _client(fake) as http:
        request = http.build_request("GET", PATH, params=params)
        request.headers.update(
            sign_request(
                "GET",
                str(request.url),
                request.headers,
                b"",
                region=region,
                service=service,
                access_key=ACCESS_KEY,
                secret_key=secret,
                now=when,
            )
        )
        return http.send(request)


def test_sigv4_accepts_a_correctly_signed_request() -> None:
    """A request signed by the project's signer with the right secret is answered."""
    response = _signed_get(_signed_fake(), {"maxResults": "3", "nameContains": "a.b+c"})
    assert response.status_code == 200


def test_sigv4_accepts_tokens_with_plus_slash_equals() -> None:
    """Signing and verifying agree on a query holding '+', '/' and '='."""
    fake = _signed_fake()
    first = _signed_get(fake, {"maxResults": "3"}).json()
    second = _signed_get(fake, {"maxResults": "3", "nextToken": first["nextToken"]})
    assert second.status_code == 200


def test_sigv4_cross_check_with_requests_aws4auth() -> None:
    """A request signed independently by requests-aws4auth is accepted."""
    auth = AWS4Auth(ACCESS_KEY, SECRET_KEY, "us-east-1", "bedrock")
    prepared = requests.Request(
        "GET",
        BASE + PATH,
        params={"maxResults": "2", "nameContains": "a.b"},
        headers={"x-amz-date": "20250304T050500Z"},
    ).prepare()
    auth(prepared)
    fake = _signed_fake()
    headers = {name: str(value) for name, value in prepared.headers.items()}
    with _client(fake) as http:
        response = http.get(str(prepared.url), headers=headers)
        tampered = http.get(
            str(prepared.url).replace("maxResults=2", "maxResults=3"), headers=headers
        )
    assert response.status_code == 200, response.text
    assert _error(tampered)[:2] == (403, "InvalidSignatureException")


def test_sigv4_rejects_a_wrong_secret() -> None:
    """A signature made with another secret is a 403 InvalidSignatureException."""
    status, code, message = _error(_signed_get(_signed_fake(), {}, secret="FAKEwrongsecret"))
    assert (status, code) == (403, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match")


def test_sigv4_rejects_a_stale_date_in_aws_words() -> None:
    """A signature more than five minutes old is 'Signature expired' with AWS's wording."""
    status, code, message = _error(_signed_get(_signed_fake(), {}, when=NOW - timedelta(minutes=6)))
    assert (status, code) == (403, "InvalidSignatureException")
    assert message == (
        "Signature expired: 20250304T050007Z is now earlier than 20250304T050107Z "
        "(20250304T050607Z - 5 min.)"
    )


def test_sigv4_rejects_a_future_date() -> None:
    """A signature more than five minutes ahead is 'Signature not yet current'."""
    _, code, message = _error(_signed_get(_signed_fake(), {}, when=NOW + timedelta(minutes=6)))
    assert code == "InvalidSignatureException"
    assert message.startswith("Signature not yet current: 20250304T051207Z is still later than")


def test_sigv4_allows_four_minutes_of_skew() -> None:
    """Within five minutes of the fake's clock the signature is accepted."""
    assert _signed_get(_signed_fake(), {}, when=NOW - timedelta(minutes=4)).status_code == 200


def test_sigv4_rejects_wrong_scope() -> None:
    """A scope naming another region or service is refused like AWS does."""
    assert "valid region" in _error(_signed_get(_signed_fake(), {}, region="us-west-2"))[2]
    assert "correct service: 'bedrock'" in _error(_signed_get(_signed_fake(), {}, service="s3"))[2]


def test_sigv4_rejects_missing_and_incomplete_authorization() -> None:
    """No Authorization is MissingAuthenticationToken; a partial one is IncompleteSignature."""
    fake = _signed_fake()
    with _client(fake) as http:
        missing = http.get(PATH)
        partial = http.get(
            PATH,
            headers={
                "Authorization": "AWS4-HMAC-SHA256 "
                "Credential=AKIDEXAMPLE/20250304/us-east-1/bedrock/aws4_request"
            },
        )
    assert _error(missing) == (
        403,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
    assert _error(partial)[:2] == (403, "IncompleteSignatureException")


def test_sigv4_rejects_unknown_access_key() -> None:
    """An access key the fake does not know is an UnrecognizedClientException."""
    fake = FakeBedrock(
        jobs=JOBS, check_sigv4=True, credentials={"AKIDOTHER": SECRET_KEY}, now=lambda: NOW
    )
    assert _error(_signed_get(fake, {}))[:2] == (403, "UnrecognizedClientException")


def test_bearer_tokens() -> None:
    """A configured bearer token is accepted; another one or none is refused."""
    fake = FakeBedrock(jobs=JOBS, bearer_tokens={"FAKE-bedrock-api-key"})
    with _client(fake) as http:
        good = http.get(PATH, headers={"Authorization": "Bearer FAKE-bedrock-api-key"})
        bad = http.get(PATH, headers={"Authorization": "Bearer FAKE-other"})
        none = http.get(PATH)
    assert good.status_code == 200
    assert _error(bad)[:2] == (403, "UnrecognizedClientException")
    assert _error(none)[:2] == (403, "MissingAuthenticationTokenException")
    assert "FAKE-other" not in bad.text


def test_no_auth_configured_accepts_anything() -> None:
    """Without check_sigv4 or bearer tokens, unsigned requests are served."""
    with _client(FakeBedrock(jobs=JOBS)) as http:
        assert http.get(PATH).status_code == 200


# --- faults -----------------------------------------------------------------------------------


def _get(fake: FakeBedrock, **kwargs: Any) -> httpx.Response:
    with _client(fake, **kwargs) as http:
        return http.get(PATH, params={"maxResults": "3"})


def test_throttle_fault_with_retry_after() -> None:
    """Fault.throttle gives 429 ThrottlingException, with x-amz-retry-after when asked."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(Fault.throttle(retry_after_ms=1500))
    fake.inject(Fault.throttle())
    first, second, third = _get(fake), _get(fake), _get(fake)
    assert _error(first)[:2] == (429, "ThrottlingException")
    assert first.headers["x-amz-retry-after"] == "1500"
    assert "x-amz-retry-after" not in second.headers
    assert second.status_code == 429
    assert third.status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_fault_is_an_html_page(status: int) -> None:
    """Fault.status gives that status with a load balancer's HTML page and no request id."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(Fault.status(status))
    response = _get(fake)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html"
    assert f"<title>{status} " in response.text
    assert "x-amzn-requestid" not in response.headers


def test_json_error_faults() -> None:
    """internal_error, access_denied and expired_token are rest-json errors."""
    fake = FakeBedrock(jobs=JOBS, error_type_style="plain")
    for fault in (
        Fault.internal_error(),
        Fault.access_denied(),
        Fault.expired_token(),
        Fault.expired_token(http_status=400),
        Fault.error("ServiceUnavailableException", 503, "busy"),
    ):
        fake.inject(fault)
    got = [_error(_get(fake))[:2] for _ in range(5)]
    assert got == [
        (500, "InternalServerException"),
        (403, "AccessDeniedException"),
        (403, "ExpiredTokenException"),
        (400, "ExpiredTokenException"),
        (503, "ServiceUnavailableException"),
    ]


def test_expired_token_message() -> None:
    """ExpiredTokenException carries AWS's sentence."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(Fault.expired_token())
    assert _error(_get(fake))[2] == "The security token included in the request is expired"


def test_clock_skew_fault_uses_request_date() -> None:
    """Fault.clock_skew answers 'Signature expired' relative to the request's X-Amz-Date."""
    fake = _signed_fake()
    fake.inject(Fault.clock_skew(skew_seconds=900))
    status, code, message = _error(_signed_get(fake, {}))
    assert (status, code) == (403, "InvalidSignatureException")
    assert message == (
        "Signature expired: 20250304T050607Z is now earlier than 20250304T051607Z "
        "(20250304T052107Z - 5 min.)"
    )


def test_body_faults_give_undecodable_200s() -> None:
    """html, not_json and wrong_types answer 200 with bodies a client must reject."""
    fake = FakeBedrock(jobs=JOBS)
    for fault in (Fault.html(), Fault.not_json(), Fault.wrong_types()):
        fake.inject(fault)
    html, broken, wrong = _get(fake), _get(fake), _get(fake)
    assert (html.status_code, html.headers["content-type"].split(";")[0]) == (200, "text/html")
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    body = wrong.json()
    assert wrong.status_code == 200
    assert isinstance(body["nextToken"], int)
    assert isinstance(body["invocationJobSummaries"][0]["jobArn"], int)


def test_cycle_fault_repeats_the_request_token() -> None:
    """On a later page, Fault.cycle sends back the token the request carried."""
    fake = FakeBedrock(jobs=JOBS)
    with _client(fake) as http:
        token = http.get(PATH, params={"maxResults": "3"}).json()["nextToken"]
        fake.inject(Fault.cycle())
        body = http.get(PATH, params={"maxResults": "3", "nextToken": token}).json()
    assert body["nextToken"] == token
    assert [j["jobArn"] for j in body["invocationJobSummaries"]] == _oracle(JOBS)[3:6]


def test_cycle_fault_on_first_page_points_back_to_start() -> None:
    """On a first page, Fault.cycle returns a token whose page is the first page again."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(Fault.cycle())
    with _client(fake) as http:
        first = http.get(PATH, params={"maxResults": "3"}).json()
        again = http.get(PATH, params={"maxResults": "3", "nextToken": first["nextToken"]}).json()
    assert again["invocationJobSummaries"] == first["invocationJobSummaries"]
    assert again["nextToken"] != first["nextToken"]


def test_fault_scheduling_times_at_when() -> None:
    """times, at and when pick the requests; the first matching entry wins."""
    fake = FakeBedrock(jobs=JOBS, faults=[Fault.status(502)])
    fake.inject(Fault.throttle(), times=2)
    fake.inject(Fault.internal_error(), at=5)
    fake.inject(Fault.access_denied(), when=lambda r: r.param("maxResults") == "9", times=None)
    assert fake.pending_faults == 5
    with _client(fake) as http:
        statuses = [
            http.get(PATH, params={"maxResults": str(m)}).status_code
            for m in (3, 3, 3, 9, 3, 3, 9, 3)
        ]
    assert statuses == [502, 429, 429, 403, 200, 500, 403, 200]
    fake.clear_faults()
    assert fake.pending_faults == 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Fault.status(200),
        lambda: Fault.error("X", 302, "redirect"),
        lambda: Fault.slow(0),
        lambda: Fault.cut_body(-1),
        lambda: Fault.clock_skew(skew_seconds=60),
        lambda: Fault.slow_body(1, chunk_size=0),
    ],
)
def test_fault_constructors_reject_nonsense(make: Callable[[], Fault]) -> None:
    """Impossible fault parameters raise ParamValidationError."""
    with pytest.raises(ParamValidationError):
        make()


def test_inject_rejects_nonsense() -> None:
    """times < 1 and negative indexes are refused."""
    with pytest.raises(ParamValidationError, match="times"):
        FakeBedrock().inject(Fault.throttle(), times=0)
    with pytest.raises(ParamValidationError, match="at"):
        FakeBedrock().inject(Fault.throttle(), at=-1)


# --- socket faults in-process -----------------------------------------------------------------

SOCKET_FAULTS = [
    (Fault.drop(), httpx.RemoteProtocolError, "Server disconnected without sending a response."),
    (Fault.drop(reset=True), httpx.ReadError, "Connection reset by peer"),
    (Fault.slow(5.0), httpx.ReadTimeout, "timed out"),
    (Fault.slow_body(5.0, chunk_size=64), httpx.ReadTimeout, "timed out"),
    (Fault.cut_body(100), httpx.RemoteProtocolError, "received 100 bytes"),
]


@pytest.mark.parametrize(("fault", "error", "text"), SOCKET_FAULTS)
def test_transport_maps_socket_faults_to_httpx_errors(
    fault: Fault, error: type[Exception], text: str
) -> None:
    """Socket faults raise the httpx exception a real socket would, then the fake recovers."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(fault)
    with _client(fake, timeout=httpx.Timeout(5.0, read=1.0)) as http:
        with pytest.raises(error, match=text):
            http.get(PATH, params={"maxResults": "3"})
        assert http.get(PATH, params={"maxResults": "3"}).status_code == 200


@pytest.mark.parametrize("fault", [Fault.slow(0.5), Fault.slow_body(0.5)])
def test_transport_slow_faults_under_timeout_succeed(fault: Fault) -> None:
    """A delay under the read timeout (or with none) does not fail, and never sleeps."""
    for timeout in (httpx.Timeout(5.0), httpx.Timeout(None)):
        fake = FakeBedrock(jobs=JOBS)
        fake.inject(fault)
        assert _get(fake, timeout=timeout).json()["invocationJobSummaries"]


def test_async_client_walks_pages_and_sees_faults() -> None:
    """The same transport serves httpx.AsyncClient, faults included."""
    fake = FakeBedrock(jobs=JOBS)

    async def main() -> tuple[list[str], type[Exception] | None]:
        arns: list[str] = []
        caught: type[Exception] | None = None
        async with httpx.AsyncClient(transport=fake.transport(), base_url=BASE) as http:
            params = {"maxResults": "25"}
            while True:
                body = (await http.get(PATH, params=params)).json()
                arns += [j["jobArn"] for j in body["invocationJobSummaries"]]
                if "nextToken" not in body:
                    break
                params["nextToken"] = body["nextToken"]
            fake.inject(Fault.cut_body(10))
            try:
                await http.get(PATH)
            except httpx.RemoteProtocolError as exc:
                caught = type(exc)
        return arns, caught

    arns, caught = asyncio.run(main())
    assert arns == _oracle(JOBS)
    assert caught is httpx.RemoteProtocolError


def test_handle_is_usable_without_httpx() -> None:
    """fake.handle answers a plain request description with a FakeResponse."""
    fake = FakeBedrock(jobs=JOBS)
    response = fake.handle("GET", PATH, [("maxResults", "2")], {"host": "bedrock.test"})
    assert response.status == 200
    assert len(response.json()["invocationJobSummaries"]) == 2
    assert response.header("X-AMZN-REQUESTID") is not None


def test_request_ids_repeat_for_the_same_seed() -> None:
    """Two fakes with the same seed give the same sequence of request ids."""

    def ids(seed: int) -> list[str | None]:
        fake = FakeBedrock(seed=seed)
        return [fake.handle("GET", PATH, [], {}).header("x-amzn-requestid") for _ in range(3)]

    assert ids(1) == ids(1) != ids(2)
