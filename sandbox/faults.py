"""Faults a test switches on: each applies to the next ``count`` matching requests.

``path`` limits a fault to routes starting with it (``/wc/v3/orders``, ``/assist/v1``; the
``/wp-json`` prefix may be included or not). Faults act like the host in front of WordPress: they
answer before authentication and are logged in ``Sandbox.requests`` like any answer.

- ``server_error``: 5xx with an nginx HTML page.
- ``rate_limit``: 429 with ``Retry-After``.
- ``slow``: the real answer, ``seconds`` late.
- ``hang``: hold the connection ``seconds`` (longer than the client's read timeout), then close
  it without answering; ``drop``: close at once without answering.
- ``html``: ``200`` with an HTML challenge page instead of JSON.
- ``malformed_json``: ``200`` ``application/json`` with a truncated body.
- ``shift_orders``: after the orders list page ``after_page`` is served, change an order so rows
  move between pages (default: the first order of that page gets a new ``date_modified``, so it
  leaves a frozen ``modified_before`` window and every later row moves up one place).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.shop import ShopState

ShopMutation = Callable[["ShopState", list[int]], None]

NGINX_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
CHALLENGE_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Just a moment...</title></head>'
    "<body><h1>Checking your browser before accessing the site.</h1>"
    "<p>This process is automatic.</p></body></html>"
)


@dataclass
class Fault:
    kind: str
    remaining: int
    path: str | None = None
    status: int = 503
    retry_after: int = 1
    seconds: float = 0.0
    after_page: int = 1
    mutate: ShopMutation | None = None
    fired: int = 0

    def matches(self, route: str) -> bool:
        if self.path is None:
            return True
        prefix = self.path.removeprefix("/wp-json")
        return route.startswith(prefix)


class Faults:
    """The faults switched on for a sandbox; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def server_error(self, count: int = 1, *, status: int = 503, path: str | None = None) -> Fault:
        return self._add(Fault("status", count, path, status=status))

    def rate_limit(self, count: int = 1, *, retry_after: int = 1, path: str | None = None) -> Fault:
        return self._add(Fault("status", count, path, status=429, retry_after=retry_after))

    def slow(self, seconds: float, count: int = 1, *, path: str | None = None) -> Fault:
        return self._add(Fault("slow", count, path, seconds=seconds))

    def hang(self, seconds: float, count: int = 1, *, path: str | None = None) -> Fault:
        return self._add(Fault("hang", count, path, seconds=seconds))

    def drop(self, count: int = 1, *, path: str | None = None) -> Fault:
        return self._add(Fault("hang", count, path, seconds=0.0))

    def html(self, count: int = 1, *, path: str | None = None) -> Fault:
        return self._add(Fault("html", count, path, status=200))

    def malformed_json(self, count: int = 1, *, path: str | None = None) -> Fault:
        return self._add(Fault("malformed", count, path, status=200))

    def shift_orders(
        self, after_page: int = 1, *, count: int = 1, mutate: ShopMutation | None = None
    ) -> Fault:
        return self._add(
            Fault("shift", count, "/wc/v3/orders", after_page=after_page, mutate=mutate)
        )

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults that still have requests to hit."""
        with self._lock:
            return [f for f in self._faults if f.remaining > 0]

    def take(self, route: str) -> Fault | None:
        """The fault that hits this request (consumed), if any; ``shift`` is not taken here."""
        with self._lock:
            for fault in self._faults:
                if fault.kind != "shift" and fault.remaining > 0 and fault.matches(route):
                    fault.remaining -= 1
                    fault.fired += 1
                    return fault
        return None

    def take_shift(self, route: str, page: int) -> Fault | None:
        """A ``shift`` fault due now that orders list page ``page`` was served."""
        if route.rstrip("/") != "/wc/v3/orders":
            return None
        with self._lock:
            for fault in self._faults:
                if fault.kind == "shift" and fault.remaining > 0 and fault.after_page == page:
                    fault.remaining -= 1
                    fault.fired += 1
                    return fault
        return None
