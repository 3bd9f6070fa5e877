"""Basic over HTTPS, OAuth 1.0a over plain HTTP (checked independently), insecure URLs refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import OrderedDict
from itertools import count
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import responses
from woocommerce.oauth import OAuth

from config import Secret
from tests.wp_client.conftest import APP_PASSWORD, KEY, SECRET, SHOP, Sleeps, replay
from wp_client.auth import OAuth1Signature
from wp_client.client_area import ClientAreaClient
from wp_client.errors import ConfigurationError
from wp_client.woo import WooClient

LOCAL = "http://127.0.0.1:8080"
SINCE = __import__("datetime").datetime(2026, 11, 26, 10, 33, 45)


def php_signature(method: str, url: str, secret: str) -> tuple[str, str]:
    """(signature sent, signature WooCommerce would compute) for a request URL.

    Rewritten from WC_REST_Authentication::check_oauth_signature: the params PHP sees ($_GET,
    decoded), minus oauth_signature, sorted with strcmp, each key and value rawurlencoded,
    joined as k=v, rawurlencoded again, joined with %26; base URL = home URL + path.
    """
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    sent = params.pop("oauth_signature")

    def enc(s: str) -> str:  # PHP rawurlencode
        return quote(s, safe="")

    pairs = [enc(f"{enc(k)}={enc(v)}") for k, v in sorted(params.items(), key=lambda i: i[0])]
    base = f"{method}&{enc(f'{parts.scheme}://{parts.netloc}{parts.path}')}&{'%26'.join(pairs)}"
    algo = {"HMAC-SHA256": hashlib.sha256, "HMAC-SHA1": hashlib.sha1}[
        params["oauth_signature_method"]
    ]
    expected = base64.b64encode(hmac.new(f"{secret}&".encode(), base.encode(), algo).digest())
    return sent, expected.decode()


def test_basic_auth_over_https(rsps: responses.RequestsMock, woo: WooClient) -> None:
    replay(rsps, "GET", f"{SHOP}/wp-json/wc/v3/orders/19", "orders_get_single_partial_refund")
    woo.get_order(19)
    sent = rsps.calls[0].request
    token = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {token}"
    assert "oauth_signature" not in (sent.url or "")
    assert sent.headers["User-Agent"].startswith("assist-sync/")
    assert not woo.uses_oauth


def test_application_password_is_basic_with_the_spaces(rsps: responses.RequestsMock) -> None:
    area = ClientAreaClient(SHOP, "sync-daemon", Secret(APP_PASSWORD))
    replay(rsps, "GET", f"{SHOP}/wp-json/wp/v2/users/me", "wp_get_users_me_context_edit")
    assert area.whoami()["username"] == "sync-daemon"
    token = base64.b64encode(f"sync-daemon:{APP_PASSWORD}".encode()).decode()
    assert rsps.calls[0].request.headers["Authorization"] == f"Basic {token}"
    assert rsps.calls[0].request.url == f"{SHOP}/wp-json/wp/v2/users/me?context=edit"


def test_oauth_signature_over_plain_http_matches_what_woocommerce_computes(
    rsps: responses.RequestsMock, sleeps: Sleeps
) -> None:
    woo = WooClient(LOCAL, Secret(KEY), Secret(SECRET), sleep=sleeps)
    assert woo.uses_oauth
    replay(rsps, "GET", f"{LOCAL}/wp-json/wc/v3/orders", "orders_list_status_processing_completed")
    pages = woo.iter_order_pages(
        modified_after=SINCE, modified_before=None, status=("processing", "completed"), customer=2
    )
    assert [o["id"] for o in next(pages)] == [14, 15, 19, 20, 21]
    request = rsps.calls[0].request
    assert "Authorization" not in request.headers
    sent, expected = php_signature("GET", request.url or "", SECRET)
    assert sent == expected
    params = dict(parse_qsl(urlsplit(request.url or "").query))
    assert params["oauth_consumer_key"] == KEY and params["oauth_signature_method"] == "HMAC-SHA256"
    assert (
        params["status"] == "processing,completed"
        and params["modified_after"] == "2026-11-26T10:33:45"
    )
    assert SECRET not in (request.url or "")
    assert len(parse_qsl(urlsplit(request.url or "").query)) == len(params)  # no duplicated params


def test_values_with_slashes_and_spaces_are_signed_like_php_rawurlencode() -> None:
    signer = OAuth1Signature(KEY, SECRET, clock=lambda: 1_764_000_000, nonce=lambda: "n0nce")
    import requests

    prepared = requests.Request(
        "GET", f"{LOCAL}/wp-json/wc/v3/customers", params={"search": "a/b c+d%e", "email": "x@y.z"}
    ).prepare()
    signer(prepared)
    sent, expected = php_signature("GET", prepared.url or "", SECRET)
    assert sent == expected


def test_the_signature_agrees_with_the_woocommerce_package_on_plain_values() -> None:
    signer = OAuth1Signature(KEY, SECRET, clock=lambda: 1_764_000_000, nonce=lambda: "abc123")
    import requests

    url = f"{LOCAL}/wp-json/wc/v3/orders"
    query = {"per_page": "100", "orderby": "id", "status": "processing,completed"}
    prepared = requests.Request("GET", url, params=query).prepare()
    signer(prepared)
    ours = dict(parse_qsl(urlsplit(prepared.url or "").query))
    theirs = OAuth(url, KEY, SECRET, version="wc/v3", method="GET")
    params = OrderedDict(query)
    params.update(
        oauth_consumer_key=KEY,
        oauth_timestamp="1764000000",
        oauth_nonce="abc123",
        oauth_signature_method="HMAC-SHA256",
    )
    assert ours["oauth_signature"] == theirs.generate_oauth_signature(params, url)


def test_every_retry_is_signed_afresh(rsps: responses.RequestsMock, sleeps: Sleeps) -> None:
    woo = WooClient(LOCAL, Secret(KEY), Secret(SECRET), sleep=sleeps)
    ticks = count(1_764_000_000, 7)
    assert isinstance(woo.http.auth, OAuth1Signature)
    woo.http.auth._clock = lambda: float(next(ticks))
    url = f"{LOCAL}/wp-json/wc/v3/orders/19"
    rsps.add("GET", url, status=503)
    rsps.add("GET", url, status=503)
    replay(rsps, "GET", url, "orders_get_single_partial_refund")
    assert woo.get_order(19) is not None
    sent = [dict(parse_qsl(urlsplit(c.request.url or "").query)) for c in rsps.calls]
    assert len({p["oauth_nonce"] for p in sent}) == 3
    assert [p["oauth_timestamp"] for p in sent] == ["1764000000", "1764000007", "1764000014"]
    for call in rsps.calls:
        signature, expected = php_signature("GET", call.request.url or "", SECRET)
        assert signature == expected


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://shop.example", False),
        ("http://10.0.0.5:8080", False),
        ("http://127.0.0.1:8080", True),
        ("http://localhost", True),
        ("http://[::1]:8080", True),
        ("https://shop.example", True),
    ],
)
def test_plain_http_is_refused_for_a_remote_host(url: str, allowed: bool) -> None:
    if allowed:
        WooClient(url, Secret(KEY), Secret(SECRET))
        ClientAreaClient(url, "u", Secret("p"))
        return
    for build in (
        lambda: WooClient(url, Secret(KEY), Secret(SECRET)),
        lambda: ClientAreaClient(url, "u", Secret("p")),
    ):
        with pytest.raises(ConfigurationError) as info:
            build()
        assert "use https:// or set ASSIST_ALLOW_INSECURE_HTTP=1" in str(info.value)
    assert WooClient(url, Secret(KEY), Secret(SECRET), allow_insecure_http=True).uses_oauth


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("shop.example", "must be a site address"),
        ("ftp://shop.example", "must be a site address"),
        ("https://ck_x:cs_y@shop.example", "must not contain a user name"),
        ("https://shop.example/wp-json/wc/v3", "without /wp-json"),
        ("https://shop.example/?consumer_key=ck_1", "must not contain '?'"),
        ("", "WOO_URL is not set"),
    ],
)
def test_unusable_urls_get_one_line(url: str, words: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        WooClient(url, Secret(KEY), Secret(SECRET))
    assert words in str(info.value) and "cs_y" not in str(info.value)


def test_urls_are_normalised() -> None:
    woo = WooClient("HTTPS://Shop.Example:443/boutique/", Secret(KEY), Secret(SECRET))
    assert woo.url == "https://shop.example/boutique"
    assert woo.http.api_root == "https://shop.example/boutique/wp-json"
