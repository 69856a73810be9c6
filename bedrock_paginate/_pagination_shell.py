"""Paginators and page iterators: the page loop of each shell, over a client's ``_call``.

``Paginator`` / ``AsyncPaginator`` check ``paginate()``'s arguments and decode a starting token
before any request; ``PageIterator`` / ``AsyncPageIterator`` run the *page loop* (``__iter__`` /
``__aiter__``): ask the pure :class:`~bedrock_paginate._paginator.PaginationState` for the next
request, call the client, hand the page back. The token, limit and result names come from the
operation's paginator config, so another paginated operation needs no code here. The two loops
sit one after the other so they can be compared line by line.

The page iterators add one thing the pure state cannot see: how far ``jobs()`` got into the
current page, so ``position_token()`` resumes at the next job after a ``break`` or Ctrl-C. An
error raised mid-listing gets that position as ``resume_token`` in one place, ``_resume_here``.

Imports no httpx and, at run time, not ``_client`` (the clients create these objects; the
names appear here only for type checkers). JMESPath is imported by ``search()`` only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._operations import Operation
from ._paginator import (
    PaginationState,
    PaginatorConfig,
    page_items,
    page_output_tokens,
    page_with_items,
    parse_pagination_config,
)
from ._serialize import validate_resume_request
from .errors import BedrockPaginateError, ParamValidationError
from .models import JobSummary, Page

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._client import AsyncClient, Client
    from ._options import PaginateParams

__all__ = ["AsyncPageIterator", "AsyncPaginator", "PageIterator", "Paginator"]


_CLIENT = TypeVar("_CLIENT", "Client", "AsyncClient")


def _resume_here(error: BedrockPaginateError, pages: _PageIteratorBase[Any]) -> None:
    """Attach where to resume to an error raised mid-listing: the one place that does."""
    error.resume_token = pages.position_token()


class _PaginatorBase(Generic[_CLIENT]):
    def __init__(self, client: _CLIENT, operation: Operation) -> None:
        self._client: _CLIENT = client
        self._operation = operation
        assert operation.paginator is not None  # get_paginator checked it
        self._config: PaginatorConfig = operation.paginator

    def _prepare(
        self, arguments: Mapping[str, Any]
    ) -> tuple[dict[str, Any], Callable[[], PaginationState[JobSummary]]]:
        kwargs = dict(arguments)
        settings = parse_pagination_config(kwargs.pop("PaginationConfig", None), self._config)
        for name in (*self._config.input_token, self._config.limit_key):
            if name is not None and name in kwargs:
                hint = "StartingToken" if name in self._config.input_token else "PageSize"
                raise ParamValidationError(
                    f"{name} cannot be passed to paginate(); use "
                    f"PaginationConfig={{'{hint}': ...}} instead",
                    param=name,
                )
        params = self._operation.validate(kwargs)
        # Decode the starting token now, so a malformed one fails before any request.
        validate_resume_request(PaginationState[JobSummary](self._config, settings).next_request())
        return params, lambda: PaginationState(self._config, settings)


class Paginator(_PaginatorBase["Client"]):
    """boto3's paginator for ListModelInvocationJobs."""

    def paginate(self, **kwargs: Unpack[PaginateParams]) -> PageIterator:
        """Pages of jobs; arguments as boto3's (filters + ``PaginationConfig``)."""
        params, new_state = self._prepare(kwargs)
        return PageIterator(self._client, self._operation, params, new_state)


class AsyncPaginator(_PaginatorBase["AsyncClient"]):
    """The async paginator for ListModelInvocationJobs."""

    def paginate(self, **kwargs: Unpack[PaginateParams]) -> AsyncPageIterator:
        """Pages of jobs, asynchronously; arguments as :meth:`Paginator.paginate`."""
        params, new_state = self._prepare(kwargs)
        return AsyncPageIterator(self._client, self._operation, params, new_state)


