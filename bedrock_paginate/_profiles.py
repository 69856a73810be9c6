"""The shared AWS ``config`` and ``credentials`` files, read the way botocore reads them.

This module owns: where the two files live (``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``),
parsing them (botocore parses with the standard library's ``configparser.RawConfigParser``, so we
do too: same comments, ``=``/``:`` delimiters, lower-cased keys, case-sensitive section names,
indented continuation lines, ``[DEFAULT]`` inheritance, duplicate sections and keys rejected),
one level of nested sub-sections (``s3 =`` followed by indented ``key = value`` lines), and the
profile map:

* config file: ``[default]`` and ``[profile NAME]`` are profiles; ``[services NAME]`` and
  ``[sso-session NAME]`` are their own kinds of section; every other section is ignored;
* credentials file: every section ``[NAME]`` is profile ``NAME`` (so ``[profile x]`` there is the
  profile literally called ``"profile x"``);
* the *merged* profile (botocore's ``full_config``): the config file's profile, updated with the
  credentials file's section of the same name (credentials-file values win).

Files are read only when a value is first asked for, and at most once per :class:`SharedFiles`.
A file that does not exist counts as empty. A malformed file raises
:class:`~bedrock_paginate.errors.ConfigFileError` naming the file and the line; messages never
quote the line (it could hold a secret key).

Deliberate differences from botocore: files are decoded as UTF-8 (botocore uses the locale's
encoding) and a leading byte-order mark is skipped; a file that exists but cannot be read raises
``ConfigFileError`` (``configparser`` silently skips it).

Imports nothing from the package but ``errors``; ``configparser`` and ``shlex`` load lazily.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeAlias

from .errors import ConfigFileError

if TYPE_CHECKING:
    import configparser

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_CREDENTIALS_FILE",
    "Profile",
    "ProfileValue",
    "SharedFiles",
    "expand_path",
    "parse_ini",
    "read_ini",
]

#: A profile value: a plain string, or a nested sub-section (``s3 =`` + indented lines).
ProfileValue: TypeAlias = "str | Mapping[str, str]"
#: One profile (or section): lower-cased keys to values.
Profile: TypeAlias = "Mapping[str, ProfileValue]"

DEFAULT_CONFIG_FILE = "~/.aws/config"
DEFAULT_CREDENTIALS_FILE = "~/.aws/credentials"

_VAR_RE = re.compile(r"\$(\w+)|\$\{([^}]*)\}")


def expand_path(path: str, environ: Mapping[str, str]) -> str:
    """Expand ``$VAR``/``${VAR}`` and a leading ``~`` in ``path`` using ``environ``.

    Like botocore's ``os.path.expandvars`` + ``expanduser``, but reading the given mapping so
    that an injected environment (tests) never reaches the real home directory.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return environ.get(name, match.group(0))

    path = _VAR_RE.sub(substitute, path)
    if path == "~" or path.startswith(("~/", "~" + os.sep)):
        home = environ.get("HOME") or environ.get("USERPROFILE")
        if home:
            return home + path[1:]
    return os.path.expanduser(path)


def _new_parser() -> configparser.RawConfigParser:
    import configparser

    return configparser.RawConfigParser()


def _describe_configparser_error(exc: Exception) -> tuple[int | None, str]:
    """The line number and a secret-free description of a ``configparser`` error."""
    import configparser

    if isinstance(exc, configparser.MissingSectionHeaderError):
        return exc.lineno, "a setting appears before any [section] header"
    if isinstance(exc, configparser.DuplicateSectionError):
        return exc.lineno, f"section [{exc.section}] appears more than once"
    if isinstance(exc, configparser.DuplicateOptionError):
        return exc.lineno, f"key {exc.option!r} appears more than once in section [{exc.section}]"
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        return exc.errors[0][0], "expected 'key = value', a [section] header or a comment"
    return None, "the file is not in INI format"


def _find_line(lines: list[str], bad: str, after: int) -> int | None:
    """The 1-based number of the first line (preferably after line ``after``) equal to ``bad``."""
    wanted = bad.strip()
    for start in (after, 0):
        for number, line in enumerate(lines[start:], start=start + 1):
            if line.strip() == wanted:
                return number
    return None


