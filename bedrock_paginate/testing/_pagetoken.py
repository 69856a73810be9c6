"""The fake's opaque ``nextToken``: a keyed, filter-bound, deterministic cursor.

A token names the last job of the page it ends (``submitTime`` and ``jobArn``, the sort key), or
"the start of the listing" (used by the cycle fault). Layout, before standard base64::

    magic   3 bytes  fb ff bf           (renders as "+/+/": every token has '+' and '/')
    tag    16 bytes  HMAC-SHA256(secret, binding || plain)[:16]
    cipher  n bytes  plain XOR SHA256(secret || tag || counter) keystream

    plain = version:u8  flags:u8  submit_us:i64  arn_len:u16  arn:utf-8  zero padding

The padding makes the decoded length ``1 (mod 3)``, so every token ends in ``==``. ``binding``
is the request's filters and sort order (not ``maxResults``), so a token is rejected when used
with other filters, after tampering, or when it comes from a fake with another secret.

Everything is derived from the inputs, with no randomness: the same position and filters always
give the same token, which keeps recordings reproducible and lets a client fetch a page again.

Imports only the standard library and attrs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

import attrs

__all__ = ["BadToken", "Cursor", "decode_token", "encode_token"]

_MAGIC = b"\xfb\xff\xbf"
_VERSION = 1
_TAG_LEN = 16
_HEADER = struct.Struct(">BBqH")
_FLAG_START = 1


class BadToken(Exception):
    """The token was not issued by this fake for these filters."""


@attrs.frozen
class Cursor:
    """A position in a sorted listing: after ``(submit_us, arn)``, or at the start."""

    submit_us: int = 0
    arn: str = ""
    at_start: bool = False


def _keystream(secret: bytes, tag: bytes, length: int) -> bytes:
    blocks = [
        hashlib.sha256(secret + tag + counter.to_bytes(4, "big")).digest()
        for counter in range(-(-length // 32))
    ]
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _tag(secret: bytes, binding: bytes, plain: bytes) -> bytes:
    message = len(binding).to_bytes(4, "big") + binding + plain
    return hmac.new(secret, message, hashlib.sha256).digest()[:_TAG_LEN]


def encode_token(cursor: Cursor, *, binding: bytes, secret: bytes) -> str:
    """The token for ``cursor`` under ``binding``; deterministic."""
    arn = cursor.arn.encode()
    flags = _FLAG_START if cursor.at_start else 0
    plain = _HEADER.pack(_VERSION, flags, cursor.submit_us, len(arn)) + arn
    unpadded = len(_MAGIC) + _TAG_LEN + len(plain)
    plain += b"\0" * ((1 - unpadded) % 3)
    tag = _tag(secret, binding, plain)
    raw = _MAGIC + tag + _xor(plain, _keystream(secret, tag, len(plain)))
    return base64.b64encode(raw).decode("ascii")


def _parse_plain(plain: bytes) -> Cursor:
    version, flags, submit_us, arn_len = _HEADER.unpack_from(plain)
    arn_end = _HEADER.size + arn_len
    padding = plain[arn_end:]
    if version != _VERSION or flags not in (0, _FLAG_START) or len(padding) > 2 or any(padding):
        raise BadToken("malformed token")
    return Cursor(submit_us, plain[_HEADER.size : arn_end].decode(), flags == _FLAG_START)


def decode_token(token: str, *, binding: bytes, secret: bytes) -> Cursor:
    """The cursor in ``token``.

    Raises:
        BadToken: not base64, wrong magic, too short, or the tag does not match ``binding``
            and ``secret`` (tampered, foreign, or used with other filters).
    """
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise BadToken("not base64") from exc
    prefix = len(_MAGIC) + _TAG_LEN
    if not raw.startswith(_MAGIC) or len(raw) < prefix + _HEADER.size:
        raise BadToken("not a token of this service")
    tag = raw[len(_MAGIC) : prefix]
    plain = _xor(raw[prefix:], _keystream(secret, tag, len(raw) - prefix))
    if not hmac.compare_digest(tag, _tag(secret, binding, plain)):
        raise BadToken("token does not match these parameters")
    try:
        return _parse_plain(plain)
    except (struct.error, UnicodeDecodeError) as exc:  # pragma: no cover - tag already matched
        raise BadToken("malformed token") from exc
