"""Authentication is really checked: OAuth 1.0a, Basic over HTTPS only, Application Passwords.

Signed URLs come from the ``woocommerce`` package's own OAuth code (an implementation independent
of the sandbox's); the HMAC-SHA1 header case is signed by hand with textbook OAuth 1.0a.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import quote

import requests
from woocommerce import API
from woocommerce.oauth import OAuth

from sandbox import Sandbox


def signed_url(sb: Sandbox, path: str, *, secret: str | None = None, timestamp: int | None = None,
               key: str | None = None) -> str:  # fmt: skip
    oauth = OAuth(
        url=f"{sb.url}/wp-json/wc/v3/{path}",
        consumer_key=key or sb.consumer_key,
        consumer_secret=secret or sb.consumer_secret,
        version="wc/v3",
        method="GET",
        oauth_timestamp=timestamp if timestamp is not None else int(time.time()),
    )
    url: str = oauth.get_oauth_url()
    return url


def error_of(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


def test_a_signed_request_passes_and_its_replay_is_refused(sandbox: Sandbox) -> None:
    url = signed_url(sandbox, "orders?per_page=3")
    assert requests.get(url, timeout=10).status_code == 200
    assert error_of(requests.get(url, timeout=10)) == (
        401,
        "woocommerce_rest_authentication_error",
        "Invalid nonce - nonce has already been used.",
    )


def test_wrong_secret_or_tampered_query_is_an_invalid_signature(sandbox: Sandbox) -> None:
    expected = (
        401,
        "woocommerce_rest_authentication_error",
        "Invalid signature - provided signature does not match.",
    )
    assert error_of(requests.get(signed_url(sandbox, "orders", secret="cs_x"), timeout=10)) == (
        expected
    )
    tampered = signed_url(sandbox, "orders?per_page=3").replace("per_page=3", "per_page=100")
    assert error_of(requests.get(tampered, timeout=10)) == expected


def test_stale_or_future_timestamps_are_refused(sandbox: Sandbox) -> None:
    for shift in (-16 * 60, 16 * 60):
        url = signed_url(sandbox, "orders", timestamp=int(time.time()) + shift)
        assert error_of(requests.get(url, timeout=10)) == (
            401,
            "woocommerce_rest_authentication_error",
            "Invalid timestamp.",
        )
    assert requests.get(signed_url(sandbox, "orders", timestamp=int(time.time()) - 600),
                        timeout=10).status_code == 200  # fmt: skip


def test_unknown_key_and_missing_parameters(sandbox: Sandbox) -> None:
    url = signed_url(sandbox, "orders", key="ck_" + "0" * 40)
    assert error_of(requests.get(url, timeout=10)) == (
        401,
        "woocommerce_rest_authentication_error",
        "Consumer key is invalid.",
    )
    partial = requests.get(
        f"{sandbox.url}/wp-json/wc/v3/orders",
        params={"oauth_consumer_key": sandbox.consumer_key, "oauth_nonce": "abc"},
        timeout=10,
    )
    status, code, message = error_of(partial)
    assert (status, code) == (401, "woocommerce_rest_authentication_missing_parameter")
    assert message.startswith("Missing OAuth parameters oauth_timestamp")


def test_no_credentials_and_basic_over_plain_http_run_anonymous(sandbox: Sandbox) -> None:
    cannot_view = (401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    url = f"{sandbox.url}/wp-json/wc/v3/orders"
    assert error_of(requests.get(url, timeout=10)) == cannot_view
    basic = (sandbox.consumer_key, sandbox.consumer_secret)
    assert error_of(requests.get(url, auth=basic, timeout=10)) == cannot_view
    single = requests.get(f"{url}/{min(sandbox.shop.orders)}", timeout=10)
    assert error_of(single)[1:] == (
        "woocommerce_rest_cannot_view",
        "Sorry, you cannot view this resource.",
    )
    https = {"X-Forwarded-Proto": "https"}
    assert requests.get(url, auth=basic, headers=https, timeout=10).status_code == 200
    wrong = requests.get(url, auth=(sandbox.consumer_key, "cs_no"), headers=https, timeout=10)
    assert error_of(wrong) == (
        401,
        "woocommerce_rest_authentication_error",
        "Consumer secret is invalid.",
    )
    assert "WWW-Authenticate" not in wrong.headers
    query = requests.get(
        url,
        params={"consumer_key": sandbox.consumer_key, "consumer_secret": sandbox.consumer_secret},
        headers=https,
        timeout=10,
    )
    assert query.status_code == 200


def test_basic_over_http_when_the_sandbox_allows_it() -> None:
    with Sandbox(seed=2, clients=3, orders=5, basic_over_http=True) as sb:
        response = requests.get(
            f"{sb.url}/wp-json/wc/v3/orders", auth=(sb.consumer_key, sb.consumer_secret),
            timeout=10,
        )  # fmt: skip
    assert response.status_code == 200


def test_oauth_in_the_authorization_header_with_hmac_sha1(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/wp-json/wc/v3/orders"
    oauth = {
        "oauth_consumer_key": sandbox.consumer_key,
        "oauth_nonce": secrets.token_hex(8),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time())),
    }
    params = {**oauth, "per_page": "2"}
    normalized = "&".join(f"{quote(k, '')}={quote(v, '')}" for k, v in sorted(params.items()))
    base = "&".join(("GET", quote(url, ""), quote(normalized, "")))
    digest = hmac.new(f"{sandbox.consumer_secret}&".encode(), base.encode(), hashlib.sha1)
    oauth["oauth_signature"] = base64.b64encode(digest.digest()).decode()
    header = "OAuth " + ", ".join(f'{k}="{quote(v, "")}"' for k, v in oauth.items())
    response = requests.get(url, params={"per_page": "2"}, headers={"Authorization": header},
                            timeout=10)  # fmt: skip
    assert response.status_code == 200, response.text
    assert len(response.json()) == 2
    assert sandbox.requests[-1].auth == "oauth"


def test_key_permissions_are_enforced(sandbox: Sandbox) -> None:
    write_only = sandbox.shop.add_api_key("write")
    api = API(sandbox.url, write_only.consumer_key, write_only.consumer_secret, version="wc/v3")
    assert error_of(api.get("orders")) == (
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have read permissions.",
    )
    read_only = sandbox.shop.add_api_key("read")
    api = API(sandbox.url, read_only.consumer_key, read_only.consumer_secret, version="wc/v3")
    customer = sandbox.shop.customer_ids()[0]
    assert error_of(api.put(f"customers/{customer}", {"first_name": "X"}))[2] == (
        "The API key provided does not have write permissions."
    )
    assert api.options("orders").status_code == 200


def test_application_passwords(sandbox: Sandbox) -> None:
    me = f"{sandbox.url}/wp-json/wp/v2/users/me"
    tickets = f"{sandbox.url}/wp-json/assist/v1/tickets"
    with_spaces = requests.get(me, auth=(sandbox.wp_username, sandbox.wp_app_password), timeout=10)
    assert with_spaces.status_code == 200 and with_spaces.json()["id"] == 2
    compact = sandbox.wp_app_password.replace(" ", "")
    by_email = requests.get(me, auth=("assist-sync@agence-exemple.fr", compact), timeout=10)
    assert by_email.status_code == 200
    assert error_of(requests.get(me, auth=(sandbox.wp_username, "x" * 24), timeout=10)) == (
        401,
        "incorrect_password",
        "The provided password is an invalid application password.",
    )
    assert error_of(requests.get(me, auth=("nobody", compact), timeout=10))[1] == (
        "invalid_username"
    )
    assert error_of(requests.get(me, timeout=10))[:2] == (401, "rest_not_logged_in")
    assert error_of(requests.get(tickets, timeout=10))[:2] == (401, "rest_forbidden")
    staff = (sandbox.staff_username, sandbox.staff_app_password)
    assert error_of(requests.get(tickets, auth=staff, timeout=10))[:2] == (403, "rest_forbidden")
    woo_key = (sandbox.consumer_key, sandbox.consumer_secret)
    assert requests.get(tickets, auth=woo_key, timeout=10).status_code == 401
    daemon = (sandbox.wp_username, sandbox.wp_app_password)
    assert requests.get(tickets, auth=daemon, timeout=10).status_code == 200


def test_unknown_routes(sandbox: Sandbox) -> None:
    api = API(sandbox.url, sandbox.consumer_key, sandbox.consumer_secret, version="wc/v3")
    assert error_of(api.get("nonexistent")) == (
        404,
        "rest_no_route",
        "No route was found matching the URL and request method.",
    )
    assert requests.get(f"{sandbox.url}/wp-json/assist/v1/nope", timeout=10).status_code == 404


def test_a_configured_home_url_is_what_signatures_must_use() -> None:
    with Sandbox(seed=1, clients=2, orders=3) as probe:
        port = probe.port
    with Sandbox(seed=1, clients=2, orders=3, port=port, home_url=f"http://localhost:{port}") as sb:
        by_ip = API(f"http://127.0.0.1:{sb.port}", sb.consumer_key, sb.consumer_secret,
                    version="wc/v3")  # fmt: skip
        assert error_of(by_ip.get("orders"))[2] == (
            "Invalid signature - provided signature does not match."
        )
        by_home = API(f"http://localhost:{sb.port}", sb.consumer_key, sb.consumer_secret,
                      version="wc/v3")  # fmt: skip
        assert by_home.get("orders").status_code == 200
        index = requests.get(f"http://127.0.0.1:{sb.port}/wp-json/", timeout=10).json()
        assert index["home"] == f"http://localhost:{sb.port}"
