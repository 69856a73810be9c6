"""PaginationState (bedrock_paginate._paginator): boto3's MaxItems / PageSize / StartingToken rules.

The ``BOTOCORE_LISTINGS`` table was produced by hand with botocore 1.43.11 (an independent
implementation): ``botocore.paginate.Paginator`` over a stub operation that behaves like
``tests.strategies.PositionService`` (same tokens, default page size 4), recording the items of each
page, ``resume_token`` and the kwargs of every call. botocore is not imported here.
"""

from __future__ import annotations

from typing import Any

import pytest

from bedrock_paginate._paginator import (
    LIST_MODEL_INVOCATION_JOBS,
    PaginationSettings,
    PaginatorConfig,
    parse_pagination_config,
)
from bedrock_paginate._tokens import decode_token, encode_token
from bedrock_paginate.errors import (
    InvalidStartingTokenError,
    PaginationError,
    ParamValidationError,
)
from tests.strategies import PositionService, drive, new_state, service_token

# Resume tokens (botocore 1.43.11's bytes); T4 / T8 are the fake service's tokens for items 4 / 8.
T4 = service_token(4)  # "+/+/NA=="
T7 = service_token(7)  # "+/+/Nw=="
T8 = service_token(8)  # "+/+/OA=="
P3 = {"maxResults": 3}
NULL_0 = "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAwfQ=="  # {null, 0}
NULL_1 = "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="  # {null, 1}
NULL_2 = "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ=="  # {null, 2}
NULL_3 = "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAzfQ=="  # {null, 3}
AT_T4 = "eyJuZXh0VG9rZW4iOiAiKy8rL05BPT0ifQ=="  # {T4}
AT_T8 = "eyJuZXh0VG9rZW4iOiAiKy8rL09BPT0ifQ=="  # {T8}
T4_1 = "eyJuZXh0VG9rZW4iOiAiKy8rL05BPT0iLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="  # {T4, 1}
T4_2 = "eyJuZXh0VG9rZW4iOiAiKy8rL05BPT0iLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ=="  # {T4, 2}
T4_3 = "eyJuZXh0VG9rZW4iOiAiKy8rL05BPT0iLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAzfQ=="  # {T4, 3}
P4 = {"maxResults": 4}

