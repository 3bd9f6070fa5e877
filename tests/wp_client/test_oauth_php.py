"""The OAuth signature checked by PHP itself: ``parse_str`` as ``$_GET``, ``rawurlencode``.

The verifier below restates WooCommerce's ``check_oauth_signature`` in PHP, so the query
decoding (``+``, ``%2C``, repeated keys) and the encoding are PHP's own, not a Python imitation.
Skipped where no ``php`` binary is installed (CI installs it for WordPress).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests

from tests.wp_client.conftest import KEY, SECRET
from wp_client.auth import OAuth1Signature

PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="php is not installed")

VERIFY = r"""
$method = $argv[1]; $url = $argv[2]; $secret = $argv[3]; $home = $argv[4];
$parts = parse_url($url);
parse_str($parts['query'] ?? '', $params);               // what PHP puts in $_GET
$enc = function ($v) { return str_replace(array('+', '%7E'), array(' ', '~'), rawurlencode($v)); };
$path = ltrim(substr($parts['path'], strlen(parse_url($home, PHP_URL_PATH) ?? '')), '/');
$base = rawurlencode(rtrim($home, '/') . '/' . $path);   // get_home_url(null, $path)
$sent = rawurldecode(str_replace(' ', '+', $params['oauth_signature']));
unset($params['oauth_signature']);
uksort($params, 'strcmp');
$pairs = array();
foreach ($params as $k => $v) { $pairs[] = $enc($enc($k) . '=' . $enc($v)); }
$string = $method . '&' . $base . '&' . implode('%26', $pairs);
$algo = strtolower(str_replace('HMAC-', '', $params['oauth_signature_method']));
$mine = base64_encode(hash_hmac($algo, $string, $secret . '&', true));
echo hash_equals($mine, $sent) ? "ok" : "mismatch: $string";
"""


def php_accepts(method: str, url: str, home: str) -> str:
    assert PHP is not None
    done = subprocess.run(
        [PHP, "-r", VERIFY, "--", method, url, SECRET, home],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize(
    ("home", "params"),
    [
        ("http://127.0.0.1:8080", {"status": "processing,completed", "per_page": "100"}),
        (
            "http://127.0.0.1:8080",
            {"modified_after": "2026-11-26T10:33:45", "dates_are_gmt": "true"},
        ),
        ("http://127.0.0.1:8080", {"search": "a/b c+d%e ~x", "email": "zoé+1@example.test"}),
        ("http://localhost/boutique", {"sku": "ASSIST-3H,ASSIST-5H", "orderby": "id"}),
    ],
)
def test_php_accepts_our_signature(home: str, params: dict[str, str]) -> None:
    for method in ("GET", "POST"):
        prepared = requests.Request(method, f"{home}/wp-json/wc/v3/orders", params=params).prepare()
        OAuth1Signature(KEY, SECRET)(prepared)
        assert php_accepts(method, prepared.url or "", home) == "ok"


def test_php_refuses_a_tampered_query() -> None:
    home = "http://127.0.0.1:8080"
    prepared = requests.Request(
        "GET", f"{home}/wp-json/wc/v3/orders", params={"page": "1"}
    ).prepare()
    OAuth1Signature(KEY, SECRET)(prepared)
    tampered = (prepared.url or "").replace("page=1", "page=2")
    assert php_accepts("GET", tampered, home).startswith("mismatch")
