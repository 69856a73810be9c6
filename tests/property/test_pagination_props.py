"""Property tests of pagination against a position-based fake service.

The fake (``tests.strategies.PositionService``) mints opaque base64 tokens with '+', '/' and '='
that encode an item offset, so the page at a token starts at the same item whatever the page
size: exactly the model under which resuming with another PageSize must be exact.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._tokens import StartPosition, decode_token, encode_token
from tests.strategies import (
    PositionService,
    drive,
    new_state,
    resume_contents,
    service_token,
)

SIZES = st.integers(min_value=0, max_value=300)
PAGE_SIZES = st.none() | st.integers(min_value=1, max_value=40)
MAX_ITEMS = st.none() | st.integers(min_value=1, max_value=60)

#: One resumption: (PageSize, MaxItems).
ROUNDS = st.lists(st.tuples(PAGE_SIZES, MAX_ITEMS), min_size=1, max_size=12)


def run_listing(
    service: PositionService,
    page_size: int | None,
    max_items: int | None,
    token: str | None,
) -> tuple[list[int], str | None]:
    """One paginate() call: the items shown and its resume token."""
    state = new_state(page_size=page_size, max_items=max_items, starting_token=token)
    pages = drive(state, service)
    return [item for page in pages for item in page], state.resume_token


@settings(max_examples=150, deadline=None)
@given(n=SIZES, rounds=ROUNDS)
def test_following_resume_tokens_visits_every_item_once(
    n: int, rounds: list[tuple[int | None, int | None]]
) -> None:
    """Chained listings (PageSize and MaxItems varying each time) show 0..n-1 once, in order."""
    service = PositionService(n)
    shown: list[int] = []
    token: str | None = None
    index = 0
    while True:
        page_size, max_items = rounds[index % len(rounds)]
        index += 1
        items, token = run_listing(service, page_size, max_items, token)
        if max_items is not None:
            assert len(items) <= max_items
        shown += items
        if token is None:
            break
        assert index <= n + len(rounds)  # each round with a token made progress
    assert list(range(n)) == shown


@settings(max_examples=150, deadline=None)
@given(
    n=SIZES,
    page_size=PAGE_SIZES,
    max_items=MAX_ITEMS,
    stop_after=st.integers(min_value=0, max_value=30),
    new_page_size=PAGE_SIZES,
)
def test_position_token_resumes_exactly(
    n: int,
    page_size: int | None,
    max_items: int | None,
    stop_after: int,
    new_page_size: int | None,
) -> None:
    """Stopping after any number of pages, position_token continues at the first unseen item."""
    service = PositionService(n)
    state = new_state(page_size=page_size, max_items=max_items)
    shown: list[int] = []
    for _ in range(stop_after):
        params = state.next_request()
        if params is None:
            break
        shown += state.receive(*service.page(params))
    rest, _ = run_listing(service, new_page_size, None, state.position_token())
    assert list(range(len(shown))) == shown
    assert list(range(n)) == shown + rest


@settings(max_examples=100, deadline=None)
@given(n=SIZES, page_size=PAGE_SIZES, max_items=st.integers(min_value=0, max_value=60))
def test_max_items_shows_exactly_min_of_max_and_n(
    n: int, page_size: int | None, max_items: int
) -> None:
    """A listing with MaxItems shows exactly min(MaxItems, n) items, the first ones."""
    items, token = run_listing(PositionService(n), page_size, max_items, None)
    assert list(range(min(max_items, n))) == items
    if max_items < n:
        assert token is not None


@settings(max_examples=100, deadline=None)
@given(n=SIZES, page_size=st.integers(min_value=1, max_value=40))
def test_page_size_is_sent_on_every_request(n: int, page_size: int) -> None:
    """Every request of a listing carries maxResults = PageSize."""
    service = PositionService(n)
    run_listing(service, page_size, None, None)
    assert service.requests
    assert all(request["maxResults"] == page_size for request in service.requests)


@given(resume_contents)
def test_tokens_round_trip(contents: tuple[str | None, int | None]) -> None:
    """encode -> decode is the identity on (service token, skip)."""
    token, amount = contents
    decoded = decode_token(encode_token({"nextToken": token}, amount), ("nextToken",))
    assert StartPosition({"nextToken": token}, amount or 0) == decoded


@given(st.integers(min_value=0, max_value=10**9), st.none() | st.integers(0, 1000))
def test_fake_service_tokens_round_trip(offset: int, amount: int | None) -> None:
    """Resume tokens wrapping the fake's '+/='-laden tokens decode back to them."""
    token = service_token(offset)
    decoded = decode_token(encode_token({"nextToken": token}, amount), ("nextToken",))
    assert StartPosition({"nextToken": token}, amount or 0) == decoded