# n, PageSize, MaxItems, StartingToken -> pages shown, resume_token, request kwargs (botocore's).
BOTOCORE_LISTINGS = [
    pytest.param(10, 4, 6, None, [[0, 1, 2, 3], [4, 5]], T4_2, [P4, {**P4, "nextToken": T4}],
                 id="truncated-mid-page"),
    pytest.param(10, 4, 3, None, [[0, 1, 2]], NULL_3, [P4], id="first-page-truncation"),
    pytest.param(10, 4, 8, None, [[0, 1, 2, 3], [4, 5, 6, 7]], AT_T8,
                 [P4, {**P4, "nextToken": T4}], id="page-boundary"),
    pytest.param(10, 4, 4, None, [[0, 1, 2, 3]], AT_T4, [P4], id="first-page-boundary"),
    pytest.param(10, 4, 10, None, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], None,
                 [P4, {**P4, "nextToken": T4}, {**P4, "nextToken": T8}], id="max-items-is-all"),
    pytest.param(10, 4, None, None, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], None,
                 [P4, {**P4, "nextToken": T4}, {**P4, "nextToken": T8}], id="no-limits"),
    pytest.param(10, None, 5, None, [[0, 1, 2, 3], [4]], T4_1, [{}, {"nextToken": T4}],
                 id="no-page-size"),
    pytest.param(10, 4, 0, None, [[]], NULL_0, [P4], id="max-items-zero"),
    pytest.param(0, 4, 0, None, [[]], None, [P4], id="max-items-zero-empty"),
    pytest.param(10, 4, 3, NULL_3, [[3], [4, 5]], T4_2, [P4, {**P4, "nextToken": T4}],
                 id="starting-truncation-then-next-page-truncation"),
    pytest.param(10, 4, 2, NULL_1, [[1, 2]], NULL_3, [P4],
                 id="starting-truncation-then-same-page-truncation"),
    pytest.param(10, 4, 1, T4_1, [[5]], T4_2, [{**P4, "nextToken": T4}],
                 id="mid-listing-truncation-twice"),
    pytest.param(10, 4, 6, NULL_1, [[1, 2, 3], [4, 5, 6]], T4_3, [P4, {**P4, "nextToken": T4}],
                 id="starting-truncation-carried-into-next"),
    pytest.param(10, 4, 1, NULL_3, [[3]], AT_T4, [P4], id="starting-truncation-then-boundary"),
    pytest.param(10, 4, None, T4_2, [[6, 7], [8, 9]], None,
                 [{**P4, "nextToken": T4}, {**P4, "nextToken": T8}], id="resume-to-end"),
    pytest.param(10, 3, None, T4, [[4, 5, 6], [7, 8, 9]], None,
                 [{**P3, "nextToken": T4}, {**P3, "nextToken": T7}], id="raw-service-token"),
    pytest.param(10, 3, None, T4 + "___2", [[6], [7, 8, 9]], None,
                 [{**P3, "nextToken": T4}, {**P3, "nextToken": T7}], id="legacy-token"),
    pytest.param(10, 4, 0, T4_2, [[]], T4_2, [{**P4, "nextToken": T4}],
                 id="max-items-zero-resumed"),
    pytest.param(10, 4, 2, AT_T8, [[8, 9]], None, [{**P4, "nextToken": T8}], id="last-page"),
    pytest.param(7, 3, 5, AT_T8, [[]], None, [{"maxResults": 3, "nextToken": T8}],
                 id="past-the-end"),
    pytest.param(3, 4, None, NULL_1, [[1, 2]], None, [P4], id="starting-truncation-one-page"),
    pytest.param(3, 4, 1, NULL_1, [[1]], NULL_2, [P4], id="one-page-truncated-twice"),
]  # fmt: skip


def settings(**config: Any) -> PaginationSettings:
    """parse_pagination_config for ListModelInvocationJobs."""
    return parse_pagination_config(config, LIST_MODEL_INVOCATION_JOBS)


def listing(
    n: int,
    *,
    page_size: int | None = None,
    max_items: int | None = None,
    starting_token: str | None = None,
) -> tuple[list[int], str | None]:
    """All items one listing shows, and its resume token."""
    state = new_state(page_size=page_size, max_items=max_items, starting_token=starting_token)
    pages = drive(state, PositionService(n))
    return [item for page in pages for item in page], state.resume_token


@pytest.mark.parametrize(
    ("n", "page_size", "max_items", "start", "pages", "resume", "requests"), BOTOCORE_LISTINGS
)
def test_matches_botocore_listing(
    n: int,
    page_size: int | None,
    max_items: int | None,
    start: str | None,
    pages: list[list[int]],
    resume: str | None,
    requests: list[dict[str, Any]],
) -> None:
    """Pages, resume token and requests are exactly botocore's for the same listing."""
    service = PositionService(n)
    state = new_state(page_size=page_size, max_items=max_items, starting_token=start)
    assert pages == drive(state, service)
    assert resume == state.resume_token
    assert requests == service.requests


def test_max_items_zero_on_empty_first_page_with_more_pages() -> None:
    """MaxItems=0 and an empty first page with a next token: resume at that token (as boto3)."""
    state = new_state(max_items=0)
    assert state.next_request() == {}
    assert list(state.receive({"nextToken": service_token(0)}, [])) == []
    assert state.next_request() is None
    # botocore 1.43.11 gives this resume token for the same two-page stub.
    assert state.resume_token == "eyJuZXh0VG9rZW4iOiAiKy8rL01BPT0ifQ=="


def test_mid_page_truncation_resume_token_content() -> None:
    """MaxItems mid-page: the page is cut and the token says 'page at T, skip N'."""
    state = new_state(page_size=4, max_items=6)
    assert drive(state, PositionService(10)) == [[0, 1, 2, 3], [4, 5]]
    assert state.resume_token is not None
    position = decode_token(state.resume_token, ("nextToken",))
    assert ({"nextToken": service_token(4)}, 2) == (position.tokens, position.skip)


