"""Job data for the fake service: a deterministic generator and a reader for recorded fixtures.

``generate_jobs`` makes ``ModelInvocationJobSummary`` dicts exactly as they appear on the wire
(camelCase keys, timestamps as ``2025-03-04T05:06:07.123Z`` strings). The same ``n`` and ``seed``
always give the same list, so fixtures recorded against the fake are reproducible.

``jobs_from_fixture`` collects the jobs a recorded fixture file saw, so a recording of the real
service can be served again with all the fake's filters, tokens and faults.

Imports only the standard library and the library's ``errors``.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import DecodeError, ParamValidationError
from ..models import JOB_STATUSES
from ._time import MICROS_PER_SECOND, format_timestamp, parse_timestamp

__all__ = ["ALL_STATUSES", "FIXTURE_FORMAT", "generate_jobs", "jobs_from_fixture"]

#: Every ``ModelInvocationJobStatus`` of the service model, in model order.
ALL_STATUSES: tuple[str, ...] = JOB_STATUSES
#: The ``format`` field of a fixture file written by the record/replay module.
FIXTURE_FORMAT = "bedrock-paginate-fixture"

_TERMINAL = frozenset({"Completed", "Failed", "Stopped", "PartiallyCompleted", "Expired"})
_HOUR = 3600 * MICROS_PER_SECOND
# 2024-10-01T00:00:00Z; jobs spread over the following ~200 days.
_BASE = 1_727_740_800 * MICROS_PER_SECOND
_SPAN = 200 * 24 * _HOUR
_TIE_CHANCE = 0.04

_MODELS = (
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "us.anthropic.claude-3-5-haiku-20241022-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "amazon.nova-lite-v1:0",
    "amazon.titan-embed-text-v2:0",
    "mistral.mistral-large-2407-v1:0",
)
_WORDS = ("batch", "eval", "nightly", "Summarize", "classify", "embed", "RAG", "translate")
_FAILURES = (
    "Amazon Bedrock could not read the input data. Check that the service role can access "
    "the S3 bucket.",
    "The input file contains 12 records that are not valid JSON.",
    "Batch inference job requires at least 100 records; the input has 42.",
    "Internal error while processing records. Retry the job.",
)
_ALNUM_LOWER = string.ascii_lowercase + string.digits


def _partition(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _statuses(n: int, rng: random.Random) -> list[str]:
    """``n`` statuses: each one at least once when ``n >= 10``, then a realistic mix."""
    weights = (3, 8, 40, 10, 2, 6, 6, 4, 3, 3)
    chosen = list(ALL_STATUSES[: min(n, len(ALL_STATUSES))])
    chosen += rng.choices(ALL_STATUSES, weights=weights, k=max(0, n - len(chosen)))
    rng.shuffle(chosen)
    return chosen


def _submit_times(n: int, rng: random.Random) -> list[int]:
    """Non-decreasing submit times spread over months, with an occasional exact tie."""
    times: list[int] = []
    for i in range(n):
        if times and rng.random() < _TIE_CHANCE:
            times.append(times[-1])
            continue
        slot = _SPAN * i // max(n, 1)
        jitter = rng.randrange(max(1, _SPAN // max(n, 1)))
        # Millisecond precision, as the service renders it.
        times.append((_BASE + slot + jitter) // 1000 * 1000)
    return times


def _job_name(i: int, rng: random.Random) -> str:
    """A valid job name (``[a-zA-Z0-9]+[a-zA-Z0-9+.-]*``, at most 63 characters)."""
    word = rng.choice(_WORDS)
    templates: tuple[Callable[[], str], ...] = (
        lambda: f"{word}-{i:05d}",
        lambda: f"{word}.2025-{rng.randint(1, 12):02d}.run{i}",
        lambda: f"{word}+{rng.choice(_WORDS).lower()}-{i}",
        lambda: f"{word.upper()}{i}--retry.{rng.randint(1, 3)}",
        lambda: f"job{i}-{word}-v{rng.randint(1, 9)}.{rng.randint(0, 9)}",
    )
    return rng.choice(templates)()


def _unique_id(rng: random.Random, seen: set[str]) -> str:
    """A fresh 12-character lowercase alphanumeric job id."""
    while True:
        candidate = "".join(rng.choices(_ALNUM_LOWER, k=12))
        if candidate not in seen:
            seen.add(candidate)
            return candidate


def _hex(rng: random.Random, k: int) -> str:
    return "".join(rng.choices("0123456789abcdef", k=k))


def _data_configs(rng: random.Random, name: str, account: str, arn_prefix: str) -> dict[str, Any]:
    """``inputDataConfig``/``outputDataConfig`` with optional members present or absent."""
    bucket = rng.choice(("batch-inputs-123", "ml-data.example", "bedrock-batch"))
    s3_in: dict[str, Any] = {"s3Uri": f"s3://{bucket}/in/{name}/records.jsonl"}
    if rng.random() < 0.8:
        s3_in["s3InputFormat"] = "JSONL"
    if rng.random() < 0.5:
        s3_in["s3BucketOwner"] = account
    s3_out: dict[str, Any] = {"s3Uri": f"s3://{bucket}/out/{name}/"}
    if rng.random() < 0.3:
        s3_out["s3EncryptionKeyId"] = rng.choice(
            (
                f"{arn_prefix.replace(':bedrock:', ':kms:')}:key/{_uuid(rng)}",
                "alias/bedrock-batch",
            )
        )
    if rng.random() < 0.5:
        s3_out["s3BucketOwner"] = account
    return {
        "inputDataConfig": {"s3InputDataConfig": s3_in},
        "outputDataConfig": {"s3OutputDataConfig": s3_out},
    }


def _uuid(rng: random.Random) -> str:
    h = _hex(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _record_counts(status: str, rng: random.Random) -> dict[str, int]:
    """Consistent counts: success + error == processed <= total; none before validation."""
    if status in ("Submitted", "Validating") or rng.random() < 0.15:
        return {}  # not known yet, or a job older than these fields
    total = rng.randint(100, 50_000)
    if status in ("Completed", "PartiallyCompleted"):
        processed = total if status == "Completed" else rng.randint(1, total - 1)
    elif status in ("Scheduled", "Expired"):
        processed = 0
    else:
        processed = rng.randint(0, total)
    error = 0 if processed == 0 else rng.randint(0, processed // (2 if status == "Failed" else 20))
    if status == "PartiallyCompleted":
        error = max(error, 1)
    return {
        "totalRecordCount": total,
        "processedRecordCount": processed,
        "successRecordCount": processed - error,
        "errorRecordCount": error,
    }


def _message(status: str, rng: random.Random) -> str | None:
    """Failed jobs always explain why; some stopped or expired jobs do too."""
    if status == "Failed":
        return rng.choice(_FAILURES)
    if status == "Stopped" and rng.random() < 0.5:
        return "Job stopped by user request."
    if status == "Expired" and rng.random() < 0.5:
        return "Job expired: it was not started before its timeout."
    return None


def _times(status: str, submit: int, rng: random.Random) -> dict[str, Any]:
    """``lastModifiedTime``/``endTime``/timeout and expiry, consistent with the status."""
    out: dict[str, Any] = {}
    timeout_hours = rng.randint(24, 168) if rng.random() < 0.7 else None
    end = submit + rng.randint(1, 47) * _HOUR + rng.randrange(_HOUR) // 1000 * 1000
    if status in _TERMINAL:
        out["endTime"] = format_timestamp(end)
    if rng.random() < 0.95:
        modified = end if status in _TERMINAL else submit + rng.randrange(_HOUR) // 1000 * 1000
        out["lastModifiedTime"] = format_timestamp(modified)
    if timeout_hours is not None:
        out["timeoutDurationInHours"] = timeout_hours
        if status not in ("Submitted", "Validating"):
            out["jobExpirationTime"] = format_timestamp(submit + timeout_hours * _HOUR)
    return out


def _job(i: int, status: str, submit: int, ctx: _Context) -> dict[str, Any]:
    """One ``ModelInvocationJobSummary`` dict."""
    rng = ctx.rng
    name = _job_name(i, rng)
    model = rng.choice(_MODELS)
    if rng.random() < 0.1:
        model = f"{ctx.arn_prefix}:inference-profile/{model}"
    job: dict[str, Any] = {
        "jobArn": f"{ctx.arn_prefix}:model-invocation-job/{_unique_id(rng, ctx.seen_ids)}",
        "jobName": name,
        "modelId": model,
        "roleArn": f"arn:{ctx.partition}:iam::{ctx.account}:role/service-role/BedrockBatch-{i % 3}",
        "status": status,
        "submitTime": format_timestamp(submit),
    }
    if rng.random() < 0.7:
        job["clientRequestToken"] = _hex(rng, 8) + "-" + _hex(rng, 12)
    message = _message(status, rng)
    if message is not None:
        job["message"] = message
    job.update(_data_configs(rng, name, ctx.account, ctx.arn_prefix))
    if rng.random() < 0.25:
        job["vpcConfig"] = {
            "subnetIds": [f"subnet-{_hex(rng, 17)}" for _ in range(rng.randint(1, 3))],
            "securityGroupIds": [f"sg-{_hex(rng, 17)}" for _ in range(rng.randint(1, 2))],
        }
    job.update(_times(status, submit, rng))
    if rng.random() < 0.8:
        job["modelInvocationType"] = rng.choice(("InvokeModel", "InvokeModel", "Converse"))
    job.update(_record_counts(status, rng))
    return job


class _Context:
    """What every generated job of one call shares."""

    def __init__(self, rng: random.Random, region: str, account: str) -> None:
        self.rng = rng
        self.account = account
        self.partition = _partition(region)
        self.arn_prefix = f"arn:{self.partition}:bedrock:{region}:{account}"
        self.seen_ids: set[str] = set()


def _check_args(n: int, region: str, account: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ParamValidationError(f"n must be a non-negative int, got {n!r}", param="n")
    if not account.isdigit() or len(account) != 12:
        raise ParamValidationError(f"account must be 12 digits, got {account!r}", param="account")
    if not region or not all(c in _ALNUM_LOWER + "-" for c in region) or len(region) > 20:
        raise ParamValidationError(
            f"region must match [a-z0-9-]{{1,20}}, got {region!r}", param="region"
        )


def generate_jobs(
    n: int, *, seed: int = 0, region: str = "us-east-1", account: str = "123456789012"
) -> list[dict[str, Any]]:
    """``n`` realistic, deterministic job summaries as wire dicts, in submission order.

    When ``n >= 10`` every status appears. Optional members are present or absent in varied
    combinations; ``Failed`` jobs carry a ``message``; record counts are consistent
    (``successRecordCount + errorRecordCount == processedRecordCount <= totalRecordCount``);
    names use ``-``, ``+`` and ``.``; submit times are spread over about 200 days from
    2024-10-01 with an occasional exact tie (the fake breaks ties by ``jobArn``).

    Raises:
        ParamValidationError: ``n`` is negative, or ``region``/``account`` are malformed.
    """
    _check_args(n, region, account)
    ctx = _Context(random.Random(seed), region, account)
    statuses = _statuses(n, ctx.rng)
    submits = _submit_times(n, ctx.rng)
    return [_job(i, statuses[i], submits[i], ctx) for i in range(n)]


# --- fixtures ------------------------------------------------------------------------------


def _load_fixture(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DecodeError(f"cannot read fixture {str(path)!r}: {exc}") from exc
    except RecursionError:
        raise DecodeError(f"fixture {str(path)!r} is nested too deeply to be a fixture") from None
    if not isinstance(data, dict) or data.get("format") != FIXTURE_FORMAT:
        raise DecodeError(
            f"fixture {str(path)!r} is not a {FIXTURE_FORMAT} file (expected a JSON object "
            f'with "format": "{FIXTURE_FORMAT}")',
            path="format",
        )
    if data.get("version") != 1:
        raise DecodeError(
            f"fixture {str(path)!r} has version {data.get('version')!r}; only version 1 is "
            "supported",
            path="version",
        )
    if not isinstance(data.get("interactions"), list):
        raise DecodeError(f"fixture {str(path)!r} has no interactions list", path="interactions")
    return data


def _page_items(interactions: Iterable[Any]) -> Iterable[Any]:
    """Every job summary in the 200 responses, in order."""
    for interaction in interactions:
        response = interaction.get("response") if isinstance(interaction, dict) else None
        if not isinstance(response, dict) or response.get("status") != 200:
            continue
        body = response.get("body")
        if isinstance(body, dict) and isinstance(body.get("invocationJobSummaries"), list):
            yield from body["invocationJobSummaries"]


def jobs_from_fixture(path: str | Path) -> list[dict[str, Any]]:
    """The distinct jobs (by ``jobArn``) in a fixture file's 200 responses, in first-seen order.

    Non-200 responses and bodies that are not a page are skipped.

    Raises:
        DecodeError: the file cannot be read, is not a version-1 fixture, or holds a job
            without a string ``jobArn`` or a parseable ``submitTime``.
    """
    where = Path(path)
    data = _load_fixture(where)
    jobs: dict[str, dict[str, Any]] = {}
    for item in _page_items(data["interactions"]):
        arn = item.get("jobArn") if isinstance(item, dict) else None
        if not isinstance(arn, str):
            raise DecodeError(
                f"fixture {str(where)!r} has a job summary without a string jobArn",
                path="invocationJobSummaries[].jobArn",
            )
        _check_submit_time(item, where)
        jobs.setdefault(arn, item)
    return list(jobs.values())


def _check_submit_time(item: dict[str, Any], where: Path) -> None:
    value = item.get("submitTime")
    try:
        parse_timestamp(value if isinstance(value, str) else "")
    except ValueError as exc:
        raise DecodeError(
            f"fixture {str(where)!r}: job {item['jobArn']!r} has submitTime {value!r}, "
            "expected an ISO 8601 string such as 2025-03-04T05:06:07.123Z",
            path="invocationJobSummaries[].submitTime",
        ) from exc
