"""The resume-token codec, byte-compatible with botocore's paginator tokens.

A resume token is ``base64(json.dumps({"nextToken": T, "boto_truncate_amount": N}))`` with
``json.dumps``' default separators and that key order; the truncate key is present only when a
page was cut in the middle (``N`` items of the page at ``T`` were already returned). ``T`` is
``null`` for the first page. Tokens minted by boto3 decode here and tokens minted here work in
boto3.

Decoding follows botocore's order, each branch explicit:

1. base64 JSON object → ours (botocore's) format: validated strictly. Only the input-token keys
   and ``boto_truncate_amount`` are allowed (botocore would inject any other key into the request
   as a parameter), the token must be a string or null, the amount a non-negative integer.
   ``boto_encoded_keys`` (botocore's marker for bytes-valued tokens) is not used by this
   operation and is refused.
2. botocore's legacy ``"<token>___<N>"`` form.
3. anything else is the service's own ``nextToken`` pasted as is.

Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

import attrs

from .errors import InvalidStartingTokenError

__all__ = ["TRUNCATE_KEY", "StartPosition", "decode_token", "encode_token"]

TRUNCATE_KEY = "boto_truncate_amount"
_LEGACY_SEPARATOR = "___"


@attrs.frozen
class StartPosition:
    """Where a listing starts: the service tokens to send, and items of that page to skip."""

    tokens: dict[str, str | None]
    skip: int = 0


def encode_token(tokens: dict[str, str | None], truncate_amount: int | None = None) -> str:
    """Encode a resume token exactly as botocore does (``truncate_amount`` None: no key)."""
    payload: dict[str, object] = dict(tokens)
    if truncate_amount is not None:
        payload[TRUNCATE_KEY] = truncate_amount
    return base64.b64encode(json.dumps(payload).encode("utf-8")).decode("utf-8")


def _try_json(token: str) -> object:
    """The JSON value inside a base64 token, or a sentinel when there is none."""
    try:
        raw = base64.b64decode(token.encode("utf-8"))
        return json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        return _NOT_OURS


_NOT_OURS = object()


def decode_token(token: str, input_keys: Sequence[str]) -> StartPosition:
    """Decode a ``StartingToken`` into the service tokens to send and the items to skip."""
    if not isinstance(token, str):
        raise InvalidStartingTokenError(
            f"StartingToken must be a string, got {type(token).__name__}"
        )
    if token == "":
        raise InvalidStartingTokenError(
            "StartingToken is empty; pass the NextToken printed by a previous listing, or omit it"
        )
    value = _try_json(token)
    if isinstance(value, dict):
        return _from_ours(value, input_keys)
    return _from_legacy_or_raw(token, input_keys)


def _from_ours(value: dict[str, object], input_keys: Sequence[str]) -> StartPosition:
    allowed = (*input_keys, TRUNCATE_KEY)
    extra = sorted(k for k in value if k not in allowed)
    if extra:
        raise InvalidStartingTokenError(
            f"StartingToken has unexpected key(s) {', '.join(map(repr, extra))}; a resume token "
            f"may hold only {', '.join(map(repr, allowed))}"
        )
    missing = [k for k in input_keys if k not in value]
    if missing:
        raise InvalidStartingTokenError(
            f"StartingToken lacks the key(s) {', '.join(map(repr, missing))}; it was not produced "
            "for this operation"
        )
    tokens: dict[str, str | None] = {}
    for key in input_keys:
        part = value[key]
        if part is not None and not isinstance(part, str):
            raise InvalidStartingTokenError(
                f"StartingToken's {key!r} must be a string or null, got {type(part).__name__}"
            )
        tokens[key] = part
    skip = value.get(TRUNCATE_KEY, 0)
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise InvalidStartingTokenError(
            f"StartingToken's {TRUNCATE_KEY!r} must be a non-negative integer, got {skip!r}"
        )
    return StartPosition(tokens, skip)


def _from_legacy_or_raw(token: str, input_keys: Sequence[str]) -> StartPosition:
    parts: list[str] = token.split(_LEGACY_SEPARATOR)
    skip = 0
    if len(parts) == len(input_keys) + 1:
        try:
            skip = int(parts[-1])
        except ValueError:
            parts = [token]
        else:
            parts = parts[:-1]
            if skip < 0:
                raise InvalidStartingTokenError(
                    f"StartingToken's item count after '___' must not be negative, got {skip}"
                )
    if len(parts) > len(input_keys):
        raise InvalidStartingTokenError(
            "StartingToken has too many '___'-separated parts for a legacy botocore token"
        )
    values: list[str | None] = [None if p == "None" else p for p in parts]
    values += [None] * (len(input_keys) - len(values))
    return StartPosition(dict(zip(input_keys, values, strict=True)), skip)
