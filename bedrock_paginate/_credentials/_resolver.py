"""The credentials a client holds: :class:`CredentialResolver`, lazy load and thread-safe refresh.

Refresh follows botocore's ``RefreshableCredentials``: inside the advisory window (15 min
before expiry) one thread refreshes and the others keep the current credentials, and a failed
refresh is logged and ignored; inside the mandatory window (10 min) every thread waits for the
one refresh, and a failure raises. ``ExpiredTokenException`` marks the current credentials
rejected (:meth:`CredentialResolver.mark_expired`) so the next :meth:`~CredentialResolver.get`
refreshes them once for all threads.

The resolver does not know the providers: it calls a ``load`` function returning a
:class:`~._value.Found` (the chain walk for :meth:`CredentialResolver.from_chain`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import BedrockPaginateError, CredentialRetrievalError
from ._value import Credentials, Found, Refresher, mask_access_key, utc_now

if TYPE_CHECKING:
    from ._options import ChainOptions

__all__ = ["ADVISORY_REFRESH_SECONDS", "MANDATORY_REFRESH_SECONDS", "CredentialResolver"]

logger = logging.getLogger(__name__)

#: Refresh is attempted (by one thread, failures tolerated) this long before expiry.
ADVISORY_REFRESH_SECONDS = 15 * 60
#: Refresh is required (all threads wait, failures raise) this long before expiry.
MANDATORY_REFRESH_SECONDS = 10 * 60


class CredentialResolver:
    """The credentials a client signs with: loaded lazily, refreshed before expiry, thread-safe."""

    def __init__(
        self,
        load: Callable[[], Found],
        *,
        now: Callable[[], datetime] = utc_now,
        advisory_seconds: float = ADVISORY_REFRESH_SECONDS,
        mandatory_seconds: float = MANDATORY_REFRESH_SECONDS,
    ) -> None:
        self._load = load
        self._now = now
        self._advisory = advisory_seconds
        self._mandatory = mandatory_seconds
        self._lock = threading.Lock()
        self._current: Credentials | None = None
        self._refresh: Refresher | None = None
        #: The service rejected the current credentials as expired: refresh on the next get().
        self._rejected = False

    @classmethod
    def from_credentials(
        cls, credentials: Credentials, *, now: Callable[[], datetime] = utc_now
    ) -> CredentialResolver:
        """A resolver that always returns ``credentials`` (explicit keys)."""
        found = Found(credentials=credentials)
        return cls(lambda: found, now=now)

    @classmethod
    def from_chain(cls, options: ChainOptions) -> CredentialResolver:
        """A resolver over the default provider chain (walked on the first :meth:`get`)."""
        from ._chain import walk_chain

        return cls(lambda: walk_chain(options), now=options.now)

    def __repr__(self) -> str:
        current = self._current
        shown = (
            "not loaded"
            if current is None
            else f"{current.source}, {mask_access_key(current.access_key)}"
        )
        return f"<CredentialResolver {shown}>"

    @property
    def source(self) -> str | None:
        """Where the current credentials came from, or ``None`` before the first load."""
        current = self._current
        return None if current is None else current.source

    @property
    def current(self) -> Credentials | None:
        """The credentials loaded so far, without loading or refreshing anything."""
        return self._current

    @property
    def can_refresh(self) -> bool:
        """Whether the source can hand out new credentials (False until loaded)."""
        return self._refresh is not None

    def needs_io(self) -> bool:
        """Whether :meth:`get` would load or refresh (and so may block on I/O) right now.

        The async client calls :meth:`get` in a worker thread when this is true, so a slow
        ``credential_process`` or IMDS call never blocks the event loop.
        """
        current = self._current
        if current is None or self._rejected:
            return True
        return self._refresh is not None and current.expires_within(self._advisory, self._now())

    def mark_expired(self, stale: Credentials | None) -> None:
        """The service rejected ``stale`` as expired: the next :meth:`get` refreshes them.

        No I/O here (the caller may be an event loop). When another thread has already
        replaced ``stale``, nothing is marked, so concurrent callers share one refresh.
        """
        with self._lock:
            if self._current is not None and (stale is None or self._current == stale):
                self._rejected = True

    def get(self) -> Credentials:
        """The credentials to sign with now; loads or refreshes them when needed.

        Credentials whose source cannot refresh (explicit, environment, files) are returned as
        they are, even past an ``AWS_CREDENTIAL_EXPIRATION``: the service will say so.
        """
        current = self._current
        if current is None:
            return self._initial_load()
        if self._rejected:
            return self._refresh_rejected()
        if self._refresh is None or not current.expires_within(self._advisory, self._now()):
            return current
        if self._lock.acquire(blocking=False):
            try:
                self._refresh_if_needed(self._advisory)
            finally:
                self._lock.release()
        elif current.expires_within(self._mandatory, self._now()):
            with self._lock:
                self._refresh_if_needed(self._mandatory)
        result = self._current
        assert result is not None
        return result

    def force_refresh(self, stale: Credentials | None = None) -> Credentials:
        """Fetch new credentials now (after ``ExpiredTokenException``).

        When ``stale`` is given and another thread has already replaced it, the newer
        credentials are returned without another fetch. Raises ``CredentialRetrievalError``
        when the source cannot refresh (static keys) or the refresh fails.
        """
        with self._lock:
            if self._current is None:
                self._current, self._refresh = self._load_found()
                return self._current
            if stale is not None and self._current != stale:
                return self._current
            if self._refresh is None:
                raise CredentialRetrievalError(
                    f"The credentials from {self._current.source} were rejected as expired and "
                    "cannot be refreshed automatically; renew them and try again"
                )
            self._current = self._call_refresh()
            return self._current

    def _refresh_rejected(self) -> Credentials:
        with self._lock:
            if self._rejected:
                if self._refresh is None:
                    self._rejected = False
                    raise CredentialRetrievalError(
                        "The credentials were rejected as expired and cannot be refreshed "
                        "automatically; renew them and try again"
                    )
                self._current = self._call_refresh()
                self._rejected = False
            assert self._current is not None
            return self._current

    def _load_found(self) -> tuple[Credentials, Refresher | None]:
        found = self._load()
        return found.credentials, found.refresh

    def _initial_load(self) -> Credentials:
        with self._lock:
            if self._current is None:
                self._current, self._refresh = self._load_found()
            return self._current

    def _refresh_if_needed(self, window: float) -> None:
        """With the lock held: refresh if the current credentials are inside ``window``."""
        current = self._current
        assert current is not None
        now = self._now()
        if not current.expires_within(window, now):
            return
        mandatory = current.expires_within(self._mandatory, now)
        try:
            self._current = self._call_refresh()
        except BedrockPaginateError:
            if mandatory:
                raise
            logger.warning(
                "Refreshing %s credentials failed in the advisory window; "
                "using the current ones until they are closer to expiry",
                current.source,
                exc_info=True,
            )

    def _call_refresh(self) -> Credentials:
        assert self._refresh is not None
        try:
            fresh = self._refresh()
        except BedrockPaginateError:
            raise
        except Exception as exc:
            raise CredentialRetrievalError(
                f"Refreshing credentials failed: {type(exc).__name__}"
            ) from exc
        if fresh.expiration is not None and fresh.expiration <= self._now():
            raise CredentialRetrievalError(
                f"Credentials were refreshed from {fresh.source}, "
                "but the new ones are already expired"
            )
        return fresh
