"""A run's deadline stops its HTTP calls: checked before each request, timeouts capped."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from config import load_settings
from jobs.deadline import (
    MIN_REQUEST_TIMEOUT,
    Deadline,
    DeadlineExceeded,
    DeadlineSession,
    RetryAfterDeadline,
)
from jobs.runs import JobContext
from jobs.tasks import woo_client
from ledger.db import open_database
from tests.wp_client.loopback import LoopbackServer, trickle
from wp_client.errors import RemoteError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_deadline_counts_down_on_its_clock() -> None:
    clock = FakeClock()
    deadline = Deadline(60, clock=clock)
    assert deadline.remaining() == 60
    deadline.check()
    clock.now += 59.5
    assert deadline.remaining() == pytest.approx(0.5)
    assert not deadline.expired()
    clock.now += 0.5
    assert deadline.expired()
    with pytest.raises(DeadlineExceeded, match="deadline of 60 s exceeded"):
        deadline.check()


def test_a_stop_request_ends_the_deadline_at_once() -> None:
    stop = threading.Event()
    deadline = Deadline(600, stop=stop)
    stop.set()
    assert deadline.stopping
    assert deadline.remaining() == 0
    with pytest.raises(DeadlineExceeded, match="shutting down"):
        deadline.check()


def test_timeouts_are_capped_to_the_time_left() -> None:
    clock = FakeClock()
    deadline = Deadline(30, clock=clock)
    assert deadline.cap((10, 60)) == (10, 30)
    assert deadline.cap(None) == (30, 30)
    assert deadline.cap(5.0) == 5.0
    clock.now += 29.9
    assert deadline.cap((10, 60)) == (MIN_REQUEST_TIMEOUT, MIN_REQUEST_TIMEOUT)


def test_sleep_past_the_deadline_raises_at_once() -> None:
    deadline = Deadline(5)
    began = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="a retry in 30 s would come after it"):
        deadline.sleep(30)
    assert time.monotonic() - began < 0.5  # not the 5 s left: the retry could never happen


def test_sleep_wakes_up_on_stop() -> None:
    stop = threading.Event()
    deadline = Deadline(600, stop=stop)
    threading.Timer(0.1, stop.set).start()
    began = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="shutting down"):
        deadline.sleep(30)
    assert time.monotonic() - began < 2
    Deadline(600).sleep(0.01)  # a short sleep within the deadline just sleeps


class SlowHandler(http.server.BaseHTTPRequestHandler):
    delay = 5.0

    def do_GET(self) -> None:
        if self.path.startswith("/slow"):
            time.sleep(self.delay)
        body = b"[]"
        if self.path.startswith("/limited/"):  # /limited/SECONDS: 429 with that Retry-After
            self.send_response(429)
            self.send_header("Retry-After", self.path.rsplit("/", 1)[1])
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_session_stops_requests_once_the_deadline_passed(slow_server: str) -> None:
    deadline = Deadline(1.5)
    with DeadlineSession(deadline) as session:
        assert session.get(f"{slow_server}/fast", timeout=(10, 60)).json() == []
        began = time.monotonic()
        # The read timeout (60 s asked) is capped to what is left of the deadline.
        with pytest.raises(requests.exceptions.Timeout):
            session.get(f"{slow_server}/slow", timeout=(10, 60))
        assert time.monotonic() - began < 3
        with pytest.raises(DeadlineExceeded):
            session.get(f"{slow_server}/fast", timeout=(10, 60))


def test_a_retry_after_beyond_the_deadline_fails_at_once(slow_server: str) -> None:
    with DeadlineSession(Deadline(30)) as session:
        # Within the deadline: the answer goes back to the client, which waits and retries.
        assert session.get(f"{slow_server}/limited/10", timeout=(10, 60)).status_code == 429
        with pytest.raises(RetryAfterDeadline, match=r"retry in 120 s \(Retry-After\)"):
            session.get(f"{slow_server}/limited/120", timeout=(10, 60))


def test_a_run_with_a_trickling_shop_ends_with_its_deadline(tmp_path: Path) -> None:
    """The per-request deadline (ASSIST_REQUEST_DEADLINE, 120 s by default) is cut to what is
    left of the run: retries included, the run is over at its own deadline."""
    server = LoopbackServer(lambda conn, request: None)

    def trickling(conn: socket.socket, request: bytes) -> None:
        trickle(conn, b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 100_000, 0.2, server.stopping)

    server.handle = trickling
    settings = load_settings(
        {"WOO_URL": server.url, "WOO_CONSUMER_KEY": "ck_x", "WOO_CONSUMER_SECRET": "cs_x"}, None
    )
    assert settings.request_deadline == 120 and settings.max_retries == 5
    db = open_database(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    context = JobContext(db, settings, datetime.now(UTC), Deadline(2.5))
    began = time.monotonic()
    with (
        server,
        pytest.raises((RemoteError, DeadlineExceeded)) as caught,
        woo_client(context) as woo,
    ):
        woo.get_order(1)
    seconds = time.monotonic() - began
    db.close()
    assert seconds < 2.5 + MIN_REQUEST_TIMEOUT, seconds
    message = str(caught.value)
    assert "\n" not in message
    if isinstance(caught.value, RemoteError):
        assert caught.value.reason == "deadline"
        assert "(what was left of the run's deadline)" in message, message
