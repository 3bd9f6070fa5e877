"""``doctor`` over HTTPS with mocked answers (``responses``): what the sandbox on plain HTTP
cannot show — Basic auth, a server that strips the Authorization header, an old WooCommerce
without ``modified_after``, a key that cannot read customers."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import responses
from responses import matchers

from config import load_settings
from sync.doctor import Report, diagnose

SHOP = "https://boutique.example.fr"
ORDERS = f"{SHOP}/wp-json/wc/v3/orders"
CUSTOMERS = f"{SHOP}/wp-json/wc/v3/customers"
KEY, SECRET = "ck_" + "a" * 40, "cs_" + "b" * 40
CANNOT_VIEW = {
    "code": "woocommerce_rest_cannot_view",
    "message": "Sorry, you cannot list resources.",
    "data": {"status": 401},
}


def options(*args: str) -> dict[str, Any]:
    return {"endpoints": [{"methods": ["GET"], "args": {name: {} for name in args}}]}


def run() -> Report:
    settings = load_settings(
        {"WOO_URL": SHOP, "WOO_CONSUMER_KEY": KEY, "WOO_CONSUMER_SECRET": SECRET},
        dotenv_path=None,
    )
    return diagnose(settings, probe_session=requests.Session())


def lines(report: Report) -> list[str]:
    return [finding.line() for finding in report.findings]


def no_secret(report: Report) -> None:
    text = "\n".join(lines(report))
    assert KEY not in text and SECRET not in text


@responses.activate
def test_everything_fine_over_https() -> None:
    responses.get(ORDERS, json=[], match=[matchers.header_matcher({"Authorization": "Basic " + (
        __import__("base64").b64encode(f"{KEY}:{SECRET}".encode()).decode())})])  # fmt: skip
    responses.get(CUSTOMERS, json=[])
    responses.add(
        "OPTIONS", ORDERS, json=options("modified_after", "modified_before", "dates_are_gmt")
    )
    report = run()
    assert report.ok, lines(report)
    assert "Basic auth over HTTPS" in lines(report)[1]


@responses.activate
def test_a_stripped_authorization_header_is_named() -> None:
    probe = matchers.query_param_matcher(
        {"per_page": "1", "consumer_key": KEY, "consumer_secret": SECRET}
    )
    responses.get(ORDERS, json=[], match=[probe])
    responses.get(ORDERS, status=401, json=CANNOT_VIEW)
    report = run()
    assert not report.ok
    (credentials,) = [f for f in report.findings if f.check == "credentials"]
    assert not credentials.ok and "strips the Authorization header" in credentials.message
    no_secret(report)


@responses.activate
def test_a_wrong_key_is_not_mistaken_for_a_stripped_header() -> None:
    responses.get(ORDERS, status=401, json=CANNOT_VIEW)
    report = run()
    (credentials,) = [f for f in report.findings if f.check == "credentials"]
    assert not credentials.ok and "WOO_CONSUMER_KEY" in credentials.message
    assert "strips" not in credentials.message
    no_secret(report)


@responses.activate
def test_an_old_woocommerce_without_modified_after() -> None:
    responses.get(ORDERS, json=[])
    responses.get(CUSTOMERS, json=[])
    responses.add("OPTIONS", ORDERS, json=options("after", "before", "status"))
    report = run()
    (incremental,) = [f for f in report.findings if f.check == "incremental sync"]
    assert not incremental.ok
    assert "modified_after, modified_before, dates_are_gmt" in incremental.message


@responses.activate
def test_a_key_that_cannot_read_customers() -> None:
    responses.get(ORDERS, json=[])
    denied = dict(CANNOT_VIEW, data={"status": 403})
    responses.get(CUSTOMERS, status=403, json=denied)
    responses.add(
        "OPTIONS", ORDERS, json=options("modified_after", "modified_before", "dates_are_gmt")
    )
    report = run()
    (permissions,) = [f for f in report.findings if f.check == "permissions"]
    assert not permissions.ok and "guest orders cannot be matched" in permissions.message


@responses.activate
def test_html_instead_of_json() -> None:
    responses.get(
        ORDERS, body="<html><body>Just a moment...</body></html>", content_type="text/html"
    )
    report = run()
    assert lines(report) == [lines(report)[0]]
    assert lines(report)[0].startswith("FAIL  shop URL: HTML instead of JSON")


@pytest.mark.parametrize("missing", ["WOO_URL", "WOO_CONSUMER_KEY"])
def test_missing_settings_are_findings(missing: str) -> None:
    env = {"WOO_URL": SHOP, "WOO_CONSUMER_KEY": KEY, "WOO_CONSUMER_SECRET": SECRET}
    del env[missing]
    report = diagnose(load_settings(env, dotenv_path=None))
    assert [f.check for f in report.findings] == ["shop settings"]
    assert missing in report.findings[0].message and not report.ok
