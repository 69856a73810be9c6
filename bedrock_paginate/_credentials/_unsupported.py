"""Profile kinds not supported yet (SSO, ``aws login``): the chain slots that raise
``UnsupportedProfileError``.

Each ``check_*`` is a provider (see the package docstring) that finds nothing or raises, so the
chain stops where botocore would have used that kind. :func:`hint_unsupported` turns an empty
chain into that error when the profile hints at such a kind. As support lands, a provider
module replaces the check in ``_chain``.
"""

from __future__ import annotations

from ..errors import UnsupportedProfileError
from ._options import Attempts, ChainOptions, chain_profile
from ._value import Found

__all__ = ["check_login", "check_sso", "hint_unsupported", "unsupported"]


def unsupported(options: ChainOptions, kind: str, why: str) -> UnsupportedProfileError:
    return UnsupportedProfileError(
        f"Profile {options.profile_name!r} uses {kind} credentials ({why}), which "
        "bedrock-paginate does not support yet. Use static keys, credential_process, "
        "environment variables, or export credentials first "
        "(e.g. `aws configure export-credentials --format env`).",
        profile=options.profile_name,
        profile_type=kind,
    )


def check_sso(options: ChainOptions, tried: Attempts) -> Found | None:
    profile = chain_profile(options)
    if "sso_role_name" in profile or "sso_account_id" in profile:
        raise unsupported(options, "sso", "it sets sso_role_name / sso_account_id")
    return None


def check_login(options: ChainOptions, tried: Attempts) -> Found | None:
    if "login_session" in chain_profile(options):
        raise unsupported(options, "login", "it sets login_session")
    return None


def hint_unsupported(options: ChainOptions) -> UnsupportedProfileError | None:
    """After an empty chain: an unsupported kind the profile hints at, if any."""
    profile = chain_profile(options)
    for kind, keys in (("sso", ("sso_session", "sso_start_url")),):
        present = [k for k in keys if k in profile]
        if present:
            return unsupported(options, kind, f"it sets {', '.join(present)}")
    return None
