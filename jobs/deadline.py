"""A run's deadline, and the HTTP session and sleep that obey it.

Every scheduled run gets a ``Deadline``: a point on the monotonic clock plus a stop signal (set
when the daemon shuts down). The HTTP clients of a run are built on a ``DeadlineSession``: before
each request it raises ``DeadlineExceeded`` once the deadline has passed or the daemon is stopping,
and it shortens each request's timeouts to the time left. Their retry back-off sleeps through
``deadline.sleep``, which wakes up at once on shutdown. So a run can neither hang nor outlive its
deadline by more than one request's timeout, and it fails cleanly: the sync code's transaction
rolls back and its cursor stays where it was.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests

TimeoutValue = float | tuple[float | None, float | None] | None
# A request never gets less than this: below it a slow but healthy answer would fail for nothing.
MIN_REQUEST_TIMEOUT = 1.0


class DeadlineExceeded(Exception):
    """The run's time is up, or the daemon is stopping. Not a remote error: never retried."""


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
        """Sleep ``seconds`` unless that would pass the deadline; wake at once on shutdown."""
        self.check()
        if seconds >= self.remaining():
            self._stop.wait(self.remaining())
            self.check()
            raise DeadlineExceeded(f"deadline of {self.seconds:g} s exceeded")
        if self._stop.wait(max(0.0, seconds)):
            self.check()

    def cap(self, timeout: TimeoutValue) -> TimeoutValue:
        """``timeout`` (requests' form) shortened so that no wait outlives the deadline."""
        left = max(MIN_REQUEST_TIMEOUT, self.remaining())
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
        return super().request(method, url, *args, **kwargs)
