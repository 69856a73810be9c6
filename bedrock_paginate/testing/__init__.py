"""Test helpers: a fake Amazon Bedrock batch-job API (``ListModelInvocationJobs``, and
``Get``/``Stop``/``CreateModelInvocationJob`` with jobs that run through their statuses on the
fake's clock, ``speed`` times faster than real time), and a fake STS.

Use it in your own tests, in-process or over a real loopback socket::

    from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs

    fake = FakeBedrock(jobs=generate_jobs(50))
    fake.inject(Fault.throttle(), times=2)
    with httpx.Client(transport=fake.transport(), base_url="https://bedrock.test") as http:
        ...
    with FakeBedrockServer(fake) as server:
        ...  # talk to server.url

    sts = FakeSts(credentials={"AKIDEXAMPLE": "secret"}, on_issue=fake.add_credentials)
    with FakeStsServer(sts) as sts_server:
        ...  # AWS_ENDPOINT_URL_STS=sts_server.url; a role_arn profile lists from the fake

Credential services have fakes too, served the same way by ``LoopbackServer``: ``FakeSts``,
``FakeSSO`` (IAM Identity Center's portal and SSO-OIDC; ``sso_login`` writes the token cache)
and ``FakeSignin`` (``aws login`` refresh with DPoP; needs the ``[login]`` extra).

Nothing here is imported by ``import bedrock_paginate``. Needs only the standard library,
httpx and attrs; ``FakeSignin`` also needs ``cryptography`` (the ``[login]`` extra), imported
when it is used.
"""

from __future__ import annotations

from ._dataset import ALL_STATUSES, generate_jobs, jobs_from_fixture
from ._fake import OPERATION_PATH, FakeBedrock, ReceivedRequest
from ._faults import Fault
from ._responses import FakeResponse
from ._server import FakeBedrockServer, FakeService, LoopbackServer, serve_main
from ._signin import FakeSignin
from ._sso import FakeSSO
from ._sts import FakeSts, FakeStsServer, StsCall
from ._transport import make_transport

__all__ = [
    "ALL_STATUSES",
    "OPERATION_PATH",
    "FakeBedrock",
    "FakeBedrockServer",
    "FakeResponse",
    "FakeSSO",
    "FakeService",
    "FakeSignin",
    "FakeSts",
    "FakeStsServer",
    "Fault",
    "LoopbackServer",
    "ReceivedRequest",
    "StsCall",
    "generate_jobs",
    "jobs_from_fixture",
    "make_transport",
    "serve_main",
]
