"""``sync.doctor.diagnose`` over HTTPS with mocked answers (``responses``): which probes run for
which settings, missing settings as findings, and what the sandbox on plain HTTP cannot show —
Basic auth and a server that strips the Authorization header. The probes themselves are
tested with ``wp_client.diagnose``."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import responses
from responses import matchers

from config import load_settings
from sync.doctor import Report, diagnose

SHOP = "https://boutique.example.fr"
API = f"{SHOP}/wp-json"
ORDERS = f"{API}/wc/v3/orders"
KEY, SECRET = "ck_" + "a" * 40, "cs_" + "b" * 40
BASIC = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
CANNOT_VIEW = {
    "code": "woocommerce_rest_cannot_view",
    "message": "Sorry, you cannot list resources.",
    "data": {"status": 401},
}
OPTIONS = {
    "endpoints": [
        {
            "methods": ["GET"],
            "args": {"modified_after": {}, "modified_before": {}, "dates_are_gmt": {}},
        }
    ]
}


def settings(**env: str) -> Any:
    values = {"WOO_URL": SHOP, "WOO_CONSUMER_KEY": KEY, "WOO_CONSUMER_SECRET": SECRET}
    values.update(env)
    return load_settings({k: v for k, v in values.items() if v}, dotenv_path=None)


def shop_index() -> None:
    responses.get(f"{API}/", json={"namespaces": ["wp/v2", "wc/v3"], "home": SHOP})


def pack_products(*, draft: str | None = None) -> list[dict[str, object]]:
    """The shop's three pack products (one of them a draft when ``draft`` names its SKU)."""
    return [
        {
            "id": 10 + n,
            "sku": sku,
            "status": "draft" if sku == draft else "publish",
            "permalink": f"{SHOP}/produit/{sku.lower()}/"
            if sku != draft
            else f"{SHOP}/?post_type=product&p={10 + n}",
        }
        for n, sku in enumerate(("ASSIST-3H", "ASSIST-5H", "ASSIST-10H"))
    ]


def text(report: Report) -> str:
    return "\n".join(report.lines())


@responses.activate
def test_a_healthy_shop_over_https_with_basic_auth() -> None:
    shop_index()
    authorized = matchers.header_matcher({"Authorization": BASIC})
    responses.get(ORDERS, json=[], headers={"X-WP-Total": "0"}, match=[authorized])
    responses.add("OPTIONS", ORDERS, json=OPTIONS)
    responses.get(f"{API}/wc/v3/customers", json=[])
    skus = matchers.query_param_matcher(
        {"sku": "ASSIST-3H,ASSIST-5H,ASSIST-10H", "per_page": "100"}, strict_match=False
    )
    responses.get(f"{API}/wc/v3/products", json=pack_products(), match=[skus])
    report = diagnose(settings())
    assert report.ok and report.failed == 0 and report.exit_code == 0, text(report)
    assert [f.check for f in report.findings][:3] == [
        "shop.url",
        "shop.credentials",
        "shop.filters",
    ]
    assert "Basic over https" in report.findings[1].message
    assert report.findings[-1].message == (
        "every pack has its product page: ASSIST-3H /produit/assist-3h/, "
        "ASSIST-5H /produit/assist-5h/, ASSIST-10H /produit/assist-10h/"
    )
    assert not any(f.check.startswith("area.") for f in report.findings)  # no WP_* settings


@responses.activate
def test_the_index_is_read_anonymously() -> None:
    """A consumer key sent as Basic auth to /wp-json/ is an unknown user name to WordPress
    (401 invalid_username): the index is public, credentials go to wc/v3 only."""
    shop_index()
    responses.get(ORDERS, json=[], headers={"X-WP-Total": "0"})
    responses.add("OPTIONS", ORDERS, json=OPTIONS)
    responses.get(f"{API}/wc/v3/customers", json=[])
    responses.get(f"{API}/wc/v3/products", json=pack_products())
    report = diagnose(settings())
    assert report.ok, text(report)
    index, orders = responses.calls[0].request, responses.calls[1].request
    assert index.url == f"{API}/" and "Authorization" not in index.headers
    assert orders.headers["Authorization"] == BASIC


@responses.activate
def test_a_pack_without_a_published_product_is_named() -> None:
    shop_index()
    responses.get(ORDERS, json=[], headers={"X-WP-Total": "0"})
    responses.add("OPTIONS", ORDERS, json=OPTIONS)
    responses.get(f"{API}/wc/v3/customers", json=[])
    products = [p for p in pack_products(draft="ASSIST-5H") if p["sku"] != "ASSIST-10H"]
    responses.get(f"{API}/wc/v3/products", json=products)
    report = diagnose(settings())
    assert report.exit_code == 1 and report.failed == 1
    assert report.lines()[-1] == (
        "FAIL  shop.products: no product has the SKU ASSIST-10H; not published: ASSIST-5H "
        "(draft) — create or publish the pack's product in WooCommerce (warnings link clients "
        "to its page), or remove the pack from ASSIST_CATALOG"
    )


@responses.activate
def test_a_stripped_authorization_header_is_named_and_no_secret_printed() -> None:
    shop_index()
    in_query = matchers.query_param_matcher(
        {"per_page": "1", "consumer_key": KEY, "consumer_secret": SECRET}
    )
    responses.get(ORDERS, json=[], match=[in_query])
    responses.get(ORDERS, status=401, json=CANNOT_VIEW)
    report = diagnose(settings())
    assert not report.ok
    assert report.lines()[-1].startswith("FAIL  shop.credentials: the server strips the Author")
    assert KEY not in text(report) and SECRET not in text(report)


@responses.activate
def test_html_instead_of_json_stops_at_the_first_check() -> None:
    responses.get(
        f"{API}/", body="<html><body>Just a moment...</body></html>", content_type="text/html"
    )
    report = diagnose(settings())
    assert [f.check for f in report.findings] == ["shop.url"]
    assert report.lines()[0].startswith("FAIL  shop.url:") and "HTML" in report.lines()[0]


@pytest.mark.parametrize("missing", ["WOO_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"])
def test_missing_shop_settings_are_findings_without_a_request(missing: str) -> None:
    report = diagnose(settings(**{missing: ""}))
    assert [f.check for f in report.findings] == ["shop.settings"]
    assert missing in report.findings[0].message and report.failed == 1
    assert report.exit_code == 2  # a configuration error, not a failed check


def test_an_unusable_url_is_a_finding() -> None:
    report = diagnose(settings(WOO_URL="http://shop.example.fr", ASSIST_ALLOW_INSECURE_HTTP="1"),
                      woo_factory=_refuse)  # fmt: skip
    assert [(f.check, f.ok) for f in report.findings] == [("shop.url", False)]
    assert report.exit_code == 2


def test_incomplete_client_area_settings_are_findings() -> None:
    report = diagnose(settings(WP_URL=SHOP, WP_USERNAME="assist-sync"), woo_factory=_refuse)
    assert [f.check for f in report.findings] == ["shop.url", "area.settings"]
    assert "WP_APP_PASSWORD is not set" in report.findings[1].message


def _refuse(_settings: Any) -> Any:
    from wp_client.errors import ConfigurationError

    raise ConfigurationError("WOO_URL uses plain http to a remote host", reason="insecure")