def test_page_boundary_resume_token_is_the_next_token() -> None:
    """MaxItems on a page boundary: the resume token is just the next token, no truncate key."""
    state = new_state(page_size=4, max_items=8)
    drive(state, PositionService(10))
    assert encode_token({"nextToken": service_token(8)}) == state.resume_token


def test_no_resume_token_when_listing_completes() -> None:
    """A listing that reaches the last page has no resume token."""
    state = new_state(page_size=3, max_items=100)
    drive(state, PositionService(10))
    assert state.resume_token is None


def test_page_size_is_sent_as_max_results_on_every_request() -> None:
    """PageSize becomes maxResults on every request, not just the first."""
    service = PositionService(23)
    drive(new_state(page_size=5), service)
    assert len(service.requests) == 5
    assert all(request["maxResults"] == 5 for request in service.requests)


def test_no_max_results_without_page_size() -> None:
    """Without PageSize no maxResults is sent (the service's default applies)."""
    service = PositionService(9)
    drive(new_state(), service)
    assert all("maxResults" not in request for request in service.requests)


def test_empty_string_next_token_ends_listing() -> None:
    """An empty-string nextToken from the service ends the listing (as boto3)."""
    state = new_state()
    assert state.next_request() == {}
    assert list(state.receive({"nextToken": ""}, [1])) == [1]
    assert state.next_request() is None
    assert state.resume_token is None


def test_missing_next_token_ends_listing() -> None:
    """A page without nextToken is the last one."""
    state = new_state()
    state.next_request()
    state.receive({}, [1, 2])
    assert state.next_request() is None


def test_cycle_of_one_page_is_detected() -> None:
    """A page that returns its own token: its items are returned, then the next request fails."""
    state = new_state()
    state.next_request()
    state.receive({"nextToken": "A"}, [1])
    assert state.next_request() == {"nextToken": "A"}
    assert list(state.receive({"nextToken": "A"}, [2])) == [2]
    with pytest.raises(PaginationError, match="already returned"):
        state.next_request()
    assert state.next_request() is None


def test_cycle_of_two_pages_is_detected() -> None:
    """A -> B -> A is a cycle (boto3 only compares with the previous token and loops forever)."""
    state = new_state()
    state.next_request()
    state.receive({"nextToken": "A"}, [1])
    assert state.next_request() == {"nextToken": "A"}
    state.receive({"nextToken": "B"}, [2])
    assert state.next_request() == {"nextToken": "B"}
    assert list(state.receive({"nextToken": "A"}, [3])) == [3]
    with pytest.raises(PaginationError):
        state.next_request()


def test_cycle_back_to_the_starting_token_is_detected() -> None:
    """The StartingToken counts as seen: the service sending it again is a cycle."""
    state = new_state(starting_token="A")
    assert state.next_request() == {"nextToken": "A"}
    state.receive({"nextToken": "A"}, [1])
    with pytest.raises(PaginationError):
        state.next_request()


def test_distinct_tokens_are_not_a_cycle() -> None:
    """Many pages with new tokens each run to the end."""
    assert (list(range(500)), None) == listing(500, page_size=3)


def test_receive_after_finish_is_an_error() -> None:
    """receive() after the listing finished is a programming error, reported clearly."""
    state = new_state()
    state.next_request()
    state.receive({}, [1])
    with pytest.raises(PaginationError, match="after the listing finished"):
        state.receive({}, [2])


def test_literal_none_token_is_not_sent() -> None:
    """A token 'None' (botocore's legacy null) is sent as no parameter."""
    state = new_state(starting_token="None___2")
    assert state.next_request() == {}


def test_counts_pages_and_items() -> None:
    """pages and total_items count what was received and shown."""
    state = new_state(page_size=4, max_items=6)
    drive(state, PositionService(10))
    assert (state.pages, state.total_items) == (2, 6)


# --- resuming with another PageSize: where boto3 is wrong -----------------------------------


