"""doctor's probes: each misconfiguration is told apart, in one line."""

from __future__ import annotations

import copy
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers
from urllib3.exceptions import MaxRetryError, NameResolutionError

from tests.wp_client.conftest import API, APP_PASSWORD, KEY, SECRET, SHOP, captured, replay
from wp_client.client_area import ClientAreaClient
from wp_client.diagnose import Finding, diagnose_client_area, diagnose_shop
from wp_client.errors import AuthenticationError
from wp_client.woo import WooClient

INDEX = f"{SHOP}/wp-json/"
ORDERS = f"{API}/orders"
BASIC_ONLY = matchers.query_param_matcher({"per_page": "1"})
IN_QUERY = matchers.query_param_matcher(
    {"per_page": "1", "consumer_key": KEY, "consumer_secret": SECRET}
)


def healthy_shop(rsps: responses.RequestsMock, *, skip: tuple[str, ...] = ()) -> None:
    if "index" not in skip:
        replay(rsps, "GET", INDEX, "wp_json_index")
    if "orders" not in skip:
        replay(rsps, "GET", ORDERS, "orders_query_string_auth_https", match=[BASIC_ONLY])
    if "options" not in skip:
        replay(rsps, "OPTIONS", ORDERS, "orders_options_schema")
    if "customers" not in skip:
        replay(rsps, "GET", f"{API}/customers", "customers_list_filter_email")
    if "products" not in skip:
        replay(rsps, "GET", f"{API}/products", "products_list_sku_comma_list")


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    for finding in findings:
        assert "\n" not in finding.message
        for secret in (KEY, SECRET, APP_PASSWORD):
            assert secret not in finding.message
    return {f.check: f for f in findings}


def test_a_healthy_shop_passes_every_check(rsps: responses.RequestsMock, woo: WooClient) -> None:
    healthy_shop(rsps)
    found = by_check(diagnose_shop(woo))
    assert list(found) == [
        "shop.url",
        "shop.credentials",
        "shop.filters",
        "shop.customers",
        "shop.products",
    ]
    assert all(f.ok for f in found.values()), found
    assert found["shop.credentials"].message == (
        "consumer key accepted (Basic over https); 9 orders visible"
    )


