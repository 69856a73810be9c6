"""Web identity (EKS IRSA and the like): botocore's ``AssumeRoleWithWebIdentityProvider``
(method ``assume-role-with-web-identity``).

Each setting is read from the environment, else from the profile, key by key as botocore does:
``AWS_WEB_IDENTITY_TOKEN_FILE`` / ``web_identity_token_file``, ``AWS_ROLE_ARN`` / ``role_arn``,
``AWS_ROLE_SESSION_NAME`` / ``role_session_name`` (default ``botocore-session-<epoch>``). The
environment is skipped when the profile was named in code and for a ``source_profile``.
``AssumeRoleWithWebIdentity`` is called unsigned; the token file is read again at every fetch
(EKS rotates it), and never logged or shown. Answers are cached like assume-role's, under
botocore's key (role and explicit session name; never the token).
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import ConfigError, CredentialRetrievalError
from ._options import Attempts, ChainOptions, env, profile_value
from ._value import Credentials, Found

__all__ = ["METHOD", "from_web_identity"]

logger = logging.getLogger(__name__)

METHOD = "assume-role-with-web-identity"
_ENV_NAMES = {
    "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
    "role_arn": "AWS_ROLE_ARN",
    "role_session_name": "AWS_ROLE_SESSION_NAME",
}


def _setting(options: ChainOptions, key: str) -> tuple[str, str] | None:
    """``(value, where)`` from the environment (unless disabled), else the profile."""
    if not options.profile_from_code:
        value = env(options, _ENV_NAMES[key])
        if value is not None:
            return value, _ENV_NAMES[key]
    value = profile_value(options, key)
    if value is not None:
        return value, f"{key} of profile {options.profile_name!r}"
    return None


def _read_token(path: str, where: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise CredentialRetrievalError(
            f"Unable to read the web identity token file {path} ({where}): {reason}"
        ) from None


def from_web_identity(options: ChainOptions, tried: Attempts) -> Found | None:
    """The provider: ``None`` when no token file is configured."""
    from ._assume_role import default_session_name
    from ._role_cache import cache_key, cached_answer
    from ._sts import (
        ASSUME_ROLE_WITH_WEB_IDENTITY,
        answer_dict,
        call_sts,
        credentials_from_answer,
        sts_endpoint,
    )

    token_file = _setting(options, "web_identity_token_file")
    if token_file is None:
        tried.add("web identity (no token file configured)")
        return None
    path, where = token_file
    role = _setting(options, "role_arn")
    if role is None:
        raise ConfigError(
            f"Web identity is configured ({where}) but there is no role ARN: set role_arn in "
            f"profile {options.profile_name!r} or AWS_ROLE_ARN"
        )
    role_arn = role[0]
    arguments: dict[str, Any] = {"RoleArn": role_arn}
    session = _setting(options, "role_session_name")
    if session is not None:
        arguments["RoleSessionName"] = session[0]
    key = cache_key(arguments)
    params = {k: str(v) for k, v in arguments.items()}
    params.setdefault("RoleSessionName", default_session_name(options))
    what = f"Profile {options.profile_name!r}: assuming role {role_arn} with web identity"
    endpoint = sts_endpoint(options)

    def fetch_answer() -> dict[str, Any]:
        token = _read_token(path, where)
        logger.debug("assume-role-with-web-identity: role %s, token from %s", role_arn, where)
        answer = call_sts(
            options,
            endpoint,
            ASSUME_ROLE_WITH_WEB_IDENTITY,
            {**params, "WebIdentityToken": token},
            source=None,
            secrets=(token,),
            context=what,
        )
        return answer_dict(answer, what, options.now())

    def fetch() -> Credentials:
        answer = cached_answer(options.role_cache, key, fetch_answer, options.now)
        return credentials_from_answer(answer, source=METHOD, what=what)

    return Found(credentials=fetch(), refresh=fetch)