def test_resume_with_smaller_page_size_is_exact() -> None:
    """A {null, 3} token resumed with PageSize 2 continues at item 3, no repeats.

    botocore 1.43.11 on the same stub returns pages [[], [2, 3], [4, 5], [6, 7], [8, 9]]: it
    skips 3 items of the 2-item first page only, so item 2 (already returned) comes again.
    """
    state = new_state(page_size=2, starting_token=NULL_3)
    assert drive(state, PositionService(10)) == [[], [3], [4, 5], [6, 7], [8, 9]]


def test_resume_with_smaller_page_size_and_max_items_mints_exact_token() -> None:
    """Carried skip plus MaxItems: items 3..6 and a token that continues at item 7.

    botocore 1.43.11 returns [[], [2, 3], [4, 5]] and resume token {T6} here: item 2, already
    shown before the token was minted, comes again.
    """
    state = new_state(page_size=2, max_items=4, starting_token=NULL_3)
    assert drive(state, PositionService(10)) == [[], [3], [4, 5], [6]]
    assert encode_token({"nextToken": service_token(6)}, 1) == state.resume_token
    assert (list(range(7, 10)), None) == listing(10, page_size=3, starting_token=state.resume_token)


def test_skip_larger_than_remaining_items_ends_cleanly() -> None:
    """A skip that runs past the last item yields nothing and finishes."""
    assert listing(5, page_size=2, starting_token=encode_token({"nextToken": None}, 9)) == (
        [],
        None,
    )


# --- position_token ---------------------------------------------------------------------------


@pytest.mark.parametrize("pages_seen", [0, 1, 2, 3, 4])
def test_position_token_after_some_pages_resumes_exactly(pages_seen: int) -> None:
    """Stopping after any number of pages, position_token continues at the next item."""
    service = PositionService(14)
    state = new_state(page_size=3, starting_token=NULL_1)
    shown: list[int] = []
    for _ in range(pages_seen):
        params = state.next_request()
        assert params is not None
        shown += state.receive(*service.page(params))
    rest, _ = listing(14, page_size=5, starting_token=state.position_token())
    assert list(range(1, 14)) == shown + rest


def test_position_token_before_any_page_is_the_start() -> None:
    """Before any request, position_token is the starting position."""
    state = new_state(starting_token=T4_2)
    assert state.position_token() == T4_2


def test_position_token_after_max_items_is_the_resume_token() -> None:
    """After MaxItems stopped the listing, position_token equals resume_token."""
    for max_items in (3, 4, 6, 8):
        state = new_state(page_size=4, max_items=max_items)
        drive(state, PositionService(10))
        assert state.resume_token == state.position_token()


def test_position_token_after_last_page_resumes_to_nothing() -> None:
    """After the last page, resuming from position_token shows no item again."""
    state = new_state(page_size=4)
    drive(state, PositionService(10))
    assert listing(10, page_size=4, starting_token=state.position_token()) == ([], None)


def test_position_token_after_single_page_listing_resumes_to_nothing() -> None:
    """A one-page listing (no token at all): position_token still points past its items."""
    state = new_state()
    drive(state, PositionService(3))
    assert listing(3, starting_token=state.position_token()) == ([], None)


def test_position_token_after_cycle_points_at_repeated_page() -> None:
    """After a cycle error, position_token is the cycling page past its items (none lost,
    none repeated)."""
    state = new_state()
    state.next_request()
    state.receive({"nextToken": "A"}, [1])
    state.next_request()
    state.receive({"nextToken": "A"}, [2])
    with pytest.raises(PaginationError):
        state.next_request()
    assert encode_token({"nextToken": "A"}, 1) == state.position_token()


def test_cycle_on_the_max_items_boundary_resumes_past_the_page() -> None:
    """MaxItems reached on a page whose nextToken repeats: the resume token skips that page's
    items instead of following the cycle back to items already returned."""
    state = new_state(max_items=2)
    state.next_request()
    state.receive({"nextToken": "A"}, [1])
    state.next_request()
    state.receive({"nextToken": "A"}, [2])
    assert state.next_request() is None
    assert encode_token({"nextToken": "A"}, 1) == state.resume_token


