"""Which HTTP proxy (if any) to use for an endpoint, from the environment, as botocore does.

``HTTPS_PROXY`` / ``https_proxy`` for https endpoints, ``HTTP_PROXY`` / ``http_proxy`` for http
ones, unless ``NO_PROXY`` / ``no_proxy`` names the host: ``*`` (everything), a host name, a
domain (``example.com`` or ``.example.com`` also covers its subdomains), or an IP address, each
optionally with ``:port``. Pure: the environment is passed in. A proxy URL may hold credentials;
callers never log it.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from .errors import ConfigError

__all__ = ["proxy_for"]


def _first(environ: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    host = host.lower().strip("[]")
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, entry_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and entry_port.isdigit() and port is not None and int(entry_port) != port:
            continue
        name = (name or entry).strip("[]").lstrip(".")
        if host == name or host.endswith("." + name):
            return True
    return False


def proxy_for(endpoint_url: str, environ: Mapping[str, str]) -> str | None:
    """The proxy URL to send requests for ``endpoint_url`` through, or ``None``."""
    split = urlsplit(endpoint_url)
    if split.scheme == "https":
        proxy = _first(environ, "HTTPS_PROXY", "https_proxy")
    else:
        proxy = _first(environ, "HTTP_PROXY", "http_proxy")
    if proxy is None:
        return None
    no_proxy = _first(environ, "NO_PROXY", "no_proxy") or ""
    if split.hostname and _bypassed(split.hostname, split.port, no_proxy):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy  # as botocore: a bare host:port is an http proxy
    _check_proxy(proxy, "HTTPS_PROXY" if split.scheme == "https" else "HTTP_PROXY")
    return proxy


def _check_proxy(proxy: str, variable: str) -> None:
    """A proxy URL httpx can use, or a ConfigError that never quotes it (it may hold a
    password)."""
    try:
        parts = urlsplit(proxy)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or (port is not None and not 0 < port < 65536)
    ):
        raise ConfigError(
            f"{variable} is not a usable proxy URL; expected http://host:port or "
            "https://host:port, optionally with user:password@"
        )
