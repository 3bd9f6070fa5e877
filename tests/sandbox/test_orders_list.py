"""Orders list of the sandbox: filters, ordering and pagination, through real OAuth requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from woocommerce import API

from sandbox import Sandbox
from sandbox.dates import gmt_text


def woo(sb: Sandbox) -> API:
    return API(sb.url, sb.consumer_key, sb.consumer_secret, version="wc/v3", timeout=10)


def get(sb: Sandbox, endpoint: str, **params: Any) -> requests.Response:
    response: requests.Response = woo(sb).get(endpoint, params=params)
    return response


def pages(sb: Sandbox, per_page: int = 7, **params: Any) -> list[list[int]]:
    """Every page of ``GET /orders`` until the first empty one, as lists of ids."""
    out: list[list[int]] = []
    page = 1
    while True:
        response = get(sb, "orders", page=page, per_page=per_page, **params)
        assert response.status_code == 200, response.text
        rows = response.json()
        if not rows:
            return out
        out.append([row["id"] for row in rows])
        page += 1


def visible(sb: Sandbox) -> list[int]:
    return sorted(o.id for o in sb.shop.orders.values() if o.status != "trash")


def test_default_lists_every_order_but_trash_newest_first(sandbox: Sandbox) -> None:
    response = get(sandbox, "orders", per_page=100)
    assert response.status_code == 200
    expected = sorted(
        (o for o in sandbox.shop.orders.values() if o.status != "trash"),
        key=lambda o: (o.created, o.id),
        reverse=True,
    )
    assert [row["id"] for row in response.json()] == [o.id for o in expected]
    assert response.headers["X-WP-Total"] == str(len(expected))
    assert response.headers["X-WP-TotalPages"] == "1"


def test_pages_by_id_cover_every_order_once_in_order(sandbox: Sandbox) -> None:
    chunks = pages(sandbox, orderby="id", order="asc")
    ids = [i for chunk in chunks for i in chunk]
    assert ids == visible(sandbox)
    assert all(len(chunk) == 7 for chunk in chunks[:-1])
    first = get(sandbox, "orders", per_page=7, orderby="id", order="asc")
    assert first.headers["X-WP-TotalPages"] == str(len(chunks))


def test_desc_by_id_and_ties_broken_by_id_in_the_same_direction(empty_sandbox: Sandbox) -> None:
    shop = empty_sandbox.shop
    client = shop.customer_ids()[0]
    same = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    ids = [shop.add_order(client, [("ASSIST-3H", 1)], created_at=same).id for _ in range(4)]
    by_date = [r["id"] for r in get(empty_sandbox, "orders").json()]
    assert by_date == sorted(ids, reverse=True)
    by_date_asc = [r["id"] for r in get(empty_sandbox, "orders", order="asc").json()]
    assert by_date_asc == sorted(ids)
    by_modified = [r["id"] for r in get(empty_sandbox, "orders", orderby="modified").json()]
    assert by_modified == sorted(ids, reverse=True)


def test_link_header_has_only_next_then_prev(sandbox: Sandbox) -> None:
    first = get(sandbox, "orders", per_page=5, page=1)
    assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    assert "page=2" in first.headers["Link"] and "oauth_" not in first.headers["Link"]
    last_page = int(first.headers["X-WP-TotalPages"])
    last = get(sandbox, "orders", per_page=5, page=last_page)
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]


def test_a_page_past_the_end_is_empty_with_zero_totals(sandbox: Sandbox) -> None:
    response = get(sandbox, "orders", per_page=5, page=99)
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "0"
    assert response.headers["X-WP-TotalPages"] == "0"


def test_status_comma_list_and_array_syntax_agree(sandbox: Sandbox) -> None:
    wanted = {"processing", "completed"}
    expected = sorted(o.id for o in sandbox.shop.orders.values() if o.status in wanted)
    comma = get(sandbox, "orders", per_page=100, status="processing,completed").json()
    assert sorted(r["id"] for r in comma) == expected
    array = requests.get(
        f"{sandbox.url}/wp-json/wc/v3/orders",
        params=[("status[]", "processing"), ("status[]", "completed"), ("per_page", "100")],
        headers={"X-Forwarded-Proto": "https"},
        auth=(sandbox.consumer_key, sandbox.consumer_secret),
        timeout=10,
    ).json()
    assert sorted(r["id"] for r in array) == expected


def test_trash_only_when_asked(sandbox: Sandbox) -> None:
    target = visible(sandbox)[0]
    sandbox.shop.trash(target)
    assert target not in [i for chunk in pages(sandbox) for i in chunk]
    trashed = get(sandbox, "orders", status="trash", per_page=100).json()
    assert target in [r["id"] for r in trashed]
    assert get(sandbox, f"orders/{target}").json()["status"] == "trash"


def test_every_status_is_seeded_and_filterable() -> None:
    with Sandbox(seed=11, clients=30, orders=400) as sb:
        statuses = {o.status for o in sb.shop.orders.values()}
        assert {
            "pending", "processing", "completed", "on-hold", "cancelled", "refunded", "failed",
            "trash", "checkout-draft",
        } <= statuses  # fmt: skip
        drafts = get(sb, "orders", status="checkout-draft", per_page=100).json()
        assert drafts and {r["status"] for r in drafts} == {"checkout-draft"}


def test_modified_after_is_exclusive_and_modified_before_too(empty_sandbox: Sandbox) -> None:
    shop = empty_sandbox.shop
    client = shop.customer_ids()[0]
    base = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)
    ids = [
        shop.add_order(client, [("ASSIST-3H", 1)], created_at=base + timedelta(seconds=s)).id
        for s in (0, 1, 2)
    ]
    window = get(
        empty_sandbox,
        "orders",
        modified_after=gmt_text(base),
        modified_before=gmt_text(base + timedelta(seconds=2)),
        dates_are_gmt="true",
    ).json()
    assert [r["id"] for r in window] == [ids[1]]


def test_dates_without_dates_are_gmt_are_read_in_berlin_time(empty_sandbox: Sandbox) -> None:
    shop = empty_sandbox.shop
    client = shop.customer_ids()[0]
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 14:00 in Berlin (summer time)
    order = shop.add_order(client, [("ASSIST-5H", 1)], created_at=moment)

    def ids(**params: str) -> list[int]:
        return [r["id"] for r in get(empty_sandbox, "orders", **params).json()]

    # Naive UTC 11:00 read as Berlin 11:00 = 09:00 UTC: the 12:00 UTC order is after it.
    assert ids(modified_after="2026-07-01T11:00:00") == [order.id]
    # Naive UTC 12:30 read as Berlin 12:30 = 10:30 UTC: still after (the classic trap).
    assert ids(modified_after="2026-07-01T12:30:00") == [order.id]
    # With dates_are_gmt the same naive value is UTC: nothing after 12:30 UTC.
    assert ids(modified_after="2026-07-01T12:30:00", dates_are_gmt="true") == []
    assert ids(modified_after="2026-07-01T11:59:59", dates_are_gmt="true") == [order.id]
    # An offset is honoured without dates_are_gmt.
    assert ids(modified_after="2026-07-01T12:30:00Z") == []
    assert ids(modified_after="2026-07-01T13:59:59+02:00") == [order.id]
    # dates_are_gmt with an offset: WordPress turns the value into Berlin wall time and compares
    # it with the GMT column, so 11:30Z becomes 13:30 and the 12:00 UTC order is missed.
    assert ids(modified_after="2026-07-01T11:30:00Z", dates_are_gmt="true") == []
    assert ids(modified_after="2026-07-01T11:30:00", dates_are_gmt="true") == [order.id]
    # Body dates: shop-local without offset, and the UTC twin.
    body = get(empty_sandbox, f"orders/{order.id}").json()
    assert body["date_created"] == "2026-07-01T14:00:00"
    assert body["date_created_gmt"] == "2026-07-01T12:00:00"


def test_customer_include_and_after_filters(sandbox: Sandbox) -> None:
    orders = sorted(sandbox.shop.orders.values(), key=lambda o: o.id)
    client = next(o.customer_id for o in orders if o.customer_id)
    mine = get(sandbox, "orders", customer=client, per_page=100).json()
    assert mine and {r["customer_id"] for r in mine} == {client}
    assert sorted(r["id"] for r in mine) == sorted(
        o.id for o in orders if o.customer_id == client and o.status != "trash"
    )
    picked = [o.id for o in orders if o.status != "trash"][:3]
    included = get(sandbox, "orders", include=",".join(map(str, [*picked, 999999]))).json()
    assert sorted(r["id"] for r in included) == picked
    middle = orders[len(orders) // 2].created
    after = get(sandbox, "orders", after=gmt_text(middle), dates_are_gmt="true", per_page=100)
    assert all(r["date_created_gmt"] > gmt_text(middle) for r in after.json())


@pytest.mark.parametrize(
    ("params", "name", "detail"),
    [
        ({"page": "0"}, "page", "rest_out_of_bounds"),
        ({"per_page": "101"}, "per_page", "rest_out_of_bounds"),
        ({"per_page": "0"}, "per_page", "rest_out_of_bounds"),
        ({"status": "bogus"}, "status", "rest_not_in_enum"),
        ({"status": "processing,nope"}, "status", "rest_not_in_enum"),
        ({"modified_after": "yesterday"}, "modified_after", "rest_invalid_date"),
        ({"order": "up"}, "order", "rest_not_in_enum"),
        ({"orderby": "price"}, "orderby", "rest_not_in_enum"),
        ({"page": "two"}, "page", "rest_invalid_type"),
        ({"dates_are_gmt": "maybe"}, "dates_are_gmt", "rest_invalid_type"),
    ],
)
def test_invalid_parameters_are_400_with_details(
    sandbox: Sandbox, params: dict[str, str], name: str, detail: str
) -> None:
    response = get(sandbox, "orders", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == f"Invalid parameter(s): {name}"
    assert body["data"]["details"][name]["code"] == detail
    assert name in body["data"]["params"]


def test_rest_route_form_answers_like_wp_json(sandbox: Sandbox) -> None:
    pretty = requests.get(
        f"{sandbox.url}/wp-json/wc/v3/orders",
        params={"per_page": "3", "orderby": "id", "order": "asc"},
        headers={"X-Forwarded-Proto": "https"},
        auth=(sandbox.consumer_key, sandbox.consumer_secret),
        timeout=10,
    )
    plain = requests.get(
        f"{sandbox.url}/",
        params={"rest_route": "/wc/v3/orders", "per_page": "3", "orderby": "id", "order": "asc"},
        headers={"X-Forwarded-Proto": "https"},
        auth=(sandbox.consumer_key, sandbox.consumer_secret),
        timeout=10,
    )
    assert plain.status_code == pretty.status_code == 200
    assert plain.json() == pretty.json()
    assert plain.headers["X-WP-Total"] == pretty.headers["X-WP-Total"]


def test_refunds_of_an_order_and_of_an_unknown_one(sandbox: Sandbox) -> None:
    shop = sandbox.shop
    client = shop.customer_ids()[0]
    order = shop.add_order(client, [("ASSIST-5H", 2)], status="completed")
    refund = shop.refund(order.id, {order.lines[0].id: 1}, reason="Un pack non utilisé")
    rows = get(sandbox, f"orders/{order.id}/refunds").json()
    assert [r["id"] for r in rows] == [refund.id]
    line = rows[0]["line_items"][0]
    assert line["quantity"] == -1 and line["total"] == "-285.00"
    assert line["meta_data"][0] == {
        "id": line["meta_data"][0]["id"],
        "key": "_refunded_item_id",
        "value": str(order.lines[0].id),
        "display_key": "_refunded_item_id",
        "display_value": str(order.lines[0].id),
    }
    assert rows[0]["amount"] == "285.00"
    body = get(sandbox, f"orders/{order.id}").json()
    assert body["status"] == "completed" and body["total"] == "570.00"
    assert body["refunds"] == [
        {"id": refund.id, "reason": "Un pack non utilisé", "total": "-285.00"}
    ]
    missing = get(sandbox, "orders/999999/refunds")
    assert missing.status_code == 200 and missing.json() == []
    assert get(sandbox, f"orders/{refund.id}").status_code == 404


def test_the_benchmark_scale_serves_pages_of_100() -> None:
    """2,000 clients and 10,000 orders (the benchmark's size) build and page correctly."""
    with Sandbox(seed=5, clients=2000, orders=10_000) as box:
        response = woo(box).get("orders", params={"per_page": 100, "orderby": "id", "order": "asc"})
        again = woo(box).get("orders", params={"per_page": 100, "orderby": "id", "order": "asc"})
        visible_count = sum(1 for o in box.shop.orders.values() if o.status != "trash")
    assert response.status_code == 200 and len(response.json()) == 100
    assert response.content == again.content  # served from the per-version JSON cache
    assert response.headers["X-WP-Total"] == str(visible_count)
    assert response.headers["X-WP-TotalPages"] == str(-(-visible_count // 100))
