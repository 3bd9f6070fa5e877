"""Credentials as small ``requests.auth.AuthBase`` objects, one per scheme.

* ``BasicAuth``: WooCommerce over HTTPS (consumer key/secret) and WordPress Application
  Passwords (user name + application password; spaces are fine, WordPress ignores them).
* ``OAuth1Signature``: WooCommerce over plain HTTP, where WooCommerce ignores Basic auth.
  One-legged OAuth 1.0a, HMAC-SHA256, parameters in the query string.

Why not ``woocommerce.oauth.OAuth`` (package 3.0.0): it normalises values with ``quote()``,
which leaves ``/`` unencoded while WooCommerce's ``rawurlencode`` encodes it, and ``unquote()``s
values first, so a value containing ``/`` or ``%`` gets a signature WooCommerce rejects; it also
builds URLs rather than signing a prepared request. The signer below follows WooCommerce's own
verifier (``WC_REST_Authentication::check_oauth_signature``) step by step; the tests check it
against an independent recomputation and against the package on the values both handle.

Every call to an auth object happens once per attempt (``HttpClient`` prepares each retry anew),
so each attempt gets a fresh timestamp and nonce: WooCommerce rejects a reused nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase


class BasicAuth(AuthBase):
    """HTTP Basic with UTF-8 credentials; ``repr`` never shows the password, nor the user name
    when it is itself a credential (``username_is_secret``: a WooCommerce consumer key)."""

    def __init__(self, username: str, password: str, *, username_is_secret: bool = False) -> None:
        self._token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.username = username
        self._username_is_secret = username_is_secret

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Basic {self._token}"
        return r

    def __repr__(self) -> str:
        shown = "'********'" if self._username_is_secret else repr(self.username)
        return f"BasicAuth(username={shown}, password='********')"


def rawurlencode(value: str) -> str:
    """PHP ``rawurlencode``: everything but ``A-Za-z0-9-_.~`` percent-encoded (UTF-8)."""
    return quote(value, safe="")


def signature_base_string(method: str, url: str, params: dict[str, str]) -> str:
    """The string WooCommerce signs: ``METHOD&enc(base url)&enc(k=v&…)``, keys sorted bytewise.

    ``url`` is scheme://host[:port]/path (no query); ``params`` are the decoded query parameters
    as PHP sees them (last value wins for a repeated key), without ``oauth_signature``.
    """
    pairs = [
        rawurlencode(f"{rawurlencode(k)}={rawurlencode(v)}")
        for k, v in sorted(params.items(), key=lambda kv: kv[0].encode())
    ]
    return f"{method.upper()}&{rawurlencode(url)}&{'%26'.join(pairs)}"


def sign(base_string: str, consumer_secret: str) -> str:
    """Base64 HMAC-SHA256 of ``base_string`` keyed with ``secret&`` (no token secret)."""
    digest = hmac.new(f"{consumer_secret}&".encode(), base_string.encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


class OAuth1Signature(AuthBase):
    """Signs each prepared request's URL, query string included, the way WooCommerce checks it.

    The base URL must equal the site's home URL (scheme, host, port) plus the request path, which
    holds when ``WOO_URL`` is the address configured in WordPress (Settings → General).
    """

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        self._key = consumer_key
        self._secret = consumer_secret
        self._clock = clock
        self._nonce = nonce

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        assert r.url is not None and r.method is not None
        parts = urlsplit(r.url)
        params: dict[str, str] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if "[" in key:
                # PHP turns k[]= into an array, signed differently; we never send those.
                raise ValueError(f"cannot OAuth-sign array parameter {key!r}; use a comma list")
            params[key] = value
        params.update(
            oauth_consumer_key=self._key,
            oauth_timestamp=str(int(self._clock())),
            oauth_nonce=self._nonce(),
            oauth_signature_method="HMAC-SHA256",
        )
        base_url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        params["oauth_signature"] = sign(
            signature_base_string(r.method, base_url, params), self._secret
        )
        r.url = urlunsplit(
            (parts.scheme, parts.netloc, parts.path, urlencode(params, quote_via=quote), "")
        )
        return r

    def __repr__(self) -> str:
        return "OAuth1Signature(consumer_key='********', consumer_secret='********')"
