"""When to retry, how long to wait: the decision table and the backoff policy.

The table maps an HTTP status or a transport exception to a ``Resolution`` — what to do (retry or
fail), which error class the failure becomes, a stable ``reason`` tag and the user-facing hint —
in the manner of the Airbyte CDK's error mapping. ``HttpClient`` consults it for every attempt.

Non-idempotent requests (POST) are retried only when the server cannot have acted on them: the
connection was never established (DNS failure, refused, connect timeout), or the server said so
explicitly with 429 or 503. A read timeout or a 500/502/504 after a POST may hide a request that
was processed, so it fails at once and the caller's outbox retries later with the same content.
Callers whose POST is idempotent by design (the client-area batch keyed by content hash) say so
and get the full retry set.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests

from wp_client.errors import (
    AuthenticationError,
    BadPayloadError,
    ConfigurationError,
    RemoteError,
    TransientError,
)
from wp_client.transport import connection_not_made


class Action(enum.Enum):
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True)
class Resolution:
    """What a status or exception means: action, error class, tag, and the hint for humans."""

    action: Action
    error: type[RemoteError]
    reason: str
    hint: str
    retry_unsafe: bool = False  # also retried for a non-idempotent request


def _retry(reason: str, hint: str, *, unsafe: bool = False) -> Resolution:
    return Resolution(Action.RETRY, TransientError, reason, hint, unsafe)


def _fail(error: type[RemoteError], reason: str, hint: str) -> Resolution:
    return Resolution(Action.FAIL, error, reason, hint)


# Status → resolution. ``{url_setting}``/``{credentials}``/``{ca_setting}`` are filled per remote.
STATUS_TABLE: dict[int, Resolution] = {
    400: _fail(RemoteError, "http_400", "the request was refused as invalid"),
    401: _fail(AuthenticationError, "http_401", "check {credentials}"),
    403: _fail(AuthenticationError, "http_403", "check {credentials} and their permissions"),
    404: _fail(RemoteError, "http_404", "not found"),
    408: _retry("http_408", "the server timed out reading the request; try again later"),
    413: _fail(RemoteError, "http_413", "the request is too large for the server"),
    429: _retry("http_429", "rate limited by the host; try again later", unsafe=True),
    500: _retry("http_500", "the server failed; try again later or check its error log"),
    502: _retry("http_502", "a proxy in front of the site failed; try again later"),
    503: _retry("http_503", "the site is unavailable (maintenance?); try again later", unsafe=True),
    504: _retry("http_504", "a proxy in front of the site timed out; try again later"),
}

# Exception class → resolution, most specific first (SSLError and ConnectTimeout are
# ConnectionErrors; ConnectTimeout is also a Timeout).
EXCEPTION_TABLE: tuple[tuple[type[BaseException], Resolution], ...] = (
    (
        requests.exceptions.SSLError,
        _fail(ConfigurationError, "tls", "set {ca_setting} to your CA file if it uses its own CA"),
    ),
    (requests.exceptions.ProxyError, _retry("proxy", "the HTTP proxy failed; check HTTPS_PROXY")),
    (
        requests.exceptions.ConnectTimeout,
        _retry("connect_timeout", "no answer while connecting; check {url_setting}", unsafe=True),
    ),
    (requests.exceptions.ReadTimeout, _retry("read_timeout", "the site is too slow to answer")),
    (requests.exceptions.ConnectionError, _retry("connection", "the connection failed")),
    (requests.exceptions.ChunkedEncodingError, _retry("truncated", "the answer was cut off")),
    (
        requests.exceptions.ContentDecodingError,
        _fail(BadPayloadError, "decoding", "the answer could not be decompressed"),
    ),
)

UNKNOWN_EXCEPTION = _fail(RemoteError, "request", "the request could not be made")

# Limits of ``wp_client.fetch``: an answer that never completes in time is retried like a read
# timeout (the host may be busy); one too large to take would be as large the next time.
DEADLINE = _retry("deadline", "the site sends too slowly or stalls; try again later")
TOO_LARGE = _fail(BadPayloadError, "too_large", "a proxy, cache or plugin sends something else")


def resolve_status(status: int) -> Resolution | None:
    """The table entry for ``status``; None for 2xx. Unlisted 4xx/5xx fail as RemoteError."""
    if 200 <= status < 300:
        return None
    if status in STATUS_TABLE:
        return STATUS_TABLE[status]
    return _fail(RemoteError, f"http_{status}", "unexpected answer")


NOT_CONNECTED = {
    "dns": _retry("dns", "check {url_setting} (or this machine's DNS)", unsafe=True),
    "refused": _retry(
        "refused", "nothing listens there; check {url_setting} and its port", unsafe=True
    ),
}


def resolve_exception(exc: BaseException) -> Resolution:
    """The table entry for a transport exception; connections never made are told apart."""
    if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
        exc, (requests.exceptions.SSLError, requests.exceptions.ProxyError)
    ):
        kind = connection_not_made(exc)
        if kind is not None:
            return NOT_CONNECTED[kind]
    for cls, resolution in EXCEPTION_TABLE:
        if isinstance(exc, cls):
            return resolution
    return UNKNOWN_EXCEPTION


def may_retry(resolution: Resolution, *, idempotent: bool) -> bool:
    return resolution.action is Action.RETRY and (idempotent or resolution.retry_unsafe)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, capped: attempt n waits U(0, min(cap, base·2ⁿ)).

    A ``Retry-After`` from the server replaces the jittered delay, capped at ``max_delay`` too.
    ``max_retries`` is the number of retries after the first attempt.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    rng: Callable[[], float] = random.random

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds before retry ``retry_number`` (0 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(retry_number, 30))
        return self.rng() * ceiling
