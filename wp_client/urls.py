"""Site addresses: validated once, normalised, and redacted before anything prints them."""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from wp_client.errors import ConfigurationError

# Query parameters that carry credentials (query-string auth, OAuth 1.0a).
SENSITIVE_PARAMS = ("consumer_key", "consumer_secret", "oauth_")


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``*.localhost``, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_url(url: str | None, *, setting: str, allow_insecure_http: bool) -> str:
    """Validate a site address (``WOO_URL``/``WP_URL``) and return it normalised.

    The result has a lower-case scheme and host, no default port, no trailing slash. Plain
    ``http://`` is accepted only for a loopback host or with ``allow_insecure_http``.

    Raises ConfigurationError (one line naming ``setting``) when the address is unusable.
    """
    if not url or not url.strip():
        raise ConfigurationError(f"{setting} is not set", reason="url")
    raw = url.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{setting} must be a site address like https://shop.example (got {redact(raw)!r})",
            reason="url",
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            f"{setting} must not contain a user name or password; use the credential settings",
            reason="url",
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"{setting} must not contain '?' or '#' (got {redact(raw)!r})", reason="url"
        )
    path = parts.path.rstrip("/")
    if "/wp-json" in path or "rest_route" in path:
        raise ConfigurationError(
            f"{setting} should be the site address without /wp-json (e.g. {scheme}://"
            f"{parts.hostname}{path.split('/wp-json')[0]})",
            reason="url",
        )
    host = parts.hostname.lower()
    try:
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"{setting} has an invalid port", reason="url") from None
    if scheme == "http" and not allow_insecure_http and not is_loopback(host):
        raise ConfigurationError(
            f"{setting} uses plain http:// to {host}: credentials would travel in clear — "
            "use https:// or set ASSIST_ALLOW_INSECURE_HTTP=1",
            reason="insecure_http",
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, path, "", ""))


def redact(url: str) -> str:
    """``url`` without user info and without credential query parameters (kept: the others)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    try:
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
    except ValueError:
        pass
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(SENSITIVE_PARAMS)
    ]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe=",:[]"), ""))


def without_query(url: str) -> str:
    """``url`` reduced to scheme, host, port and path: safe for any message."""
    parts = urlsplit(redact(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def same_origin(url: str, location: str) -> bool:
    """Whether ``location`` (absolute or relative to ``url``) keeps the scheme, host and port;
    False for a location that is no URL at all."""
    try:
        here, there = urlsplit(url), urlsplit(urljoin(url, location))
    except ValueError:
        return False
    return (here.scheme, here.netloc.lower()) == (there.scheme, there.netloc.lower())