class _PageIteratorBase(Generic[_CLIENT]):
    def __init__(
        self,
        client: _CLIENT,
        operation: Operation,
        params: dict[str, Any],
        new_state: Callable[[], PaginationState[JobSummary]],
    ) -> None:
        self._client: _CLIENT = client
        self._operation = operation
        assert operation.paginator is not None
        self._config: PaginatorConfig = operation.paginator
        self._params = params
        self._new_state = new_state
        self._state: PaginationState[JobSummary] | None = None
        # How many jobs of the current page ``jobs()`` has handed out: a consumer that stops
        # half-way through a page resumes at the next job.
        self._partial: int | None = None

    @property
    def resume_token(self) -> str | None:
        """As boto3: the token to continue with when ``MaxItems`` stopped the listing early."""
        return self._state.resume_token if self._state is not None else None

    def position_token(self) -> str:
        """Where to continue right now: the first job not yet returned (for interrupts).

        Usable at any time, also after an error or ``KeyboardInterrupt``; when iterating with
        ``jobs()``, it points inside the current page, just after the last job returned.
        """
        state = self._state or self._new_state()
        if self._partial is not None:
            return state.page_position(self._partial)
        return state.position_token()

    def page_position(self, returned: int) -> str:
        """Where to continue after the first ``returned`` jobs of the last page received."""
        state = self._state or self._new_state()
        return state.page_position(returned)

    @property
    def pages_fetched(self) -> int:
        """Pages received so far in the current iteration."""
        return self._state.pages if self._state is not None else 0

    @property
    def jobs_returned(self) -> int:
        """Jobs returned so far in the current iteration."""
        return self._state.total_items if self._state is not None else 0

    def _next_params(self, state: PaginationState[JobSummary]) -> dict[str, Any] | None:
        try:
            overrides = state.next_request()
        except BedrockPaginateError as exc:
            _resume_here(exc, self)
            raise
        return None if overrides is None else {**self._params, **overrides}

    def _start(self) -> PaginationState[JobSummary]:
        self._partial = None
        self._state = state = self._new_state()
        return state

    def _page_out(self, state: PaginationState[JobSummary], page: Page) -> Page:
        config = self._config
        items = state.receive(page_output_tokens(config, page), page_items(config, page))
        return page_with_items(config, page, items)

    def _items(self, page: Page) -> Sequence[JobSummary]:
        return page_items(self._config, page)

    def _full_result(self, jobs: list[JobSummary]) -> dict[str, Any]:
        result: dict[str, Any] = {self._config.result_key: [job.to_dict() for job in jobs]}
        if self.resume_token is not None:
            result["NextToken"] = self.resume_token
        return result


def _compile(expression: str) -> Any:
    from ._jmespath import compile_expression

    return compile_expression(expression)


def _search_page(compiled: Any, page: Page) -> Iterator[Any]:
    results = compiled.search(page.to_dict())
    if isinstance(results, list):
        yield from results
    else:
        yield results


class PageIterator(_PageIteratorBase["Client"]):
    """Iterate pages (each a :class:`Page`); ``jobs()`` flattens; as boto3's PageIterator."""

    def __iter__(self) -> Iterator[Page]:
        state = self._start()
        while (params := self._next_params(state)) is not None:
            try:
                page = self._client._call(self._operation, params)
            except BedrockPaginateError as exc:
                _resume_here(exc, self)
                raise
            yield self._page_out(state, page)

    def jobs(self) -> Iterator[JobSummary]:
        """Every job, page after page (holds one page in memory)."""
        for page in self:
            for returned, job in enumerate(self._items(page), 1):
                self._partial = returned
                yield job
            self._partial = None

    def build_full_result(self) -> dict[str, Any]:
        """boto3's dict: ``{"invocationJobSummaries": [...], "NextToken": ...}`` (O(n))."""
        return self._full_result(list(self.jobs()))

    def search(self, expression: str) -> Iterator[Any]:
        """Apply a JMESPath expression to each page's boto3 dict (needs ``jmespath``)."""
        compiled = _compile(expression)
        for page in self:
            yield from _search_page(compiled, page)


class AsyncPageIterator(_PageIteratorBase["AsyncClient"]):
    """``async for page in ...``; the async twin of :class:`PageIterator`."""

    async def __aiter__(self) -> AsyncIterator[Page]:
        state = self._start()
        while (params := self._next_params(state)) is not None:
            try:
                page = await self._client._call(self._operation, params)
            except BedrockPaginateError as exc:
                _resume_here(exc, self)
                raise
            yield self._page_out(state, page)

    async def jobs(self) -> AsyncIterator[JobSummary]:
        """Every job, page after page (holds one page in memory)."""
        async for page in self:
            for returned, job in enumerate(self._items(page), 1):
                self._partial = returned
                yield job
            self._partial = None

    async def build_full_result(self) -> dict[str, Any]:
        """boto3's dict: ``{"invocationJobSummaries": [...], "NextToken": ...}`` (O(n))."""
        return self._full_result([job async for job in self.jobs()])

    async def search(self, expression: str) -> AsyncIterator[Any]:
        """Apply a JMESPath expression to each page's boto3 dict (needs ``jmespath``)."""
        compiled = _compile(expression)
        async for page in self:
            for item in _search_page(compiled, page):
                yield item