def _section_header_line(lines: list[str], section: str) -> int:
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and section in stripped:
            return number
    return 0


def _parse_nested(value: str, *, path: str, lines: list[str], section: str) -> dict[str, str]:
    """Parse an indented block (``\\nkey = value\\n...``) into a dict, as botocore does."""
    parsed: dict[str, str] = {}
    for raw in value.splitlines():
        line = raw.strip()
        if not line:
            continue
        key, sep, val = line.partition("=")
        if not sep:
            number = _find_line(lines, line, _section_header_line(lines, section))
            where = f" at line {number}" if number is not None else ""
            raise ConfigFileError(
                f"Unable to parse {path}{where}: a line in the indented block under a key of "
                f"section [{section}] is not 'key = value'",
                path=path,
                line=number,
            )
        parsed[key.strip()] = val.strip()
    return parsed


def _unclosed_header(text: str, until: int | None) -> int | None:
    """The number of the first line up to ``until`` that opens a section header without
    closing it (configparser then reports a confusing error further on)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if until is not None and number > until:
            break
        stripped = line.strip()
        if line[:1] == "[" and "]" not in stripped:
            return number
    return None


def _setting_line(path: str, headers: tuple[str, ...], key: str) -> int | None:
    """The line of ``key`` in the first of ``headers``' sections of ``path`` (error path only)."""
    try:
        with open(path, encoding="utf-8-sig") as file:
            lines = file.read().split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    section: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if line[:1] == "[" and stripped.endswith("]"):
            section = " ".join(stripped[1:-1].split())
        elif section in headers and line[:1] not in (" ", "\t", "#", ";"):
            name = re.split(r"[=:]", line, maxsplit=1)[0].strip().lower()
            if name == key:
                return number
    return None


def parse_ini(text: str, *, path: str) -> dict[str, dict[str, ProfileValue]]:
    """Parse INI ``text`` into ``{section: {key: value}}`` exactly as botocore's raw parser.

    Keys are lower-cased; a value whose first line is empty and that continues on indented
    lines becomes a nested ``dict`` (keys kept as written). ``[DEFAULT]`` keys are inherited
    by every section, as ``configparser`` does. Raises ``ConfigFileError`` with ``path`` and
    the line number when the text is malformed; never any other exception.
    """
    import configparser

    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _new_parser()
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        line, reason = _describe_configparser_error(exc)
        unclosed = _unclosed_header(text, line)
        if unclosed is not None:
            line, reason = unclosed, "this [section header is not closed (a ']' is missing)"
        where = f" at line {line}" if line is not None else ""
        raise ConfigFileError(
            f"Unable to parse {path}{where}: {reason}", path=path, line=line
        ) from None
    lines = text.split("\n")
    sections: dict[str, dict[str, ProfileValue]] = {}
    for section in parser.sections():
        values: dict[str, ProfileValue] = {}
        for option in parser.options(section):
            value = parser.get(section, option)
            if value.startswith("\n"):
                values[option] = _parse_nested(value, path=path, lines=lines, section=section)
            else:
                values[option] = value
        sections[section] = values
    return sections


