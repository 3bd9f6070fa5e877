"""Each failure becomes the right exception with one actionable, secret-free line."""

from __future__ import annotations

import socket

import pytest
import requests
import responses

from config import Secret
from tests.wp_client.conftest import API, APP_PASSWORD, KEY, SECRET, SHOP, Sleeps, replay
from wp_client.client_area import ClientAreaClient
from wp_client.errors import (
    AuthenticationError,
    BadPayloadError,
    ConfigurationError,
    RemoteError,
    TransientError,
)
from wp_client.woo import WooClient

ORDERS = f"{API}/orders"


def _secret_free(exc: BaseException) -> str:
    text = f"{exc} {exc!r} {exc.args!r}"
    for secret in (KEY, SECRET, APP_PASSWORD, APP_PASSWORD.replace(" ", "")):
        assert secret not in text
    assert "\n" not in str(exc)
    return str(exc)


def _first_page_error(woo: WooClient) -> RemoteError:
    with pytest.raises(RemoteError) as info:
        next(woo.iter_order_pages(modified_after=None, modified_before=None))
    _secret_free(info.value)
    return info.value


@pytest.mark.parametrize(
    ("fixture", "cls", "code", "words"),
    [
        (
            "error_orders_unknown_consumer_key",
            AuthenticationError,
            "woocommerce_rest_cannot_view",
            "WooCommerce rejected the consumer key (401 woocommerce_rest_cannot_view: Sorry, you "
            "cannot list resources.) — check WOO_CONSUMER_KEY/SECRET and that the key has read "
            "access",
        ),
        (
            "error_orders_bad_consumer_secret",
            AuthenticationError,
            "woocommerce_rest_authentication_error",
            "WooCommerce rejected the consumer secret (401 woocommerce_rest_authentication_error: "
            "Consumer secret is invalid.) — check WOO_CONSUMER_SECRET",
        ),
        (
            "error_orders_put_with_read_only_key",
            AuthenticationError,
            "woocommerce_rest_authentication_error",
            "read-only",
        ),
        ("error_unknown_route_404", ConfigurationError, "rest_no_route", "check WOO_URL"),
        ("error_orders_per_page_101_400", RemoteError, "rest_invalid_param", "per_page must be"),
        ("error_orders_bad_status_400", RemoteError, "rest_invalid_param", "status[0] is not one"),
    ],
)
def test_captured_error_answers_map_to_their_exception(
    rsps: responses.RequestsMock,
    woo: WooClient,
    fixture: str,
    cls: type[RemoteError],
    code: str,
    words: str,
) -> None:
    replay(rsps, "GET", ORDERS, fixture)
    exc = _first_page_error(woo)
    assert type(exc) is cls
    assert exc.code == code
    assert exc.url == ORDERS
    assert words in str(exc)


