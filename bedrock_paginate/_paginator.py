"""The pagination core: boto3's ``MaxItems`` / ``PageSize`` / ``StartingToken`` semantics as a
pure state machine (sans-I/O, in the manner of h11).

A shell asks :meth:`PaginationState.next_request` for the token and limit parameters of the next
request (``None`` when the listing is over), sends the request itself, and hands the page's
output tokens and items to :meth:`PaginationState.receive`, which returns the items to show.
Everything that changes pagination state lives in this file; it knows nothing of HTTP, JSON,
Bedrock or async.

Where botocore is wrong, this is right:

* A resume token minted with a large ``PageSize`` and used with a smaller one: botocore skips
  ``boto_truncate_amount`` items of the (now shorter) first page only and so repeats items. Here
  the skip that a page cannot absorb carries over to the following pages.
* botocore only compares a token with the previous one, so a cycle of two pages runs forever.
  Here any token seen before is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from ._tokens import decode_token, encode_token
from .errors import PaginationError, ParamValidationError
from .models import attribute_of

__all__ = [
    "LIST_MODEL_INVOCATION_JOBS",
    "PaginationSettings",
    "PaginationState",
    "PaginatorConfig",
    "page_items",
    "page_output_tokens",
    "page_with_items",
    "parse_pagination_config",
]

T = TypeVar("T")

_PAGINATION_KEYS = ("MaxItems", "PageSize", "StartingToken")
# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
_INT_TEXT = re.compile(r"-?[0-9]+")


@attrs.frozen(kw_only=True)
class PaginatorConfig:
    """What makes an operation pageable (botocore's ``paginators-1.json`` entry)."""

    input_token: tuple[str, ...]
    output_token: tuple[str, ...]
    limit_key: str | None
    result_key: str
    max_page_size: int | None = None


#: ``bedrock/2023-04-20/paginators-1.json`` for ListModelInvocationJobs.
LIST_MODEL_INVOCATION_JOBS = PaginatorConfig(
    input_token=("nextToken",),
    output_token=("nextToken",),
    limit_key="maxResults",
    result_key="invocationJobSummaries",
    max_page_size=1000,
)


def page_output_tokens(config: PaginatorConfig, page: Any) -> dict[str, Any]:
    """The output tokens of a decoded page, by wire name (for :meth:`PaginationState.receive`)."""
    return {name: getattr(page, attribute_of(type(page), name)) for name in config.output_token}


def page_items(config: PaginatorConfig, page: Any) -> Sequence[Any]:
    """The items of a decoded page (its ``result_key`` member)."""
    items: Sequence[Any] = getattr(page, attribute_of(type(page), config.result_key))
    return items


def page_with_items(config: PaginatorConfig, page: T, items: Sequence[Any]) -> T:
    """``page`` with its items replaced (the same page when nothing was dropped)."""
    if len(items) == len(page_items(config, page)):
        return page
    return attrs.evolve(page, **{attribute_of(type(page), config.result_key): tuple(items)})  # type: ignore[misc]


@attrs.frozen(kw_only=True)
class PaginationSettings:
    """A validated ``PaginationConfig``."""

    max_items: int | None = None
    page_size: int | None = None
    starting_token: str | None = None


def _int_setting(name: str, value: object, *, minimum: int, maximum: int | None) -> int:
    if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        value = int(value)  # boto3 accepts numeric strings; so do we
    if isinstance(value, bool) or not isinstance(value, int):
        allowed = f"an int from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
        raise ParamValidationError(
            f"PaginationConfig {name} must be {allowed}, got {type(value).__name__} {value!r}",
            param=name,
        )
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
        raise ParamValidationError(
            f"PaginationConfig {name} must be {allowed}, got {value}", param=name
        )
    return value


def parse_pagination_config(
    config: Mapping[str, Any] | None, paginator: PaginatorConfig
) -> PaginationSettings:
    """Validate a boto3-style ``PaginationConfig`` mapping (before any request is sent)."""
    if config is None:
        return PaginationSettings()
    if not isinstance(config, Mapping):
        raise ParamValidationError(
            f"PaginationConfig must be a dict with keys {', '.join(_PAGINATION_KEYS)}, "
            f"got {type(config).__name__}",
            param="PaginationConfig",
        )
    unknown = [k for k in config if k not in _PAGINATION_KEYS]
    if unknown:
        raise ParamValidationError(
            f"Unknown PaginationConfig key {unknown[0]!r}; "
            f"valid keys: {', '.join(_PAGINATION_KEYS)}",
            param="PaginationConfig",
        )
    max_items = config.get("MaxItems")
    page_size = config.get("PageSize")
    token = config.get("StartingToken")
    if page_size is not None and paginator.limit_key is None:
        raise ParamValidationError("PageSize is not supported by this operation", param="PageSize")
    if token is not None and not isinstance(token, str):
        raise ParamValidationError(
            f"PaginationConfig StartingToken must be a str, got {type(token).__name__}",
            param="StartingToken",
        )
    return PaginationSettings(
        max_items=None
        if max_items is None
        else _int_setting("MaxItems", max_items, minimum=0, maximum=None),
        page_size=None
        if page_size is None
        else _int_setting("PageSize", page_size, minimum=1, maximum=paginator.max_page_size),
        starting_token=token,
    )


class PaginationState(Generic[T]):
    """Where a listing is: the tokens of the next page, items still to skip, items returned.

    ``resume_token`` is set, as in boto3, only when ``MaxItems`` stopped the listing early.
    :meth:`position_token` is where to resume if the listing stopped *now* (after a failure).
    """

    def __init__(
        self,
        config: PaginatorConfig,
        settings: PaginationSettings | None = None,
    ) -> None:
        settings = settings or PaginationSettings()
        self.config = config
        self.max_items = settings.max_items
        self.page_size = settings.page_size
        self.resume_token: str | None = None
        self.total_items = 0
        self.pages = 0
        self.done = False
        self._tokens: dict[str, str | None] = dict.fromkeys(config.input_token)
        self._skip = 0
        self._seen: set[tuple[str | None, ...]] = set()
        self._cycle_error: PaginationError | None = None
        self._page_start: tuple[dict[str, str | None], int] = (dict(self._tokens), 0)
        if settings.starting_token is not None:
            start = decode_token(settings.starting_token, config.input_token)
            self._tokens = dict(start.tokens)
            self._skip = start.skip
            self._page_start = (dict(self._tokens), self._skip)
            if any(v is not None for v in self._tokens.values()):
                self._seen.add(self._key(self._tokens))

    @staticmethod
    def _key(tokens: Mapping[str, str | None]) -> tuple[str | None, ...]:
        return tuple(tokens.values())

    def next_request(self) -> dict[str, Any] | None:
        """Token and limit parameters for the next request, or ``None`` when finished.

        A token absent (or the literal ``"None"``, as botocore treats it) is sent as no parameter.
        Raises PaginationError when the service sent a token twice (a cycle).
        """
        if self.done:
            return None
        if self._cycle_error is not None:
            self.done = True
            raise self._cycle_error
        params: dict[str, Any] = {
            name: value
            for name, value in self._tokens.items()
            if value is not None and value != "None"
        }
        if self.config.limit_key is not None and self.page_size is not None:
            params[self.config.limit_key] = self.page_size
        return params

    def position_token(self) -> str:
        """A StartingToken that continues at the first item not yet returned."""
        if self.resume_token is not None:
            return self.resume_token
        return encode_token(self._tokens, self._skip or None)

    def page_position(self, returned: int) -> str:
        """A StartingToken that continues after ``returned`` items of the last page received.

        For a consumer that stops half-way through a page (``break``, Ctrl-C).
        """
        tokens, skip = self._page_start
        return encode_token(tokens, (skip + returned) or None)

    def receive(self, output_tokens: Mapping[str, str | None], items: Sequence[T]) -> Sequence[T]:
        """Take one page; return the items to show, and move to the next page (or finish).

        A token the service already sent is a cycle: the items of this page are still
        returned, the *next* :meth:`next_request` raises PaginationError, and the position
        stays at this page with its items skipped, so resuming never repeats an item.
        """
        if self.done:
            raise PaginationError("receive() called after the listing finished")
        self.pages += 1
        self._page_start = (dict(self._tokens), self._skip)
        skip_here = min(self._skip, len(items))
        carried_skip = self._skip - skip_here
        visible = items[skip_here:] if skip_here else items
        if self.max_items is not None:
            room = self.max_items - self.total_items
            if len(visible) > room:
                self.resume_token = encode_token(self._tokens, skip_here + room)
                self.total_items += room
                self.done = True
                return visible[:room]
        self.total_items += len(visible)
        next_tokens = {
            inp: (output_tokens.get(out) or None)
            for inp, out in zip(self.config.input_token, self.config.output_token, strict=True)
        }
        if all(v is None for v in next_tokens.values()):
            # Past the last item: resuming from position_token() returns nothing more.
            self._skip = max(self._skip, len(items))
            self.done = True
            return visible
        key = self._key(next_tokens)
        if key in self._seen:
            # Following the token would return items again: stay on this page, past its items.
            self._skip = skip_here + len(visible) + carried_skip
            if self.max_items is not None and self.total_items == self.max_items:
                self.resume_token = encode_token(self._tokens, self._skip)
                self.done = True
            else:
                self._cycle_error = PaginationError(
                    f"the service returned a nextToken it had already returned (after page "
                    f"{self.pages}); stopping to avoid an endless loop"
                )
            return visible
        if self.max_items is not None and self.total_items == self.max_items:
            self.resume_token = encode_token(next_tokens, carried_skip or None)
            self.done = True
            return visible
        self._seen.add(key)
        self._tokens = next_tokens
        self._skip = carried_skip
        return visible
