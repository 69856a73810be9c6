"""The exception tree: every public error pickles and deep-copies with its attributes (so it
survives a process pool), and a transport failure keeps the transport's exception as its cause."""

from __future__ import annotations

import asyncio
import copy
import inspect
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import pytest

import bedrock_paginate.fixtures
from bedrock_paginate import AsyncClient, BedrockPaginateError, Client, ThrottlingException
from bedrock_paginate.errors import ServiceError, TransportError
from tests.support import client_options, closed_port

#: A value for each required constructor argument of the error classes (by name).
_SAMPLES: dict[str, Any] = {
    "message": "something failed",
    "code": "SomeCode",
    "status_code": 400,
    "profile": "dev",
    "profile_type": "sso",
    "path": "/home/u/.aws/config",
    "source": "fixtures/x.json",
    "operation": "AssumeRole",
    "job_identifier": "nightly-1",
}


def _all_errors() -> list[type[BedrockPaginateError]]:
    assert bedrock_paginate.fixtures  # imported so its errors join the tree
    found: list[type[BedrockPaginateError]] = []
    pending: list[type[BedrockPaginateError]] = [BedrockPaginateError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _instance(cls: type[BedrockPaginateError]) -> BedrockPaginateError:
    """An instance of ``cls`` with every attribute set away from its default."""
    kwargs = {}
    for name, param in inspect.signature(cls).parameters.items():
        if param.default is inspect.Parameter.empty:
            kwargs[name] = _SAMPLES[name]  # a KeyError names a new required argument
    message = kwargs.pop("message")
    error = cls(message, **kwargs)
    error.resume_token = "eyJuZXh0VG9rZW4iOiAiYWJjIn0="
    error.request_id = "req-1"
    error.add_detail("gave up after 3 attempts")
    if isinstance(error, ServiceError):
        error.members = {"message": message}
        error.headers = {"x-amzn-requestid": "req-1"}
        error.retry_attempts = 2
        error.max_attempts_reached = True
    return error


def _state(error: BaseException) -> tuple[Any, ...]:
    return (type(error), error.args, str(error), vars(error))


def test_the_tree_is_walked_whole() -> None:
    """The walk finds the errors of errors.py and of fixtures (sanity of the test below)."""
    names = {cls.__name__ for cls in _all_errors()}
    assert {"ThrottlingException", "ProfileNotFoundError", "ConfigFileError"} <= names
    assert {"FixtureMismatchError", "TransportError", "InvalidStartingTokenError"} <= names


@pytest.mark.parametrize("cls", _all_errors(), ids=lambda cls: cls.__name__)
def test_every_error_pickles_and_deep_copies_with_its_attributes(
    cls: type[BedrockPaginateError],
) -> None:
    """pickle and copy.deepcopy give an equal error: same type, args, str and attributes."""
    error = _instance(cls)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert _state(pickle.loads(pickle.dumps(error, protocol))) == _state(error)
    copied = copy.deepcopy(error)
    assert _state(copied) == _state(error)
    assert copied.details is not error.details
    assert _state(copy.copy(error)) == _state(error)


def _throttled(token: str) -> None:
    """Runs in a worker process: fails as a throttled listing does."""
    error = ThrottlingException(
        "Rate exceeded", code="ThrottlingException", status_code=429, request_id="r-9"
    )
    error.resume_token = token
    error.retry_attempts = 2
    raise error


def test_a_worker_process_error_reaches_the_parent_as_itself() -> None:
    """A ThrottlingException raised in a ProcessPoolExecutor worker is that error in the parent
    (not BrokenProcessPool), resume token included."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(_throttled, "eyJ0b2tlbiI6IDF9")
        with pytest.raises(ThrottlingException) as caught:
            future.result(timeout=120)
    error = caught.value
    assert (error.code, error.status_code, error.request_id) == ("ThrottlingException", 429, "r-9")
    assert error.resume_token == "eyJ0b2tlbiI6IDF9"
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 2


# --- the transport's exception is kept -------------------------------------------------------


def _options() -> dict[str, Any]:
    return client_options(f"http://127.0.0.1:{closed_port()}", max_attempts=2)


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_connect_failure_keeps_the_httpx_error_as_cause(shell: str) -> None:
    """A refused connection raises TransportError whose __cause__ is httpx's ConnectError."""
    if shell == "sync":
        with Client(**_options()) as client, pytest.raises(TransportError) as caught:
            client.list_model_invocation_jobs()
    else:

        async def main() -> None:
            async with AsyncClient(**_options()) as client:
                await client.list_model_invocation_jobs()

        with pytest.raises(TransportError) as caught:
            asyncio.run(main())
    error = caught.value
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert error.__suppress_context__
    assert error.attempts == 2
    assert "could not connect to the endpoint" in str(error)
