"""Authentication as the real site does it: WooCommerce keys and Application Passwords.

WooCommerce (``/wc/v3``), per ``class-wc-rest-authentication.php``:
- over HTTPS, Basic with the consumer key/secret (or ``consumer_key``/``consumer_secret`` in the
  query). Plain HTTP ignores Basic (the request runs anonymous), like the captured shop; the sandbox
  treats a request as HTTPS when it carries ``X-Forwarded-Proto: https`` or when it was started
  with ``basic_over_http=True``.
- OAuth 1.0a one-legged (HMAC-SHA1/-SHA256) in the query or an ``Authorization: OAuth`` header:
  signature over ``METHOD&rawurlencode(url)&params`` normalised like PHP, timestamp within 15 min,
  a nonce used once.
An unknown key over Basic is not an error (anonymous → ``woocommerce_rest_cannot_view`` later); an
unknown key over OAuth is "Consumer key is invalid.".

WordPress routes (``/wp/v2``, ``/assist/v1``): Basic with a user's Application Password (spaces
ignored; the e-mail works as the user name), accepted over plain HTTP as on a ``local`` site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from sandbox.rest import PhpValue, Request, Response, error, php_params
from sandbox.shop_model import ApiKey

OAUTH_WINDOW = 15 * 60
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')


@dataclass(frozen=True)
class AuthResult:
    """Who made the request (None: anonymous) or the error that ends it."""

    user_id: int | None = None
    error: Response | None = None
    kind: str = "none"  # none | basic | oauth | app-password
    permissions: str = ""


def rawurlencode(value: str) -> str:
    """PHP ``rawurlencode`` (RFC 3986: only ``A-Za-z0-9-_.~`` stay)."""
    return quote(value, safe="-_.~")


def _normalize(value: PhpValue) -> PhpValue:
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    return rawurlencode(value)


def _join(params: Mapping[str, Any], out: list[str], prefix: str = "") -> list[str]:
    """WooCommerce ``join_with_equals_sign``: nested keys as ``a%5B0%5D``, each pair encoded."""
    for key, value in params.items():
        name = f"{prefix}%5B{key}%5D" if prefix else key
        if isinstance(value, list):
            _join({str(i): v for i, v in enumerate(value)}, out, name)
        elif isinstance(value, dict):
            _join(value, out, name)
        else:
            out.append(rawurlencode(f"{name}={value}"))
    return out


def oauth_signature(method: str, url: str, params: Mapping[str, PhpValue], secret: str) -> str:
    """The signature WooCommerce expects for ``params`` (``oauth_signature`` excluded)."""
    ordered = {
        rawurlencode(k): _normalize(params[k])
        for k in sorted(params, key=lambda k: k.encode())
        if k != "oauth_signature"
    }
    base = f"{method.upper()}&{rawurlencode(url)}&{'%26'.join(_join(ordered, []))}"
    algorithm = (
        hashlib.sha1 if params.get("oauth_signature_method") == "HMAC-SHA1" else hashlib.sha256
    )
    digest = hmac.new(f"{secret}&".encode(), base.encode(), algorithm).digest()
    return base64.b64encode(digest).decode()


def _auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> AuthResult:
    return AuthResult(error=error(401, code, message))


class NonceLedger:
    """Nonces seen per consumer key in the last 15 minutes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, dict[str, float]] = {}

    def use(self, key: str, nonce: str, now: float) -> bool:
        """Record ``nonce``; False when it was already used within the window."""
        with self._lock:
            seen = self._seen.setdefault(key, {})
            for old in [n for n, t in seen.items() if t < now - OAUTH_WINDOW]:
                del seen[old]
            if nonce in seen:
                return False
            seen[nonce] = now
            return True