def _decode(data: bytes, *, path: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigFileError(
            f"Unable to parse {path} at line {line}: the file is not valid UTF-8 text",
            path=path,
            line=line,
        ) from None
    # Universal newlines, as when configparser reads a file in text mode.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_ini(path: str) -> dict[str, dict[str, ProfileValue]] | None:
    """Read and parse the INI file at ``path`` (already expanded); ``None`` if there is none.

    Like botocore, anything that is not a regular file (missing, a directory) counts as absent.
    """
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ConfigFileError(
            f"Unable to read {path}: {exc.strerror or type(exc).__name__}", path=path
        ) from None
    return parse_ini(_decode(data, path=path), path=path)


def _second_word(section: str) -> str | None:
    """``NAME`` from a section header ``PREFIX NAME`` (shell-quoting allowed), else ``None``."""
    import shlex

    try:
        parts = shlex.split(section)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def _split_config_sections(
    sections: Mapping[str, dict[str, ProfileValue]],
) -> tuple[dict[str, Profile], dict[str, Profile], dict[str, Profile]]:
    """(profiles, services, sso-sessions) from a parsed config file, as botocore maps them."""
    profiles: dict[str, Profile] = {}
    services: dict[str, Profile] = {}
    sso_sessions: dict[str, Profile] = {}
    for key, values in sections.items():
        if key.startswith("profile"):
            target: dict[str, Profile] | None = profiles
        elif key.startswith("sso-session"):
            target = sso_sessions
        elif key.startswith("services"):
            target = services
        elif key == "default":
            profiles[key] = values
            continue
        else:
            target = None
        name = _second_word(key) if target is not None else None
        if target is not None and name is not None:
            target[name] = values
    return profiles, services, sso_sessions


class SharedFiles:
    """The two shared files of one environment, read lazily and at most once each. Thread-safe."""

    def __init__(self, *, config_path: str, credentials_path: str) -> None:
        self.config_path = config_path
        self.credentials_path = credentials_path
        self._lock = threading.Lock()
        self._config: tuple[dict[str, Profile], dict[str, Profile], dict[str, Profile]] | None = (
            None
        )
        self._credentials: dict[str, dict[str, ProfileValue]] | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SharedFiles:
        """Files from ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE``, or the defaults."""
        config = environ.get("AWS_CONFIG_FILE") or DEFAULT_CONFIG_FILE
        credentials = environ.get("AWS_SHARED_CREDENTIALS_FILE") or DEFAULT_CREDENTIALS_FILE
        return cls(
            config_path=expand_path(config, environ),
            credentials_path=expand_path(credentials, environ),
        )

    def __repr__(self) -> str:
        return (
            f"SharedFiles(config_path={self.config_path!r}, "
            f"credentials_path={self.credentials_path!r})"
        )

    def _config_maps(self) -> tuple[dict[str, Profile], dict[str, Profile], dict[str, Profile]]:
        with self._lock:
            if self._config is None:
                sections = read_ini(self.config_path) or {}
                self._config = _split_config_sections(sections)
            return self._config

    def _credential_sections(self) -> dict[str, dict[str, ProfileValue]]:
        with self._lock:
            if self._credentials is None:
                self._credentials = read_ini(self.credentials_path) or {}
            return self._credentials

    def config_profile(self, name: str) -> Profile | None:
        """Profile ``name`` from the config file alone (``[default]`` / ``[profile name]``)."""
        return self._config_maps()[0].get(name)

    def credentials_profile(self, name: str) -> Profile | None:
        """Section ``[name]`` of the credentials file alone."""
        return self._credential_sections().get(name)

    def profile(self, name: str) -> Profile | None:
        """The merged profile: config-file values updated by credentials-file values."""
        from_config = self.config_profile(name)
        from_credentials = self.credentials_profile(name)
        if from_config is None and from_credentials is None:
            return None
        merged: dict[str, ProfileValue] = dict(from_config or {})
        merged.update(from_credentials or {})
        return merged

    def locate(self, name: str, key: str) -> str | None:
        """``FILE, line N`` where profile ``name`` sets ``key`` (the credentials file wins, as
        in :meth:`profile`), or ``None``; reads the file again, so only for error messages."""
        for path, headers, found in (
            (self.credentials_path, (name,), self.credentials_profile(name)),
            (
                self.config_path,
                ("default", "profile default") if name == "default" else (f"profile {name}",),
                self.config_profile(name),
            ),
        ):
            if found is not None and key in found:
                line = _setting_line(path, headers, key)
                return f"{path}, line {line}" if line is not None else path
        return None

    def profile_names(self) -> list[str]:
        """Every profile name found in either file (config file first)."""
        names = list(self._config_maps()[0])
        names += [n for n in self._credential_sections() if n not in names]
        return names

    def services(self, name: str) -> Profile | None:
        """The config file's ``[services name]`` section, if there is one."""
        return self._config_maps()[1].get(name)

    def sso_session(self, name: str) -> Profile | None:
        """The config file's ``[sso-session name]`` section, if there is one."""
        return self._config_maps()[2].get(name)
