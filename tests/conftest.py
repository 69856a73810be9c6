"""Suite-wide settings.

* The tests talk to loopback servers only, never through a proxy.
* Hypothesis: with the ``CI`` environment variable set (CI runs with ``CI=true``), the ``ci``
  profile derandomizes every property test, so a CI run is reproducible; locally the default
  profile keeps exploring new examples. Select one explicitly with
  ``pytest --hypothesis-profile=ci``.
* ``tests/typing/`` is checked by mypy, never run.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")

collect_ignore = ["typing"]

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy configured on the machine running the tests must not reroute loopback calls."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
