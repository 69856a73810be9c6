"""Structure-valued command-line arguments as the AWS CLI takes them: JSON, ``file://PATH``
(the file's content, then parsed as JSON or shorthand) or the AWS CLI's shorthand syntax.

Shorthand, the subset that covers this API's structures::

    s3InputDataConfig={s3Uri=s3://bucket/in/,s3InputFormat=JSONL}
    subnetIds=subnet-1,subnet-2,securityGroupIds=sg-1        (a bare value extends a list)
    subnetIds=[subnet-1,subnet-2],securityGroupIds=[sg-1]
    key=team,value=ml                                         (one item of --tags)

Values are strings (``'...'``/``"..."`` quote them; ``\\`` escapes); ``{}`` nests a structure and
``[]`` a list. Anything else is a ``ParamValidationError`` naming the flag.

Pure (``file://`` reads a file); imports only the standard library and ``errors``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ParamValidationError

__all__ = ["parse_structure", "parse_structure_list"]


class _Shorthand:
    """A small recursive-descent parser of the AWS CLI's shorthand syntax."""

    def __init__(self, text: str, flag: str) -> None:
        self.text = text
        self.pos = 0
        self.flag = flag

    def fail(self, what: str) -> ParamValidationError:
        return ParamValidationError(
            f"Error parsing parameter '{self.flag}': {what} at character {self.pos + 1} of "
            f"{self.text!r}; expected JSON, file://PATH or shorthand such as "
            "key=value,other={nested=value}",
            param=self.flag,
        )

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def structure(self, closing: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        last: str | None = None
        while True:
            if self.peek() == closing:
                return out
            key = self.word("=,{}[]")
            if self.peek() == "=":
                self.pos += 1
                if not key:
                    raise self.fail("empty key")
                out[key] = self.value(closing)
                last = key
            elif last is not None and key:  # a bare value: one more item of the last key
                previous = out[last]
                out[last] = [*previous, key] if isinstance(previous, list) else [previous, key]
            else:
                raise self.fail("expected key=value")
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != closing:
                raise self.fail(f"unexpected {self.peek()!r}")

    def value(self, closing: str) -> Any:
        char = self.peek()
        if char == "{":
            self.pos += 1
            inner = self.structure("}")
            self.pos += 1
            return inner
        if char == "[":
            self.pos += 1
            items: list[Any] = []
            while self.peek() != "]":
                if not self.peek():
                    raise self.fail("unclosed '['")
                items.append(self.value("]"))
                if self.peek() == ",":
                    self.pos += 1
            self.pos += 1
            return items
        return self.word(",{}[]" + closing)

    def word(self, stops: str) -> str:
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "'\"":
                end = self.text.find(char, self.pos + 1)
                if end < 0:
                    raise self.fail("unclosed quote")
                chars.append(self.text[self.pos + 1 : end])
                self.pos = end + 1
                continue
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char in stops:
                break
            chars.append(char)
            self.pos += 1
        return "".join(chars).strip()


def _load(text: str, flag: str) -> str:
    if not text.startswith("file://"):
        return text
    path = Path(text[len("file://") :]).expanduser()
    try:
        return path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows) is dropped
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamValidationError(
            f"Error parsing parameter '{flag}': Unable to load paramfile {text}: "
            f"{getattr(exc, 'strerror', None) or exc}",
            param=flag,
        ) from None


def _json_or_shorthand(text: str, flag: str) -> Any:
    stripped = text.strip()
    try:
        if stripped[:1] in '{["':
            try:
                return json.loads(stripped)
            except ValueError as exc:
                raise ParamValidationError(
                    f"Error parsing parameter '{flag}': Invalid JSON: {exc}\nJSON received: {text}",
                    param=flag,
                ) from None
        parser = _Shorthand(stripped, flag)
        value = parser.structure()
    except RecursionError:  # thousands of nested brackets: no structure of this API is so deep
        raise ParamValidationError(
            f"Error parsing parameter '{flag}': the value is nested too deeply (the structures "
            "of these commands are at most 3 levels deep)",
            param=flag,
        ) from None
    if parser.pos != len(stripped):
        raise parser.fail("trailing characters")
    return value


def parse_structure(text: str, flag: str) -> dict[str, Any]:
    """A structure argument (``--input-data-config``) as a dict."""
    value = _json_or_shorthand(_load(text, flag), flag)
    if not isinstance(value, dict):
        raise ParamValidationError(
            f"Error parsing parameter '{flag}': expected a structure (a JSON object or "
            f"key=value shorthand), got {type(value).__name__}",
            param=flag,
        )
    return value


def parse_structure_list(items: list[str], flag: str) -> list[Any]:
    """A list-of-structures argument (``--tags``): one JSON list, or one shorthand item per
    word (``key=a,value=b key=c,value=d``)."""
    if len(items) == 1:
        value = _json_or_shorthand(_load(items[0], flag), flag)
        return value if isinstance(value, list) else [value]
    return [_json_or_shorthand(item, flag) for item in items]
