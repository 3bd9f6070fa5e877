"""A run's deadline, and the HTTP session and sleep that obey it.

Every scheduled run gets a ``Deadline``: a point on the monotonic clock plus a stop signal (set
when the daemon shuts down). The HTTP clients of a run are built on a ``DeadlineSession``: before
each request it raises ``DeadlineExceeded`` once the deadline has passed or the daemon is stopping,
and it shortens each request's timeouts to the time left; the clients also get
``request_budget`` as their ``time_left``, so each request's whole-request deadline (connect to
last body byte, see ``wp_client.watchdog``) ends with the run's. Their retry back-off sleeps
through ``deadline.sleep``, which wakes up at once on shutdown. So a run can neither hang nor
outlive its deadline by more than ``MIN_REQUEST_TIMEOUT``, and it fails cleanly: the sync code's
transaction rolls back and its cursor stays where it was.

A wait that cannot end before the deadline is not waited at all: ``sleep`` raises at once, and a
429/503 whose ``Retry-After`` asks for more time than the run has left fails the run on the spot
(the client would otherwise wait out its 60 s cap and retry before the host allows it). The
next tick starts afresh from the kept cursor.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from wp_client.retry import parse_retry_after

TimeoutValue = float | tuple[float | None, float | None] | None
# A request never gets less than this: below it a slow but healthy answer would fail for nothing.
MIN_REQUEST_TIMEOUT = 1.0


class DeadlineExceeded(Exception):
    """The run's time is up, or the daemon is stopping. Not a remote error: never retried."""


class RetryAfterDeadline(DeadlineExceeded):
    """The host asked (``Retry-After``) to come back later than this run's deadline."""


class Deadline:
    """``seconds`` from now on ``clock`` (monotonic by default), cut short by ``stop``."""

    def __init__(
        self,
        seconds: float,
        *,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends_at = clock() + seconds
        self._stop = stop if stop is not None else threading.Event()

    @property
    def stopping(self) -> bool:
        """True once the daemon asked every run to stop."""
        return self._stop.is_set()

    def remaining(self) -> float:
        """Seconds left (0 when stopping or past the deadline)."""
        if self._stop.is_set():
            return 0.0
        return max(0.0, self._ends_at - self._clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def check(self) -> None:
        """Raise DeadlineExceeded if the run must stop now; call it between pages or batches."""
        if self._stop.is_set():
            raise DeadlineExceeded("stopped: the daemon is shutting down")
        if self._clock() >= self._ends_at:
            raise DeadlineExceeded(f"deadline of {self.seconds:g} s exceeded")

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``; wake at once on shutdown. A sleep that would reach the deadline
        raises DeadlineExceeded at once: waiting out the run only to fail it helps no one."""
        self.check()
        left = self.remaining()
        if seconds >= left:
            raise DeadlineExceeded(
                f"deadline of {self.seconds:g} s exceeded: a retry in {seconds:.0f} s "
                f"would come after it ({left:.0f} s left)"
            )
        if self._stop.wait(max(0.0, seconds)):
            self.check()

    def request_budget(self) -> float:
        """Seconds a request starting now may take in all: the time left, but at least
        ``MIN_REQUEST_TIMEOUT`` (a run with no time left is stopped by ``check`` instead)."""
        return max(MIN_REQUEST_TIMEOUT, self.remaining())

    def cap(self, timeout: TimeoutValue) -> TimeoutValue:
        """``timeout`` (requests' form) shortened so that no wait outlives the deadline."""
        left = self.request_budget()
        if timeout is None:
            return (left, left)
        if isinstance(timeout, tuple):
            connect, read = timeout
            return (
                left if connect is None else min(connect, left),
                left if read is None else min(read, left),
            )
        return min(float(timeout), left)


class DeadlineSession(requests.Session):
    """A requests Session that checks a Deadline before each request and caps its timeouts."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self.deadline.check()
        kwargs["timeout"] = self.deadline.cap(kwargs.get("timeout"))
        response = super().request(method, url, *args, **kwargs)
        if response.status_code in (429, 503):
            self._refuse_late_retry(response)
        return response

    def _refuse_late_retry(self, response: requests.Response) -> None:
        """Raise RetryAfterDeadline when the answer's Retry-After ends past the deadline."""
        wait = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
        left = self.deadline.remaining()
        if wait is not None and wait >= left:
            response.close()
            raise RetryAfterDeadline(
                f"HTTP {response.status_code}: the host asks to retry in {wait:.0f} s "
                f"(Retry-After), after this run's deadline ({left:.0f} s left); "
                "the next run tries again"
            )
