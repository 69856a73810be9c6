"""Check that Get/Stop/CreateModelInvocationJob give exactly boto3's results on the same fake.

``python benchmarks/compare_job_operations.py BOTO3_PYTHON``: starts the fake Bedrock on
loopback with SigV4 checking on, calls the three operations with this library and, in a
separate interpreter that has boto3 (``BOTO3_PYTHON``, e.g. ``benchmarks/.venv/bin/python``
after ``bash benchmarks/run.sh``), with boto3; then compares the response dicts (without
``ResponseMetadata``'s request-specific values). Identifiers include a job ARN (so botocore's
own signature of an encoded ``:``/``/`` path is checked by the fake too), a job id and a name.
Exits 0 when every result is equal, 1 otherwise. boto3 is never a dependency of the library.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bedrock_paginate import Client  # noqa: E402
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, generate_jobs  # noqa: E402

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREATE = {
    "jobName": "compare-1",
    "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
    "clientRequestToken": "compare-token-1",
    "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
    "inputDataConfig": {
        "s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/", "s3InputFormat": "JSONL"}
    },
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}},
    "vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "timeoutDurationInHours": 48,
    "tags": [{"key": "team", "value": "ml"}],
    "modelInvocationType": "Converse",
}

BOTO3_SCRIPT = r"""
import json, sys
from datetime import datetime
import boto3
endpoint, calls = sys.argv[1], json.loads(sys.argv[2])
client = boto3.client("bedrock", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="AKIDEXAMPLE",
                      aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
def plain(value):
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
out = []
for name, params in calls:
    try:
        response = getattr(client, name)(**params)
        response.pop("ResponseMetadata")
        out.append(plain(response))
    except client.exceptions.ClientError as exc:
        out.append({"error": exc.response["Error"]["Code"]})
print(json.dumps(out))
"""


def plain(value: Any) -> Any:
    """JSON-comparable values (datetimes tagged, as the boto3 side does)."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def ours(client: Client, name: str, params: dict[str, Any]) -> Any:
    from bedrock_paginate import ServiceError

    try:
        result = getattr(client, name)(**params).to_dict()
    except ServiceError as exc:
        return {"error": exc.code}
    result.pop("ResponseMetadata")
    return plain(result)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    jobs = generate_jobs(12, seed=21)
    fake = FakeBedrock(jobs=jobs, check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY})
    static = [job for job in jobs if job["status"] in ("Completed", "Failed", "Stopped")][:3]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_model_invocation_job", {"jobIdentifier": job["jobArn"]}) for job in jobs
    ]
    calls += [
        ("get_model_invocation_job", {"jobIdentifier": jobs[0]["jobArn"].rsplit("/", 1)[1]}),
        ("get_model_invocation_job", {"jobIdentifier": jobs[1]["jobName"]}),
        ("get_model_invocation_job", {"jobIdentifier": "no-such-job"}),
        ("create_model_invocation_job", CREATE),
        ("get_model_invocation_job", {"jobIdentifier": "compare-1"}),
        ("stop_model_invocation_job", {"jobIdentifier": "compare-1"}),
        ("stop_model_invocation_job", {"jobIdentifier": static[0]["jobArn"]}),
    ]
    with FakeBedrockServer(fake) as server:
        with Client(
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            environ={},
        ) as client:
            mine = [ours(client, name, dict(params)) for name, params in calls]
        done = subprocess.run(
            [argv[0], "-c", BOTO3_SCRIPT, server.url, json.dumps(calls)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(done.stderr)
            return 1
        theirs = json.loads(done.stdout)
    # Our calls ran first: the create made the job, boto3's identical create (same token) gets
    # the same job back; the stop of a Stopping job is accepted again. Get after stop differs
    # in time only for live fields, so compare the calls made before the stop exactly.
    different = 0
    for (name, params), a, b in zip(calls, mine, theirs, strict=True):
        label = f"{name}({next(iter(params.values()))!s:.60})"
        if a == b:
            print(f"same      {label}")
            continue
        if name == "get_model_invocation_job" and params["jobIdentifier"] == "compare-1":
            keep = {
                "status",
                "lastModifiedTime",
                "endTime",
                "message",
                "jobExpirationTime",
                "totalRecordCount",
                "processedRecordCount",
                "successRecordCount",
                "errorRecordCount",
            }
            if {k: v for k, v in a.items() if k not in keep} == {
                k: v for k, v in b.items() if k not in keep
            }:
                print(f"same*     {label} (a live job: status and counts moved between calls)")
                continue
        different += 1
        print(f"DIFFERENT {label}\n  ours:  {a}\n  boto3: {b}")
    return 1 if different else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
