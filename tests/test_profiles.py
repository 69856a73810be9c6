"""The shared config / credentials file parser (bedrock_paginate._profiles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_paginate import _profiles
from bedrock_paginate._profiles import SharedFiles, expand_path, parse_ini, read_ini
from bedrock_paginate.errors import ConfigFileError

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _files(
    tmp_path: Path, config: str | None = None, credentials: str | None = None
) -> SharedFiles:
    config_path = tmp_path / "config"
    credentials_path = tmp_path / "credentials"
    if config is not None:
        config_path.write_text(config, encoding="utf-8")
    if credentials is not None:
        credentials_path.write_text(credentials, encoding="utf-8")
    return SharedFiles(config_path=str(config_path), credentials_path=str(credentials_path))


# --------------------------------------------------------------------------- parse_ini


def test_keys_are_lower_cased_and_section_names_keep_their_case() -> None:
    """Keys are lower-cased like configparser's; section names are case-sensitive."""
    parsed = parse_ini("[Dev]\nRegion = eu-west-1\n", path="f")
    assert parsed == {"Dev": {"region": "eu-west-1"}}


def test_values_are_stripped_and_colon_is_a_delimiter() -> None:
    """Both '=' and ':' separate key and value; surrounding blanks are dropped."""
    parsed = parse_ini("[a]\nx =   1  \ny: 2\nz=a=b\n", path="f")
    assert parsed["a"] == {"x": "1", "y": "2", "z": "a=b"}


def test_full_line_comments_are_skipped_but_inline_ones_are_kept() -> None:
    """'#' and ';' start comments only at the start of a line (botocore keeps inline text)."""
    parsed = parse_ini(
        "# top\n[a]\n; note\n  # indented note\nregion = x # not a comment\n", path="f"
    )
    assert parsed == {"a": {"region": "x # not a comment"}}


def test_nested_subsection_becomes_a_dict_with_keys_as_written() -> None:
    """An empty value followed by indented 'k = v' lines is a sub-section."""
    text = "[a]\ns3 =\n  Addressing_Style = path\n\n  # comment\n  x=1\nregion = y\n"
    parsed = parse_ini(text, path="f")
    assert parsed["a"] == {"s3": {"Addressing_Style": "path", "x": "1"}, "region": "y"}


def test_indented_lines_after_a_value_continue_it() -> None:
    """A non-empty value continued on indented lines is a multi-line string."""
    parsed = parse_ini("[a]\nk = one\n  two\n", path="f")
    assert parsed["a"]["k"] == "one\ntwo"


def test_default_section_is_inherited_by_every_section() -> None:
    """[DEFAULT] keys appear in every section, as configparser does; it is no section itself."""
    parsed = parse_ini("[DEFAULT]\nregion = x\n[a]\n[b]\nregion = y\n", path="f")
    assert parsed == {"a": {"region": "x"}, "b": {"region": "y"}}


def test_crlf_and_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    """Windows line ends and a UTF-8 BOM (Notepad) parse like plain text."""
    path = tmp_path / "config"
    path.write_bytes(b"\xef\xbb\xbf[default]\r\nregion = eu-west-1\r\n")
    assert read_ini(str(path)) == {"default": {"region": "eu-west-1"}}


