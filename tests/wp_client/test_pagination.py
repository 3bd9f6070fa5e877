"""Page-by-page reading: exact query, stop conditions, and every page checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from tests.wp_client.conftest import API, captured, replay
from wp_client.errors import BadPayloadError, ConfigurationError
from wp_client.woo import WooClient

ORDERS = f"{API}/orders"


def page(
    rsps: responses.RequestsMock,
    ids: list[int],
    total: int | None,
    pages: int | None,
    body: Any = None,
) -> None:
    """A list page with the captured headers of a real page, totals set as given."""
    headers = {
        k: v
        for k, v in captured("orders_list_per_page2_page1")["headers"].items()
        if k
        not in ("Transfer-Encoding", "Connection", "Content-Type", "X-WP-Total", "X-WP-TotalPages")
    }
    if total is not None and pages is not None:
        headers.update({"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)})
    rsps.add(
        "GET",
        ORDERS,
        body=json.dumps(
            body if body is not None else [{"id": i, "status": "completed"} for i in ids]
        ),
        headers=headers,
        content_type="application/json; charset=UTF-8",
    )


def queries(rsps: responses.RequestsMock) -> list[dict[str, str]]:
    return [dict(parse_qsl(urlsplit(c.request.url or "").query)) for c in rsps.calls]


def read(woo: WooClient, per_page: int = 2) -> list[list[int]]:
    reader = woo.iter_order_pages(modified_after=None, modified_before=None, per_page=per_page)
    return [[o["id"] for o in p] for p in reader]


def test_the_query_is_exactly_what_woocommerce_reads_correctly(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    replay(rsps, "GET", ORDERS, "orders_list_modified_after_dates_are_gmt_true")
    paris = timezone(timedelta(hours=1))
    reader = woo.iter_order_pages(
        modified_after=datetime(2026, 11, 26, 11, 33, 45, 999, tzinfo=paris),
        modified_before=datetime(2026, 11, 26, 12, 0, 0),  # naive: taken as UTC
        status=("processing", "completed"),
        customer=3,
    )
    assert [[o["id"] for o in p] for p in reader] == [[16]]
    assert queries(rsps) == [
        {
            "orderby": "id",
            "order": "asc",
            "status": "processing,completed",
            "dates_are_gmt": "true",
            "modified_after": "2026-11-26T10:33:45",
            "modified_before": "2026-11-26T12:00:00",
            "customer": "3",
            "page": "1",
            "per_page": "100",
        }
    ]
    assert "status=processing%2Ccompleted" in (rsps.calls[0].request.url or "")
    assert reader.total == 1 and reader.pages_read == 1


def test_default_status_is_any(rsps: responses.RequestsMock, woo: WooClient) -> None:
    page(rsps, [], 0, 0)
    assert read(woo) == []
    assert queries(rsps)[0]["status"] == "any" and "modified_after" not in queries(rsps)[0]


def test_stops_after_the_announced_last_page(rsps: responses.RequestsMock, woo: WooClient) -> None:
    page(rsps, [13, 14], 5, 3)
    page(rsps, [15, 16], 5, 3)
    page(rsps, [17], 5, 3)
    assert read(woo) == [[13, 14], [15, 16], [17]]
    assert [q["page"] for q in queries(rsps)] == ["1", "2", "3"]


def test_a_page_past_the_end_is_the_real_shops_empty_answer(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    replay(rsps, "GET", ORDERS, "orders_list_per_page2_page99_beyond")
    assert read(woo) == []
    assert len(rsps.calls) == 1


def test_without_totals_it_stops_on_an_empty_page(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], None, None)
    page(rsps, [3, 4], None, None)
    page(rsps, [], None, None)
    assert read(woo) == [[1, 2], [3, 4]]
    assert len(rsps.calls) == 3


def test_without_totals_it_stops_after_a_short_page(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], None, None)
    page(rsps, [3], None, None)
    assert read(woo) == [[1, 2], [3]]
    assert len(rsps.calls) == 2


def test_pages_are_streamed_one_request_at_a_time(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 4, 2)
    page(rsps, [3, 4], 4, 2)
    reader = woo.iter_order_pages(modified_after=None, modified_before=None, per_page=2)
    assert [o["id"] for o in next(reader)] == [1, 2]
    assert len(rsps.calls) == 1
    assert [o["id"] for o in next(reader)] == [3, 4]
    with pytest.raises(StopIteration):
        next(reader)


@pytest.mark.parametrize("per_page", [0, 101, -1])
def test_per_page_is_between_1_and_100(woo: WooClient, per_page: int) -> None:
    with pytest.raises(ValueError):
        woo.iter_order_pages(modified_after=None, modified_before=None, per_page=per_page)


def _fails(woo: WooClient, words: str, pages_before: int = 0) -> BadPayloadError:
    reader = woo.iter_order_pages(modified_after=None, modified_before=None, per_page=2)
    for _ in range(pages_before):
        next(reader)
    with pytest.raises(BadPayloadError) as info:
        next(reader)
    assert words in str(info.value), str(info.value)
    assert "next one starts again from the same point" in str(info.value)
    return info.value


def test_a_json_object_instead_of_a_list_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [], 0, 0, body={"orders": []})
    _fails(woo, "expected a JSON list, got dict")


def test_an_id_seen_on_an_earlier_page_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 6, 3)
    page(rsps, [1, 2], 6, 3)  # a cache that ignores ?page=
    _fails(woo, "id 1 was already on an earlier page", pages_before=1)


def test_an_item_without_integer_id_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [], 2, 1, body=[{"id": 1}, {"id": "2"}])
    _fails(woo, "an item has no integer id")


def test_more_items_than_per_page_is_refused(rsps: responses.RequestsMock, woo: WooClient) -> None:
    page(rsps, [1, 2, 3], 3, 2)
    _fails(woo, "3 items for per_page=2")


def test_ids_going_backwards_are_refused(rsps: responses.RequestsMock, woo: WooClient) -> None:
    page(rsps, [21, 20], 2, 1)  # what a shop ignoring orderby=id&order=asc sends
    _fails(woo, "not sorted by id")


def test_a_total_that_changes_between_pages_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 5, 3)
    page(rsps, [4, 5], 4, 2)  # an order left the window: every later row moved back one place
    _fails(woo, "X-WP-Total went from 5 to 4", pages_before=1)


def test_rows_added_after_the_ones_read_are_followed(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 4, 2)
    page(rsps, [3, 4], 5, 3)  # a new order (a higher id) arrived during the run
    page(rsps, [5], 5, 3)
    assert read(woo) == [[1, 2], [3, 4], [5]]


def test_a_row_entering_before_the_read_position_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 3], 4, 2)
    page(rsps, [3, 4], 5, 3)  # id 2 entered the window: id 3 moved onto page 2
    _fails(woo, "id 3 was already on an earlier page", pages_before=1)


def test_totals_that_ignore_per_page_are_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 209, 21)  # pages of 10: per_page was dropped on the way
    _fails(woo, "is a proxy dropping the query string?")


def test_a_short_page_before_the_last_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1], 5, 3)
    _fails(woo, "only 1 items on a page before the last")


def test_an_empty_page_before_the_announced_last_is_refused(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 6, 3)
    replay(rsps, "GET", ORDERS, "orders_list_per_page2_page99_beyond")
    _fails(woo, "empty although 3 pages were announced", pages_before=1)


def test_an_html_page_in_the_middle_of_a_run_stops_it(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page(rsps, [1, 2], 4, 2)
    rsps.add("GET", ORDERS, body="<html>Please wait…</html>", content_type="text/html")
    reader = woo.iter_order_pages(modified_after=None, modified_before=None, per_page=2)
    next(reader)
    with pytest.raises(ConfigurationError):
        next(reader)


def test_the_captured_per_page_2_run_reads_its_pages(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    """The real first page (totals 9/5) and last page, with the middle pages synthesised."""
    replay(rsps, "GET", ORDERS, "orders_list_per_page2_page1")  # ids 20, 21
    page(rsps, [22, 23], 9, 5)
    page(rsps, [24, 25], 9, 5)
    page(rsps, [26, 27], 9, 5)
    last = captured("orders_list_per_page2_page5_last")
    last["body"][0]["id"] = 28
    rsps.add("GET", ORDERS, json=last["body"], headers={"X-WP-Total": "9", "X-WP-TotalPages": "5"})
    assert read(woo) == [[20, 21], [22, 23], [24, 25], [26, 27], [28]]
    assert len(rsps.calls) == 5
    assert woo.requests_made == 5
    assert woo.bytes_received == sum(len(c.response.content) for c in rsps.calls)


def test_naive_datetimes_are_taken_as_utc_and_aware_ones_converted() -> None:
    from wp_client.params import gmt

    assert gmt(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert gmt(datetime(2026, 7, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))) == (
        "2026-07-01T10:00:00"
    )
    assert gmt(datetime(2026, 7, 1, 12, 0, 0, 999_999, tzinfo=UTC)) == "2026-07-01T12:00:00"