def test_a_url_that_is_not_wordpress_stops_at_the_first_check(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    rsps.add("GET", INDEX, status=404, body="<html>Not Found</html>", content_type="text/html")
    findings = diagnose_shop(woo)
    assert len(findings) == 1 and not findings[0].ok
    assert "has no REST route" in findings[0].message and "check WOO_URL" in findings[0].message


def test_an_unknown_host_is_named(rsps: responses.RequestsMock, woo: WooClient) -> None:
    cause = NameResolutionError("127.0.0.1", None, OSError("nope"))  # type: ignore[arg-type]
    error = requests.exceptions.ConnectionError(MaxRetryError(None, "/", cause))  # type: ignore[arg-type]
    rsps.add("GET", INDEX, body=error)
    rsps.add("GET", INDEX, body=error)
    [finding] = diagnose_shop(woo)
    assert "cannot resolve the host name 127.0.0.1" in finding.message


def test_wordpress_without_woocommerce(rsps: responses.RequestsMock, woo: WooClient) -> None:
    index = copy.deepcopy(captured("wp_json_index")["body"])
    index["namespaces"] = ["oembed/1.0", "wp/v2"]
    rsps.add("GET", INDEX, json=index)
    [finding] = diagnose_shop(woo)
    assert "WooCommerce's REST API (wc/v3) is missing" in finding.message


def test_a_site_that_calls_itself_by_another_address(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    index = copy.deepcopy(captured("wp_json_index")["body"])
    index["home"] = "https://www.shop.example"
    rsps.add("GET", INDEX, json=index)
    [finding] = diagnose_shop(woo)
    assert "the site calls itself https://www.shop.example" in finding.message


def test_unknown_key_is_told_from_a_stripped_header(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    healthy_shop(rsps, skip=("orders",))
    replay(rsps, "GET", ORDERS, "error_orders_unknown_consumer_key", match=[BASIC_ONLY])
    replay(rsps, "GET", ORDERS, "error_orders_unknown_consumer_key", match=[IN_QUERY])
    found = by_check(diagnose_shop(woo))
    assert not found["shop.credentials"].ok and "shop.filters" not in found
    assert "does not know this consumer key" in found["shop.credentials"].message


def test_a_stripped_authorization_header_is_detected(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    healthy_shop(rsps, skip=("orders",))
    replay(rsps, "GET", ORDERS, "error_orders_no_auth", match=[BASIC_ONLY])
    replay(rsps, "GET", ORDERS, "orders_query_string_auth_https", match=[IN_QUERY])
    found = by_check(diagnose_shop(woo))
    assert "strips the Authorization header" in found["shop.credentials"].message
    assert "CGIPassAuth On" in found["shop.credentials"].message


def test_a_wrong_secret_is_named(rsps: responses.RequestsMock, woo: WooClient) -> None:
    healthy_shop(rsps, skip=("orders",))
    replay(rsps, "GET", ORDERS, "error_orders_bad_consumer_secret")
    found = by_check(diagnose_shop(woo))
    assert "rejected the consumer secret" in found["shop.credentials"].message
    assert len(rsps.calls) == 2  # no query-string probe: the header did arrive


def test_an_old_shop_and_missing_permissions_are_reported_without_stopping(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    healthy_shop(rsps, skip=("options", "customers"))
    options = copy.deepcopy(captured("orders_options_schema")["body"])
    for endpoint in options["endpoints"]:
        for name in ("modified_after", "modified_before"):
            endpoint.get("args", {}).pop(name, None)
    rsps.add("OPTIONS", ORDERS, body=json.dumps(options), content_type="application/json")
    replay(rsps, "GET", f"{API}/customers", "error_orders_unknown_consumer_key", status=403)
    found = by_check(diagnose_shop(woo))
    assert "ignores modified_after, modified_before" in found["shop.filters"].message
    assert not found["shop.customers"].ok
    assert "match guest orders by e-mail" in found["shop.customers"].message
    assert found["shop.products"].ok


def _area_index(rsps: responses.RequestsMock) -> None:
    index = copy.deepcopy(captured("wp_json_index")["body"])
    index["namespaces"].append("assist/v1")
    rsps.add("GET", INDEX, json=index)


def test_client_area_checks(rsps: responses.RequestsMock, area: ClientAreaClient) -> None:
    _area_index(rsps)
    me = copy.deepcopy(captured("wp_get_users_me_context_edit")["body"])
    me["capabilities"]["assist_sync"] = True
    rsps.add("GET", f"{SHOP}/wp-json/wp/v2/users/me", json=me)
    rsps.add("GET", f"{SHOP}/wp-json/assist/v1/tickets", json=[], headers={"X-WP-Total": "0"})
    found = by_check(diagnose_client_area(area))
    assert all(f.ok for f in found.values()), found
    assert found["area.credentials"].message == "authenticated as sync-daemon"


def test_client_area_user_without_the_capability(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    _area_index(rsps)
    replay(rsps, "GET", f"{SHOP}/wp-json/wp/v2/users/me", "wp_get_users_me_context_edit")
    found = by_check(diagnose_client_area(area))
    assert "lacks the assist_sync capability" in found["area.credentials"].message
    assert "area.routes" not in found


def test_client_area_plugin_missing(rsps: responses.RequestsMock, area: ClientAreaClient) -> None:
    replay(rsps, "GET", INDEX, "wp_json_index")
    [finding] = diagnose_client_area(area)
    assert "assist-client-area plugin is not active" in finding.message


def test_client_area_bad_password(rsps: responses.RequestsMock, area: ClientAreaClient) -> None:
    _area_index(rsps)
    replay(rsps, "GET", f"{SHOP}/wp-json/wp/v2/users/me", "error_wp_users_me_bad_app_password")
    found = by_check(diagnose_client_area(area))
    assert "check WP_USERNAME and WP_APP_PASSWORD" in found["area.credentials"].message


def test_the_index_is_read_without_credentials(
    rsps: responses.RequestsMock, area: ClientAreaClient
) -> None:
    _area_index(rsps)
    me = copy.deepcopy(captured("wp_get_users_me_context_edit")["body"])
    me["capabilities"]["assist_sync"] = True
    rsps.add("GET", f"{SHOP}/wp-json/wp/v2/users/me", json=me)
    rsps.add("GET", f"{SHOP}/wp-json/assist/v1/tickets", json=[], headers={"X-WP-Total": "0"})
    assert all(f.ok for f in diagnose_client_area(area))
    index, me_call = rsps.calls[0].request, rsps.calls[1].request
    assert "Authorization" not in index.headers
    assert me_call.headers["Authorization"].startswith("Basic ")


def test_doctor_never_sends_the_user_to_doctor(
    rsps: responses.RequestsMock, woo: WooClient, area: ClientAreaClient
) -> None:
    """Outside doctor a refused request says "run `assist-sync doctor`"; doctor's own findings
    give the fix instead."""
    _area_index(rsps)
    replay(rsps, "GET", f"{SHOP}/wp-json/wp/v2/users/me", "error_wp_users_me_no_auth")
    found = by_check(diagnose_client_area(area))
    message = found["area.credentials"].message
    assert "assist-sync doctor" not in message and "CGIPassAuth On" in message
    with_header = {"code": "rest_forbidden", "message": "Sorry.", "data": {"status": 401}}
    rsps.add("GET", ORDERS, status=401, json=with_header)
    healthy_shop(rsps, skip=("index", "orders"))
    shop = by_check(diagnose_shop(woo))["shop.credentials"].message
    assert "assist-sync doctor" not in shop and "CGIPassAuth On" in shop
    with pytest.raises(AuthenticationError, match="run `assist-sync doctor`"):
        woo.http.get_json("wc/v3/orders")


def test_pack_products_are_checked_by_sku(rsps: responses.RequestsMock, woo: WooClient) -> None:
    healthy_shop(rsps, skip=("products",))
    answer = copy.deepcopy(captured("products_list_sku_comma_list")["body"])
    skus = [product["sku"] for product in answer]
    answer[0]["status"] = "draft"
    rsps.add("GET", f"{API}/products", json=answer)
    finding = by_check(diagnose_shop(woo, [*skus, "ASSIST-99H"]))["shop.products"]
    assert not finding.ok
    assert finding.message.startswith(
        f"no product has the SKU ASSIST-99H; not published: {skus[0]} (draft) — "
    )
    assert parse_qs(urlsplit(rsps.calls[-1].request.url).query)["sku"] == [
        ",".join([*skus, "ASSIST-99H"])
    ]