def test_missing_file_reads_as_none(tmp_path: Path) -> None:
    """A file that does not exist (or is a directory) counts as absent."""
    assert read_ini(str(tmp_path / "nope")) is None
    assert read_ini(str(tmp_path)) is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("region = x\n[a]\n", 1, "before any [section]"),
        ("[a]\nx = 1\nthis line has no delimiter\n", 3, "key = value"),
        ("[a]\nx = 1\n[b]\n[a]\n", 4, "more than once"),
        ("[a]\nx = 1\nX = 2\n", 3, "more than once"),
        ("[a]\ns3 =\n  good = 1\n  broken line\n", 4, "indented block"),
    ],
)
def test_malformed_files_name_the_path_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    """Each kind of malformed file raises ConfigFileError with the file and line number."""
    path = _write(tmp_path, "config", text)
    with pytest.raises(ConfigFileError) as info:
        read_ini(path)
    assert info.value.path == path
    assert info.value.line == line
    assert path in str(info.value)
    assert f"line {line}" in str(info.value)
    assert words in str(info.value)


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 raise ConfigFileError pointing at their line."""
    path = tmp_path / "config"
    path.write_bytes(b"[a]\nx = 1\ny = \xff\xfe\n")
    with pytest.raises(ConfigFileError) as info:
        read_ini(str(path))
    assert info.value.line == 3


def test_error_messages_never_quote_the_bad_line(tmp_path: Path) -> None:
    """A malformed line holding a secret is located by number, never echoed."""
    path = _write(tmp_path, "credentials", f"[default]\naws_secret_access_key {SECRET}\n")
    with pytest.raises(ConfigFileError) as info:
        read_ini(path)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)
    assert info.value.line == 2


# --------------------------------------------------------------------------- profiles


def test_config_file_profiles_need_the_profile_prefix(tmp_path: Path) -> None:
    """In the config file, [profile x] and [default] are profiles and [x] is not."""
    files = _files(tmp_path, config="[default]\na = 1\n[profile dev]\nb = 2\n[dev2]\nc = 3\n")
    assert files.config_profile("default") == {"a": "1"}
    assert files.config_profile("dev") == {"b": "2"}
    assert files.config_profile("dev2") is None
    assert files.profile_names() == ["default", "dev"]


def test_quoted_profile_names_are_unquoted(tmp_path: Path) -> None:
    """[profile "my team"] is the profile 'my team' (shell quoting, as botocore)."""
    files = _files(tmp_path, config='[profile "my team"]\nregion = x\n')
    assert files.config_profile("my team") == {"region": "x"}


def test_credentials_file_sections_are_profile_names(tmp_path: Path) -> None:
    """In the credentials file every [name] is a profile, even '[profile x]' literally."""
    files = _files(tmp_path, credentials="[dev]\na = 1\n[profile x]\nb = 2\n")
    assert files.credentials_profile("dev") == {"a": "1"}
    assert files.credentials_profile("profile x") == {"b": "2"}
    assert files.credentials_profile("x") is None


def test_merged_profile_prefers_the_credentials_file(tmp_path: Path) -> None:
    """The merged profile takes config values and lets the credentials file override them."""
    files = _files(
        tmp_path,
        config="[profile dev]\nregion = eu-west-1\noutput = json\n",
        credentials="[dev]\nregion = us-west-2\naws_access_key_id = AKIDEXAMPLE\n",
    )
    assert files.profile("dev") == {
        "region": "us-west-2",
        "output": "json",
        "aws_access_key_id": "AKIDEXAMPLE",
    }
    assert files.profile("other") is None


def test_profile_only_in_credentials_file_exists(tmp_path: Path) -> None:
    """A profile defined only in the credentials file is found."""
    files = _files(tmp_path, credentials="[ci]\naws_access_key_id = AKIDEXAMPLE\n")
    assert files.profile("ci") == {"aws_access_key_id": "AKIDEXAMPLE"}


def test_services_sections_are_kept_apart(tmp_path: Path) -> None:
    """[services name] sections are looked up by name, not as profiles."""
    files = _files(tmp_path, config="[services local]\nbedrock =\n  endpoint_url = http://x\n")
    assert files.services("local") == {"bedrock": {"endpoint_url": "http://x"}}
    assert files.profile("local") is None


def test_files_are_read_lazily_and_only_once(tmp_path: Path) -> None:
    """Nothing is read on construction; a file is read on first use and then cached."""
    files = _files(tmp_path, config="this is not an ini file\n")
    with pytest.raises(ConfigFileError):
        files.config_profile("default")
    (tmp_path / "credentials").write_text("[a]\nx = 1\n", encoding="utf-8")
    assert files.credentials_profile("a") == {"x": "1"}
    (tmp_path / "credentials").write_text("[a]\nx = 2\n", encoding="utf-8")
    assert files.credentials_profile("a") == {"x": "1"}


def test_from_environ_uses_the_variables_and_home(tmp_path: Path) -> None:
    """File locations come from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws."""
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": "$HOME/cfg"}
    files = SharedFiles.from_environ(env)
    assert files.config_path == str(tmp_path / "cfg")
    assert files.credentials_path == str(tmp_path) + "/.aws/credentials"


def test_expand_path_reads_the_given_environment() -> None:
    """~ and $VARS expand from the mapping given, not from the process environment."""
    env = {"HOME": "/home/test", "X": "files"}
    assert expand_path("~/a/${X}/$X", env) == "/home/test/a/files/files"
    assert expand_path("$UNSET_VARIABLE_XYZ/a", env) == "$UNSET_VARIABLE_XYZ/a"
    assert expand_path("/abs", env) == "/abs"


def test_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that exists but cannot be opened raises ConfigFileError naming it."""
    path = _write(tmp_path, "config", "[a]\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_profiles, "open", refuse, raising=False)
    with pytest.raises(ConfigFileError) as info:
        read_ini(path)
    assert info.value.path == path
    assert "Permission denied" in str(info.value)


def test_sso_session_sections_are_their_own_kind(tmp_path: Path) -> None:
    """[sso-session NAME] is found by name and is neither a profile nor a services section."""
    config = tmp_path / "config"
    config.write_text(
        "[sso-session corp]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n"
        "[profile corp]\nregion = us-east-1\n"
    )
    files = SharedFiles(config_path=str(config), credentials_path=str(tmp_path / "none"))
    assert files.sso_session("corp") == {
        "sso_start_url": "https://x/start",
        "sso_region": "eu-west-1",
    }
    assert files.profile("corp") == {"region": "us-east-1"}
    assert files.sso_session("other") is None
    assert files.services("corp") is None
