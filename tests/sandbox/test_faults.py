"""Each fault does what it says, for the next N matching requests only."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from woocommerce import API

from sandbox import Sandbox
from sandbox.dates import gmt_text, utc_now
from sandbox.shop import ShopState


def woo(sb: Sandbox, timeout: float = 10) -> API:
    return API(sb.url, sb.consumer_key, sb.consumer_secret, version="wc/v3", timeout=timeout)


def test_server_errors_hit_the_matching_path_count_times(sandbox: Sandbox) -> None:
    sandbox.faults.server_error(2, status=503, path="/wp-json/wc/v3/orders")
    api = woo(sandbox)
    assert api.get("products").status_code == 200  # other paths are not hit
    first, second, third = (api.get("orders") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Content-Type"].startswith("text/html")
    assert "503" in first.text
    assert [r.status for r in sandbox.requests if r.route == "/wc/v3/orders"] == [503, 503, 200]
    assert sandbox.faults.pending == []


def test_rate_limit_sends_retry_after(sandbox: Sandbox) -> None:
    sandbox.faults.rate_limit(1, retry_after=7)
    response = woo(sandbox).get("orders")
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert woo(sandbox).get("orders").status_code == 200


def test_slow_answers_arrive_late_but_whole(sandbox: Sandbox) -> None:
    sandbox.faults.slow(0.4, path="/wc/v3/orders")
    started = time.monotonic()
    response = woo(sandbox).get("orders", params={"per_page": 2})
    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200 and len(response.json()) == 2


def test_hang_outlasts_the_read_timeout_then_closes(sandbox: Sandbox) -> None:
    sandbox.faults.hang(1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        woo(sandbox, timeout=0.3).get("orders")
    assert woo(sandbox).get("orders").status_code == 200
    assert sandbox.requests[0].status == 0  # logged as "no answer"


def test_drop_closes_without_an_answer(sandbox: Sandbox) -> None:
    sandbox.faults.drop(1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{sandbox.url}/wp-json/wc/v3/orders", timeout=5)
    assert woo(sandbox).get("orders").status_code == 200


def test_stop_does_not_wait_for_a_hanging_request() -> None:
    box = Sandbox(seed=1, clients=2, orders=3).start()
    box.faults.hang(30)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{box.url}/wp-json/wc/v3/orders", timeout=0.3)
    finally:
        started = time.monotonic()
        box.stop()
    assert time.monotonic() - started < 5


def test_html_page_with_status_200(sandbox: Sandbox) -> None:
    sandbox.faults.html(1, path="/wc/v3/orders")
    response = woo(sandbox).get("orders")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


def test_malformed_json(sandbox: Sandbox) -> None:
    sandbox.faults.malformed_json(1)
    response = woo(sandbox).get("orders")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(ValueError):
        response.json()


def test_faults_on_the_client_area(sandbox: Sandbox) -> None:
    sandbox.faults.server_error(1, status=502, path="/assist/v1/time-entries")
    auth = (sandbox.wp_username, sandbox.wp_app_password)
    url = f"{sandbox.url}/wp-json/assist/v1/time-entries"
    assert requests.get(url, auth=auth, timeout=5).status_code == 502
    assert requests.get(url, auth=auth, timeout=5).status_code == 200


def read_window(sb: Sandbox, bound: str) -> tuple[list[int], list[str]]:
    """A careful reader: id order, a frozen upper bound, 5 per page; ids and X-WP-Total seen."""
    api, ids, totals, page = woo(sb), [], [], 1
    while True:
        response = api.get(
            "orders",
            params={"orderby": "id", "order": "asc", "per_page": 5, "page": page,
                    "modified_before": bound, "dates_are_gmt": "true"},
        )  # fmt: skip
        rows = response.json()
        if not rows:
            return ids, totals
        ids += [r["id"] for r in rows]
        totals.append(response.headers["X-WP-Total"])
        page += 1


def test_an_order_modified_between_pages_shifts_the_rest(sandbox: Sandbox) -> None:
    bound = gmt_text(utc_now())  # frozen at the start of the run
    expected = sorted(o.id for o in sandbox.shop.orders.values() if o.status != "trash")
    sandbox.faults.shift_orders(after_page=1)
    ids, totals = read_window(sandbox, bound)
    moved = expected[0]
    # The first order left the window after page 1: everyone moved up, one order was skipped.
    assert moved in ids[:5]
    assert expected[5] not in ids
    assert len(ids) == len(expected) - 1
    assert totals[0] == str(len(expected)) and totals[1] == str(len(expected) - 1)
    assert gmt_text(sandbox.shop.order(moved).modified) >= bound
    # Read again: the shift happened once.
    ids_again, _ = read_window(sandbox, gmt_text(utc_now() + timedelta(seconds=5)))
    assert sorted(ids_again) == expected


def test_shift_with_a_custom_change(sandbox: Sandbox) -> None:
    seen: list[list[int]] = []

    def trash_last(shop: ShopState, served: list[int]) -> None:
        seen.append(served)
        shop.trash(max(o.id for o in shop.orders.values() if o.status != "trash"))

    sandbox.faults.shift_orders(after_page=2, mutate=trash_last)
    before = sum(1 for o in sandbox.shop.orders.values() if o.status != "trash")
    ids, totals = read_window(sandbox, gmt_text(utc_now() + timedelta(hours=1)))
    assert len(seen) == 1 and len(seen[0]) == 5
    assert len(ids) == before - 1
    assert totals[1] == str(before) and totals[2] == str(before - 1)


def test_latency_delays_every_answer() -> None:
    with Sandbox(seed=1, clients=2, orders=2, latency_ms=150) as box:
        started = time.monotonic()
        for _ in range(3):
            assert woo(box).get("orders").status_code == 200
        assert time.monotonic() - started >= 0.45


def test_stop_closes_kept_alive_connections() -> None:
    box = Sandbox(seed=1, clients=2, orders=3).start()
    session = requests.Session()
    url = f"{box.url}/wp-json/wc/v3/orders"
    assert session.get(url, timeout=5).status_code == 401  # a pooled, kept-alive connection
    box.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url, timeout=5)