class WooAuthenticator:
    """Checks WooCommerce key credentials on ``/wc/`` routes."""

    def __init__(self, keys: Mapping[str, ApiKey], *, basic_over_http: bool = False) -> None:
        self.keys = keys
        self.basic_over_http = basic_over_http
        self.nonces = NonceLedger()

    def authenticate(self, request: Request, now: float | None = None) -> AuthResult:
        https = self.basic_over_http or (request.header("X-Forwarded-Proto") or "") == "https"
        result = self._basic(request) if https else AuthResult()
        if result.error is None and result.user_id is None:
            result = self._oauth(request, time.time() if now is None else now)
        if result.error is not None or result.user_id is None:
            return result
        return self._check_permissions(request, result)

    def _basic(self, request: Request) -> AuthResult:
        key = secret = ""
        header = request.header("Authorization") or ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode()
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            key, _, secret = decoded.partition(":")
        query_key, query_secret = (
            request.params.get("consumer_key"),
            request.params.get("consumer_secret"),
        )
        if (
            isinstance(query_key, str)
            and isinstance(query_secret, str)
            and query_key
            and query_secret
        ):
            key, secret = query_key, query_secret
        if not key or not secret:
            return AuthResult()
        api_key = self.keys.get(key)
        if api_key is None:
            return AuthResult()  # unknown key: anonymous, no error (like WooCommerce)
        if not hmac.compare_digest(api_key.consumer_secret, secret):
            return _auth_error("Consumer secret is invalid.")
        return AuthResult(api_key.user_id, kind="basic", permissions=api_key.permissions)

    def _oauth(self, request: Request, now: float) -> AuthResult:
        params: dict[str, PhpValue] = php_params(request.raw_pairs)
        header = (request.header("Authorization") or "").strip()
        if header.startswith("OAuth "):
            for match in _HEADER_PARAM.finditer(header):
                params[match.group(1)] = unquote(match.group(3) or match.group(4))
        missing = [name for name in OAUTH_PARAMS if not params.get(name)]
        if len(missing) == len(OAUTH_PARAMS):
            return AuthResult()
        if missing:
            noun = "parameter" if len(missing) == 1 else "parameters"
            return _auth_error(
                f"Missing OAuth {noun} {', '.join(missing)}",
                "woocommerce_rest_authentication_missing_parameter",
            )
        values = {name: params[name] for name in OAUTH_PARAMS}
        if not all(isinstance(v, str) for v in values.values()):
            return _auth_error("Invalid signature - failed to sort parameters.")
        api_key = self.keys.get(str(values["oauth_consumer_key"]))
        if api_key is None:
            return _auth_error("Consumer key is invalid.")
        method = str(values["oauth_signature_method"])
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            return _auth_error("Invalid signature - signature method is invalid.")
        given = unquote(str(values["oauth_signature"]).replace(" ", "+"))
        url = request.base_url + request.path
        expected = oauth_signature(request.method, url, params, api_key.consumer_secret)
        if not hmac.compare_digest(expected, given):
            return _auth_error("Invalid signature - provided signature does not match.")
        try:
            timestamp = int(str(values["oauth_timestamp"]))
        except ValueError:
            timestamp = -1
        if abs(now - timestamp) > OAUTH_WINDOW:
            return _auth_error("Invalid timestamp.")
        if not self.nonces.use(api_key.consumer_key, str(values["oauth_nonce"]), now):
            return _auth_error("Invalid nonce - nonce has already been used.")
        return AuthResult(api_key.user_id, kind="oauth", permissions=api_key.permissions)

    @staticmethod
    def _check_permissions(request: Request, result: AuthResult) -> AuthResult:
        method = request.method.upper()
        if method in ("GET", "HEAD") and result.permissions == "write":
            return _auth_error("The API key provided does not have read permissions.")
        if method in ("POST", "PUT", "PATCH", "DELETE") and result.permissions == "read":
            return _auth_error("The API key provided does not have write permissions.")
        return result


@dataclass
class WpUser:
    """A WordPress login that can hold Application Passwords and capabilities."""

    id: int
    login: str
    email: str
    capabilities: frozenset[str]
    app_passwords: tuple[str, ...] = ()


def check_app_password(request: Request, users: Mapping[int, WpUser]) -> AuthResult:
    """Basic ``login-or-email:app-password``; no credentials → anonymous, bad ones → 401."""
    header = request.header("Authorization") or ""
    if not header.lower().startswith("basic "):
        return AuthResult()
    try:
        login, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return AuthResult()
    by_email = "@" in login
    user = next(
        (
            u
            for u in users.values()
            if (u.email.lower() == login.lower() if by_email else u.login == login)
        ),
        None,
    )
    if user is None:
        if by_email:
            return _auth_error(
                "Unknown email address. Check again or try your username.", "invalid_email"
            )
        return _auth_error(
            "Unknown username. Check again or try your email address.", "invalid_username"
        )
    given = re.sub(r"\s", "", password)
    if not any(hmac.compare_digest(given, p.replace(" ", "")) for p in user.app_passwords):
        return _auth_error(
            "The provided password is an invalid application password.", "incorrect_password"
        )
    return AuthResult(user.id, kind="app-password")
