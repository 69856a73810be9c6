"""Property tests for the shared-file parser: it never fails in any way but ConfigFileError."""

from __future__ import annotations

import os
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._profiles import parse_ini, read_ini
from bedrock_paginate.errors import ConfigFileError

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# INI-shaped fragments make the parser reach its deeper branches far more often than raw text.
_FRAGMENTS = st.sampled_from(
    [
        "[default]",
        "[profile a]",
        '[profile "b c"]',
        "[DEFAULT]",
        "[services s]",
        "region = us-east-1",
        "Region: x",
        "s3 =",
        "  k = v",
        "\tnested = 1",
        "  no delimiter",
        "key",
        "= v",
        "# comment",
        "; comment",
        "",
        "  ",
        f"aws_secret_access_key {SECRET}",
        f"  {SECRET}",
        "[]",
        "[a]b]",
        "\u00e9 = \u00e8",
        "a\x0bb = 1",
        "\ufeff[x]",
    ]
)
_LINES = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=12)


def _check(text: str) -> None:
    error: ConfigFileError | None = None
    try:
        parsed = parse_ini(text, path="fuzz.ini")
    except ConfigFileError as exc:
        error = exc
    if error is not None:
        assert error.path == "fuzz.ini"
        assert error.line is None or 1 <= error.line <= text.count("\n") + 1
        assert SECRET not in str(error)
    else:
        for section, values in parsed.items():
            assert isinstance(section, str)
            for key, value in values.items():
                assert key == key.lower()
                assert isinstance(value, (str, dict))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_config_file_error(text: str) -> None:
    """Any text either parses into str/dict values or raises ConfigFileError with a valid line."""
    _check(text)


@settings(max_examples=400, deadline=None)
@given(_LINES, st.sampled_from(["\n", "\r\n", "\r"]))
def test_ini_shaped_text_raises_only_config_file_error(lines: list[str], newline: str) -> None:
    """INI-like lines in any order either parse or raise ConfigFileError without the secret."""
    _check(newline.join(lines))


_NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
_VALUES = st.from_regex(r"[A-Za-z0-9/+_.-][A-Za-z0-9/+_. -]{0,20}[A-Za-z0-9/+_.-]", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_NAMES, st.dictionaries(_NAMES, _VALUES, max_size=5), max_size=5))
def test_rendered_profiles_parse_back(sections: dict[str, dict[str, str]]) -> None:
    """Sections written as INI text parse back to the same sections and values."""
    text = "".join(
        f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in values.items())
        for name, values in sections.items()
    )
    assert parse_ini(text, path="x") == sections


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_NAMES, _VALUES, min_size=1, max_size=5))
def test_rendered_subsections_parse_back(block: dict[str, str]) -> None:
    """An indented block under an empty key parses back to the same dict."""
    text = "[a]\nsub =\n" + "".join(f"  {key} = {value}\n" for key, value in block.items())
    assert parse_ini(text, path="x") == {"a": {"sub": block}}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_file_bytes_raise_only_config_file_error(data: bytes) -> None:
    """Any file content (invalid UTF-8, NULs, BOMs) reads or raises ConfigFileError."""
    handle, path = tempfile.mkstemp(suffix=".ini")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        error: ConfigFileError | None = None
        try:
            read_ini(path)
        except ConfigFileError as exc:
            error = exc
        if error is not None:
            assert error.path == path
            assert error.line is None or error.line >= 1
    finally:
        os.unlink(path)
