"""WooClient methods against captured answers: exact requests, shapes, counters, settings."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from config import Secret, load_settings
from tests.wp_client.conftest import API, KEY, SECRET, SHOP, captured, replay
from wp_client.client_area import ClientAreaClient
from wp_client.errors import BadPayloadError, ConfigurationError
from wp_client.woo import WooClient


def query(rsps: responses.RequestsMock, n: int = 0) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(rsps.calls[n].request.url or "").query))


def test_get_order_returns_the_captured_order(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/orders/19", "orders_get_single_partial_refund")
    order = woo.get_order(19)
    assert order == captured("orders_get_single_partial_refund")["body"]


def test_a_non_object_order_is_a_bad_payload(rsps: responses.RequestsMock, woo: WooClient) -> None:
    rsps.add("GET", f"{API}/orders/19", json=[{"id": 19}])
    with pytest.raises(BadPayloadError):
        woo.get_order(19)


def test_refunds_of_an_order(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/orders/19/refunds", "orders_refunds_list_partial")
    refunds = woo.order_refunds(19)
    assert [r["id"] for r in refunds] == [
        r["id"] for r in captured("orders_refunds_list_partial")["body"]
    ]
    assert query(rsps) == {"page": "1", "per_page": "100"}


def test_refunds_of_an_unknown_order_are_empty(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    replay(rsps, "GET", f"{API}/orders/999999/refunds", "error_orders_refunds_missing_order")
    assert woo.order_refunds(999999) == []


def test_customers_by_email_asks_every_role(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/customers", "customers_list_filter_email")
    found = woo.customers_by_email("ben.2@example.test")
    assert [c["email"] for c in found] == ["ben.2@example.test"]
    assert query(rsps) == {
        "email": "ben.2@example.test",
        "role": "all",
        "page": "1",
        "per_page": "100",
    }


def test_get_customer(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/customers/2", "customers_get_single")
    customer = woo.get_customer(2)
    assert customer is not None and customer["id"] == 2


def test_products_by_sku_sends_one_comma_list(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/products", "products_list_sku_comma_list")
    found = woo.products_by_sku(["ASSIST-5H", "ASSIST-10H"])
    assert sorted(p["sku"] for p in found) == ["ASSIST-10H", "ASSIST-5H"]
    assert query(rsps)["sku"] == "ASSIST-5H,ASSIST-10H"
    assert woo.products_by_sku([]) == []
    assert len(rsps.calls) == 1


def test_unknown_skus_give_an_empty_list(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/products", "products_list_sku_not_found")
    assert woo.products_by_sku(["NOPE-1"]) == []


def test_orders_options_tells_whether_modified_after_exists(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    replay(rsps, "OPTIONS", f"{API}/orders", "orders_options_schema")
    args = woo.order_list_arguments()
    assert {"modified_after", "modified_before", "dates_are_gmt", "orderby", "status"} <= args
    assert rsps.calls[0].request.method == "OPTIONS"


def test_counters_add_up_requests_and_bytes(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/orders/19", "orders_get_single_partial_refund")
    replay(rsps, "GET", f"{API}/customers/2", "customers_get_single")
    woo.get_order(19)
    woo.get_customer(2)
    assert woo.requests_made == 2
    assert woo.bytes_received == sum(len(c.response.content) for c in rsps.calls) > 1000


def test_timeouts_and_no_redirects_are_passed_on_every_request(
    rsps: responses.RequestsMock,
) -> None:
    woo = WooClient(SHOP, Secret(KEY), Secret(SECRET), timeout=(3.0, 30.0))
    replay(rsps, "GET", f"{API}/orders/19", "orders_get_single_partial_refund")
    woo.get_order(19)
    kwargs = rsps.calls[0].request.req_kwargs
    assert kwargs["timeout"] == (3.0, 30.0)


def test_the_ca_bundle_is_the_sessions_verify(tmp_path: Path) -> None:
    bundle = tmp_path / "agency-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    woo = WooClient(SHOP, Secret(KEY), Secret(SECRET), ca_bundle=str(bundle))
    assert woo.http.session.verify == str(bundle)
    assert WooClient(SHOP, Secret(KEY), Secret(SECRET)).http.session.verify is True
    with pytest.raises(ConfigurationError) as info:
        WooClient(SHOP, Secret(KEY), Secret(SECRET), ca_bundle=str(tmp_path / "missing.pem"))
    assert "WOO_CA_BUNDLE points to a missing file" in str(info.value)


def test_the_ca_bundle_wins_over_requests_ca_bundle_in_the_environment(
    rsps: responses.RequestsMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "agency-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "other.pem"))
    woo = WooClient(SHOP, Secret(KEY), Secret(SECRET), ca_bundle=str(bundle))
    replay(rsps, "GET", f"{API}/orders/19", "orders_get_single_partial_refund")
    woo.get_order(19)
    assert rsps.calls[0].request.req_kwargs["verify"] == str(bundle)


def test_one_pooled_session_is_reused(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{API}/orders/19", "orders_get_single_partial_refund")
    session = woo.http.session
    woo.get_order(19)
    woo.get_order(19)
    assert woo.http.session is session
    adapter = session.get_adapter(SHOP)
    assert adapter.max_retries.total == 0  # retries are ours, re-signed each time


def test_from_settings(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    settings = load_settings(
        {
            "WOO_URL": "https://shop.example/",
            "WOO_CONSUMER_KEY": KEY,
            "WOO_CONSUMER_SECRET": SECRET,
            "WOO_CA_BUNDLE": str(bundle),
        },
        dotenv_path=None,
    )
    woo = WooClient.from_settings(settings)
    assert woo.url == "https://shop.example"
    assert woo.http.timeout == (settings.connect_timeout, settings.read_timeout)
    assert woo.http.backoff.max_retries == settings.max_retries
    assert woo.http.session.verify == str(bundle)


def test_missing_credentials_are_named() -> None:
    with pytest.raises(ConfigurationError) as info:
        WooClient(SHOP, Secret(""), Secret(SECRET))
    assert str(info.value) == "WOO_CONSUMER_KEY is not set"


def test_a_client_used_as_a_context_manager_closes_its_own_session() -> None:
    closed: list[str] = []
    with WooClient(SHOP, Secret(KEY), Secret(SECRET)) as woo:
        woo.http.session.close = lambda: closed.append("woo")  # type: ignore[method-assign]
    with ClientAreaClient(SHOP, "sync", Secret("abcd efgh ijkl")) as area:
        area.http.session.close = lambda: closed.append("area")  # type: ignore[method-assign]
    assert closed == ["woo", "area"]