def test_the_403_of_a_key_without_capability_is_an_authentication_error(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    replay(rsps, "GET", f"{API}/customers", "error_orders_no_auth", status=403)
    with pytest.raises(AuthenticationError) as info:
        woo.customers_by_email("a@example.test")
    assert info.value.status == 403 and "lacks a permission" in _secret_free(info.value)


def test_unknown_order_is_none_but_unknown_route_is_a_configuration_error(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    replay(rsps, "GET", f"{API}/orders/999999", "error_orders_missing_404")
    replay(rsps, "GET", f"{API}/customers/999999", "error_customers_missing")
    assert woo.get_order(999999) is None
    assert woo.get_customer(999999) is None
    replay(rsps, "GET", f"{API}/orders/5", "error_unknown_route_404")
    with pytest.raises(ConfigurationError):
        woo.get_order(5)


def test_html_with_status_200_is_refused_never_read_as_no_orders(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    page = "<!DOCTYPE html><html><body>Checking your browser…</body></html>"
    rsps.add("GET", ORDERS, body=page, status=200, content_type="text/html; charset=UTF-8")
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and exc.reason == "html"
    assert str(exc) == (
        f"{ORDERS} answered HTML, not JSON (status 200) — a security plugin, cache or "
        "maintenance page is in the way"
    )


def test_php_warnings_before_the_json_are_named(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    body = '<br />\n<b>Warning</b>:  Undefined array key in x.php on line 3<br />\n[{"id": 1}]'
    rsps.add("GET", ORDERS, body=body, status=200, content_type="application/json")
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and "WP_DEBUG_DISPLAY" in str(exc)


def test_json_served_as_text_html_by_a_page_cache_is_still_json(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    rsps.add("GET", f"{API}/orders/7", body='{"id": 7}', content_type="text/html")
    assert woo.get_order(7) == {"id": 7}


def test_plain_text_php_warnings_are_named(rsps: responses.RequestsMock, woo: WooClient) -> None:
    body = 'Deprecated: Creation of dynamic property in x.php on line 9\n{"id": 7}'
    rsps.add("GET", f"{API}/orders/7", body=body, content_type="application/json")
    with pytest.raises(ConfigurationError) as info:
        woo.get_order(7)
    assert "PHP warnings before the JSON" in str(info.value)


def test_malformed_json_is_a_bad_payload(rsps: responses.RequestsMock, woo: WooClient) -> None:
    rsps.add("GET", ORDERS, body='[{"id": 1, "status": "proc', status=200)
    exc = _first_page_error(woo)
    assert isinstance(exc, BadPayloadError) and exc.reason == "json"


def test_a_json_body_with_a_bom_is_accepted(rsps: responses.RequestsMock, woo: WooClient) -> None:
    rsps.add("GET", f"{API}/orders/7", body=b'\xef\xbb\xbf{"id": 7}', status=200)
    assert woo.get_order(7) == {"id": 7}


def test_an_html_403_from_a_firewall_says_so(rsps: responses.RequestsMock, woo: WooClient) -> None:
    rsps.add("GET", ORDERS, body="<html>Forbidden</html>", status=403, content_type="text/html")
    exc = _first_page_error(woo)
    assert isinstance(exc, AuthenticationError) and "firewall" in str(exc)


def test_tls_failure_names_the_ca_bundle_setting(
    rsps: responses.RequestsMock, woo: WooClient, sleeps: Sleeps
) -> None:
    error = requests.exceptions.SSLError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
    )
    rsps.add("GET", ORDERS, body=error)
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and exc.reason == "tls"
    assert str(exc) == (
        "WooCommerce: TLS verification failed for 127.0.0.1 — set WOO_CA_BUNDLE to your CA file "
        "if it uses its own CA"
    )
    assert sleeps == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_transient_after_retries(sleeps: Sleeps) -> None:
    woo = WooClient(
        f"http://127.0.0.1:{_closed_port()}",
        Secret(KEY),
        Secret(SECRET),
        sleep=sleeps,
        max_retries=2,
    )
    with pytest.raises(TransientError) as info:
        woo.get_order(1)
    assert info.value.reason == "refused" and len(sleeps) == 2
    assert "cannot connect to 127.0.0.1" in _secret_free(info.value)
    assert "check WOO_URL" in str(info.value)


@pytest.mark.parametrize(
    ("location", "words"),
    [
        (
            "https://www.127.0.0.1.example/wp-json/wc/v3/orders?page=1",
            "https://www.127.0.0.1.example",
        ),
        ("http://127.0.0.1:8443/wp-json/wc/v3/orders", "http://127.0.0.1:8443"),
    ],
)
def test_a_redirect_that_would_drop_the_credentials_is_refused(
    rsps: responses.RequestsMock, woo: WooClient, location: str, words: str
) -> None:
    rsps.add("GET", ORDERS, status=301, headers={"Location": location})
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and exc.reason == "redirect"
    assert f"set WOO_URL to the final address ({words})" in str(exc)
    assert len(rsps.calls) == 1  # never followed


def test_the_link_header_is_not_handed_back(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", ORDERS, "orders_query_string_auth_https")
    _, headers = woo.http.get_json("wc/v3/orders")
    assert "Link" not in headers and headers["X-WP-Total"] == "9"


def test_secrets_never_appear_even_when_the_server_echoes_them(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    woo = WooClient(SHOP, Secret(KEY), Secret(SECRET), sleep=sleeps)
    echo = {"code": "woocommerce_rest_authentication_error", "message": f"Bad secret {SECRET}"}
    rsps.add("GET", ORDERS, status=401, json={**echo, "data": {"status": 401}})
    _first_page_error(woo)
    area = ClientAreaClient(SHOP, "sync", Secret(APP_PASSWORD), sleep=sleeps)
    rsps.add(
        "GET",
        f"{SHOP}/wp-json/wp/v2/users/me",
        status=400,
        json={"code": "x", "message": f"{APP_PASSWORD.replace(' ', '')} is wrong"},
    )
    with pytest.raises(RemoteError) as info:
        area.whoami()
    _secret_free(info.value)
    for text in (repr(woo), repr(area), repr(woo.http), repr(area.http), repr(woo.http.auth)):
        assert KEY not in text and SECRET not in text and APP_PASSWORD not in text
        assert KEY[:6] not in text  # not even the start of the consumer key (Basic's user name)


def test_a_redirect_to_a_login_page_is_not_suggested_as_the_address(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    rsps.add("GET", ORDERS, status=302, headers={"Location": "/wp-login.php?redirect_to=x"})
    exc = _first_page_error(woo)
    assert "a plugin or server rule redirects the REST API; check WOO_URL" in str(exc)


@pytest.mark.parametrize(
    ("status", "body", "cls", "reason"),
    [
        (400, {"code": "rest_invalid_param", "message": "x"}, RemoteError, "http_400"),
        (
            401,
            {"code": "woocommerce_rest_cannot_view", "message": "x"},
            AuthenticationError,
            "http_401",
        ),
        (
            403,
            {"code": "woocommerce_rest_cannot_view", "message": "x"},
            AuthenticationError,
            "http_403",
        ),
        (404, {"code": "woocommerce_rest_invalid_id", "message": "x"}, RemoteError, "http_404"),
        (404, {"code": "rest_no_route", "message": "x"}, ConfigurationError, "no_route"),
        (404, None, ConfigurationError, "no_route"),
        (408, None, TransientError, "http_408"),
        (409, {"code": "conflict", "message": "x"}, RemoteError, "http_409"),
        (
            410,
            {"code": "woocommerce_rest_already_trashed", "message": "x"},
            RemoteError,
            "http_410",
        ),
        (
            413,
            {"code": "woocommerce_rest_request_entity_too_large", "message": "x"},
            RemoteError,
            "http_413",
        ),
        (429, None, TransientError, "http_429"),
        (500, {"code": "internal_server_error", "message": "x"}, TransientError, "http_500"),
        (
            501,
            {"code": "woocommerce_rest_trash_not_supported", "message": "x"},
            RemoteError,
            "http_501",
        ),
        (502, None, TransientError, "http_502"),
        (503, None, TransientError, "http_503"),
        (504, None, TransientError, "http_504"),
        (302, None, ConfigurationError, "redirect"),
    ],
)
def test_every_status_class_maps_to_its_exception(
    rsps: responses.RequestsMock,
    status: int,
    body: dict[str, str] | None,
    cls: type[RemoteError],
    reason: str,
) -> None:
    woo = WooClient(SHOP, Secret(KEY), Secret(SECRET), max_retries=0)
    headers = {"Location": f"{SHOP}/other/"} if status == 302 else {}
    if body is None:
        rsps.add(
            "GET",
            f"{API}/orders/5",
            status=status,
            body="<html>x</html>",
            content_type="text/html",
            headers=headers,
        )
    else:
        rsps.add("GET", f"{API}/orders/5", status=status, json=body)
    with pytest.raises(RemoteError) as info:
        woo.http.get_json("wc/v3/orders/5")
    assert type(info.value) is cls
    assert info.value.reason == reason and info.value.status == status
    assert info.value.url == f"{API}/orders/5"
    _secret_free(info.value)


def test_logs_never_show_credentials(
    rsps: responses.RequestsMock, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="wp_client")
    local = "http://127.0.0.1:8080"
    woo = WooClient(local, Secret(KEY), Secret(SECRET), sleep=sleeps)
    rsps.add("GET", f"{local}/wp-json/wc/v3/orders/5", status=503)
    rsps.add("GET", f"{local}/wp-json/wc/v3/orders/5", json={"id": 5})
    woo.get_order(5)
    probe = woo.http.derive(auth=None, max_retries=0)
    rsps.add("GET", f"{local}/wp-json/wc/v3/orders", json=[])
    probe.get_json("wc/v3/orders", {"per_page": 1, **woo.query_string_credentials()})
    assert "orders/5" in caplog.text and "per_page=1" in caplog.text
    assert KEY not in caplog.text and SECRET not in caplog.text
    assert "oauth_signature" not in caplog.text


def _plain_permalinks_site(rsps: responses.RequestsMock) -> None:
    """The public REST index as a site with Plain permalinks serves it: only ?rest_route=/."""
    home = "<!DOCTYPE html><html><head><title>Boutique</title></head><body>Accueil</body></html>"
    rsps.add(
        "GET",
        f"{SHOP}/",
        json={"name": "Boutique", "namespaces": ["wp/v2", "wc/v3"], "routes": {}},
        match=[responses.matchers.query_param_matcher({"rest_route": "/"})],
    )
    rsps.add("GET", f"{SHOP}/wp-json/", body=home, content_type="text/html; charset=UTF-8")


PLAIN_PERMALINKS = (
    f"{ORDERS} answered the site's home page, not JSON: {SHOP} uses plain permalinks — in "
    "WordPress, Settings → Permalinks, choose any structure but Plain (e.g. Post name) and save"
)


def test_plain_permalinks_are_named_not_mistaken_for_a_firewall(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    """/wp-json/ answers the home page when permalinks are Plain; ?rest_route=/ still works."""
    _plain_permalinks_site(rsps)
    home = "<!DOCTYPE html><html><body>Accueil</body></html>"
    rsps.add("GET", ORDERS, body=home, status=200, content_type="text/html; charset=UTF-8")
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and exc.reason == "plain_permalinks"
    assert str(exc) == PLAIN_PERMALINKS
    assert all("Authorization" not in call.request.headers for call in rsps.calls[1:])
    assert woo.requests_made == 3


def test_plain_permalinks_behind_the_trailing_slash_redirect_are_named(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    """What WordPress 6.1 really does: /wp-json/wc/v3/orders → 301 …/orders/ → home page."""
    _plain_permalinks_site(rsps)
    rsps.add("GET", ORDERS, status=301, headers={"Location": f"{ORDERS}/?page=1&per_page=100"})
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and exc.reason == "plain_permalinks"
    assert str(exc).startswith(f"{ORDERS} answered the site's home page")


def test_a_same_site_redirect_with_pretty_permalinks_stays_a_redirect_error(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    rsps.add("GET", f"{SHOP}/wp-json/", json={"namespaces": ["wc/v3"]})
    rsps.add("GET", ORDERS, status=302, headers={"Location": f"{SHOP}/maintenance/"})
    exc = _first_page_error(woo)
    assert isinstance(exc, ConfigurationError) and exc.reason == "redirect"


def test_a_link_header_in_lower_case_is_still_hidden_from_callers(
    rsps: responses.RequestsMock, woo: WooClient
) -> None:
    """``Link`` repeats query-string credentials; HTTP/2 proxies send header names lower-case."""
    rsps.add(
        "GET",
        f"{API}/orders/7",
        json={"id": 7},
        headers={"link": f'<{SHOP}/wp-json/?consumer_secret={SECRET}>; rel="up"'},
    )
    _, headers = woo.http.get_json("wc/v3/orders/7")
    assert "Link" not in headers
    assert SECRET not in repr(dict(headers))