def test_page_position_points_inside_the_last_page() -> None:
    """page_position(k) resumes after k items of the last page received."""
    state = new_state(page_size=4)
    state.next_request()
    state.receive({"nextToken": "B"}, [1, 2, 3, 4])
    assert encode_token({"nextToken": None}, 3) == state.page_position(3)
    state.next_request()
    state.receive({"nextToken": "C"}, [5, 6, 7, 8])
    assert encode_token({"nextToken": "B"}, 1) == state.page_position(1)


# --- PaginationConfig validation --------------------------------------------------------------


def test_config_none_is_default() -> None:
    """No PaginationConfig: no limits and no starting token."""
    assert PaginationSettings() == parse_pagination_config(None, LIST_MODEL_INVOCATION_JOBS)


def test_config_values_are_kept() -> None:
    """Valid MaxItems, PageSize and StartingToken are returned as given."""
    expected = PaginationSettings(max_items=0, page_size=1000, starting_token="t")
    assert expected == settings(MaxItems=0, PageSize=1000, StartingToken="t")


def test_config_numeric_strings_are_accepted() -> None:
    """Numeric strings are converted, as boto3 does with int()."""
    assert PaginationSettings(max_items=7, page_size=5) == settings(MaxItems="7", PageSize=" 5")


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("PageSize", 0, "from 1 to 1000, got 0"),
        ("PageSize", 1001, "from 1 to 1000, got 1001"),
        ("PageSize", -3, "from 1 to 1000"),
        ("PageSize", True, "got bool"),
        ("PageSize", 2.0, "got float"),
        ("PageSize", "ten", "got str"),
        ("PageSize", "²", "got str"),
        ("PageSize", "--5", "got str"),
        ("PageSize", "1001", "got 1001"),
        ("PageSize", [5], "got list"),
        ("MaxItems", -1, "from 0 up, got -1"),
        ("MaxItems", "-1", "from 0 up, got -1"),
        ("MaxItems", False, "got bool"),
        ("MaxItems", 1.5, "got float"),
    ],
)
def test_config_bad_number_is_refused(key: str, value: object, fragment: str) -> None:
    """Out-of-range or wrongly typed PageSize / MaxItems: a clear error naming the setting."""
    with pytest.raises(ParamValidationError, match=fragment) as info:
        settings(**{key: value})
    assert key == info.value.param
    assert key in str(info.value)


def test_config_unknown_key_is_refused() -> None:
    """An unknown PaginationConfig key is refused with the valid keys listed."""
    with pytest.raises(ParamValidationError, match="MaxItems, PageSize, StartingToken") as info:
        settings(PageSise=5)
    assert "'PageSise'" in str(info.value)


@pytest.mark.parametrize("token", [5, b"tok", {"nextToken": "t"}])
def test_config_non_string_starting_token_is_refused(token: object) -> None:
    """A StartingToken that is not a str is refused."""
    with pytest.raises(ParamValidationError, match="must be a str") as info:
        settings(StartingToken=token)
    assert info.value.param == "StartingToken"


def test_config_not_a_mapping_is_refused() -> None:
    """PaginationConfig must be a dict."""
    bad: Any = [("MaxItems", 1)]
    with pytest.raises(ParamValidationError, match="must be a dict"):
        parse_pagination_config(bad, LIST_MODEL_INVOCATION_JOBS)


def test_page_size_without_limit_key_is_refused() -> None:
    """PageSize on an operation without a limit key is refused (as botocore)."""
    config = PaginatorConfig(
        input_token=("t",), output_token=("t",), limit_key=None, result_key="r"
    )
    with pytest.raises(ParamValidationError, match="not supported"):
        parse_pagination_config({"PageSize": 5}, config)


def test_malformed_starting_token_fails_before_any_request() -> None:
    """A malformed token of ours fails when the state is built, before next_request()."""
    injected = "eyJuZXh0VG9rZW4iOiAidCIsICJzdGF0dXNFcXVhbHMiOiAiRmFpbGVkIn0="  # + statusEquals
    with pytest.raises(InvalidStartingTokenError, match="statusEquals"):
        new_state(starting_token=injected)
