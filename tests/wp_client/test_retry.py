"""Retries, backoff and Retry-After, through the real HttpClient against mocked answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from config import Secret
from tests.wp_client.conftest import API, KEY, SECRET, SHOP, Sleeps, captured, replay
from wp_client.client_area import ClientAreaClient
from wp_client.errors import AuthenticationError, RemoteError, TransientError
from wp_client.retry import Backoff, parse_retry_after
from wp_client.woo import WooClient

ORDER = f"{API}/orders/19"


def _order_ok(rsps: responses.RequestsMock) -> None:
    replay(rsps, "GET", ORDER, "orders_get_single_partial_refund")


def test_full_jitter_stays_within_the_exponential_ceiling_and_the_cap() -> None:
    top = Backoff(base_delay=1.0, max_delay=60.0, rng=lambda: 0.999999)
    bottom = Backoff(base_delay=1.0, max_delay=60.0, rng=lambda: 0.0)
    assert [round(top.delay(n), 3) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert [bottom.delay(n) for n in range(8)] == [0.0] * 8
    real = Backoff()
    for n in range(12):
        assert 0.0 <= real.delay(n) <= min(60.0, 2.0**n)
    assert top.delay(10_000) == pytest.approx(60.0, rel=1e-5)


def test_retry_after_seconds_and_http_date_are_parsed_and_capped() -> None:
    now = datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Thu, 26 Nov 2026 10:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 26 Nov 2026 09:59:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert Backoff(max_delay=60).delay(0, retry_after=3600) == 60.0


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_then_succeed(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps, status: int
) -> None:
    rsps.add("GET", ORDER, status=status, body="busy")
    rsps.add("GET", ORDER, status=status, body="busy")
    _order_ok(rsps)
    order = woo.get_order(19)
    assert order is not None and order["id"] == 19
    assert woo.requests_made == 3
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 1.0 and 0 <= sleeps[1] <= 2.0


def test_retries_run_out_into_a_transient_error_with_capped_delays(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    woo = WooClient(SHOP, Secret(KEY), Secret(SECRET), sleep=sleeps, max_retries=8)
    woo.http.backoff = Backoff(max_retries=8, rng=lambda: 1.0)
    rsps.add("GET", ORDER, status=502, body="<html>Bad Gateway</html>", content_type="text/html")
    with pytest.raises(TransientError) as info:
        woo.get_order(19)
    assert sleeps == [1, 2, 4, 8, 16, 32, 60, 60]
    assert woo.requests_made == 9
    assert info.value.status == 502
    assert "after 9 attempts" in str(info.value)


def test_retry_after_seconds_is_honoured(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    rsps.add("GET", ORDER, status=429, headers={"Retry-After": "12"}, json={"code": "x"})
    _order_ok(rsps)
    assert woo.get_order(19) is not None
    assert sleeps == [12.0]


def test_retry_after_http_date_is_honoured(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    woo.http.now = lambda: datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)
    rsps.add("GET", ORDER, status=503, headers={"Retry-After": "Thu, 26 Nov 2026 10:00:45 GMT"})
    _order_ok(rsps)
    assert woo.get_order(19) is not None
    assert sleeps == [45.0]


def test_retry_after_beyond_the_cap_waits_the_cap(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    rsps.add("GET", ORDER, status=429, headers={"Retry-After": "86400"})
    _order_ok(rsps)
    woo.get_order(19)
    assert sleeps == [60.0]


def test_errors_that_need_a_human_are_not_retried(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    replay(rsps, "GET", ORDER, "error_orders_bad_consumer_secret")
    with pytest.raises(AuthenticationError):
        woo.get_order(19)
    assert sleeps == [] and woo.requests_made == 1


def test_connection_errors_and_timeouts_are_retried_for_reads(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    rsps.add("GET", ORDER, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add("GET", ORDER, body=requests.exceptions.ConnectionError("reset by peer"))
    _order_ok(rsps)
    assert woo.get_order(19) is not None
    assert len(sleeps) == 2


def _not_connected(dns: bool) -> requests.exceptions.ConnectionError:
    cause: NewConnectionError
    if dns:
        cause = NameResolutionError("shop.example", None, OSError("Name or service not known"))  # type: ignore[arg-type]
    else:
        cause = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/x", cause))  # type: ignore[arg-type]


def _area(sleeps: Sleeps) -> ClientAreaClient:
    return ClientAreaClient(SHOP, "sync", Secret("pw pw pw pw"), sleep=sleeps, max_retries=3)


UPLOAD = f"{SHOP}/wp-json/assist/v1/reports"
PDF = b"%PDF-1.7 test"


def test_a_post_is_not_retried_when_it_may_have_been_processed(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    area = _area(sleeps)
    http = area.http
    rsps.add("POST", UPLOAD, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(TransientError):
        http.request_json("POST", "assist/v1/reports", data=PDF)
    rsps.replace("POST", UPLOAD, status=500, json={"code": "boom", "message": "x"})
    with pytest.raises(TransientError):
        http.request_json("POST", "assist/v1/reports", data=PDF)
    assert sleeps == [] and http.requests_made == 2


@pytest.mark.parametrize("dns", [True, False])
def test_a_post_is_retried_when_the_connection_was_never_made(
    rsps: responses.RequestsMock, sleeps: Sleeps, dns: bool
) -> None:
    area = _area(sleeps)
    rsps.add("POST", UPLOAD, body=_not_connected(dns))
    rsps.add("POST", UPLOAD, status=201, json={"id": 3})
    body, _ = area.http.request_json("POST", "assist/v1/reports", data=PDF)
    assert body == {"id": 3} and len(sleeps) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_a_post_is_retried_on_429_and_503(
    rsps: responses.RequestsMock, sleeps: Sleeps, status: int
) -> None:
    area = _area(sleeps)
    rsps.add("POST", UPLOAD, status=status, headers={"Retry-After": "2"})
    rsps.add("POST", UPLOAD, status=201, json={"id": 3})
    body, _ = area.http.request_json("POST", "assist/v1/reports", data=PDF)
    assert body == {"id": 3} and sleeps == [2.0]


def test_unlisted_server_errors_fail_at_once(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    replay(rsps, "GET", ORDER, "refund_full_default_api_refund_error", status=501)
    with pytest.raises(RemoteError) as info:
        woo.get_order(19)
    assert (
        info.value.status == 501
        and info.value.code == captured("refund_full_default_api_refund_error")["body"]["code"]
    )
    assert sleeps == []
