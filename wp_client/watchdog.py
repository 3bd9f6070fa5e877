"""A whole-request deadline enforced at the socket: no answer outlives it, however it trickles.

``requests`` applies its ``(connect, read)`` timeouts to each socket operation, so a server that
sends one byte every few seconds keeps a request alive for ever. A ``Watchdog`` bounds one
attempt in all — connect, TLS handshake, sending, status line, headers and body:

* ``BoundedAdapter`` (mounted by ``HttpClient`` on its session) makes every connection it opens
  report to the watchdog of the attempt running on the current thread;
* each new TCP connection gets a socket timeout no longer than the time left, which bounds the
  TLS handshake (Python's TLS layer applies the socket timeout to the whole handshake);
* when the time is up, a timer thread shuts the attempt's sockets down (``shutdown``, never
  ``close``: the descriptor stays ours, so no other connection can be hit). Whatever read was
  blocked returns at once and the attempt fails; ``fired`` then tells the caller why.

The caller also checks ``expired()`` between body chunks, so a fast, endless body stops there too.

``bounded(session)`` prepares any session for this: it mounts the adapters, and it turns off
``requests``' redirect handling, which, even with ``allow_redirects=False``, reads a redirect's
whole body (unbounded) and parses its ``Location`` (a ``ValueError`` for a malformed one) to
offer the next request. ``HttpClient`` never follows a redirect; its probes follow them
themselves, within the same limits.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError

_current = threading.local()


class Watchdog:
    """The deadline of one attempt, ``seconds`` from entering the ``with`` block (monotonic).

    Only one watchdog is active per thread; connections opened or used on that thread while it
    is active are watched. Thread-safe: ``fire`` runs on the timer thread.
    """

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends_at = clock() + seconds
        self._lock = threading.Lock()
        self._connections: list[HTTPConnection] = []
        self._fired = False
        self._timer: threading.Timer | None = None

    @property
    def fired(self) -> bool:
        """True once the deadline passed while the attempt was still running."""
        with self._lock:
            return self._fired

    def remaining(self) -> float:
        return max(0.0, self._ends_at - self._clock())

    def expired(self) -> bool:
        if self.remaining() <= 0.0:
            with self._lock:
                self._fired = True
        return self.fired

    def watch(self, connection: HTTPConnection) -> None:
        """Shut ``connection``'s socket down if the deadline passes while the attempt runs."""
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)
            fired = self._fired
        if fired:
            _shut(connection)

    def fire(self) -> None:
        """The deadline passed: interrupt every watched socket (called by the timer)."""
        with self._lock:
            self._fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def __enter__(self) -> Watchdog:
        if getattr(_current, "watchdog", None) is not None:
            raise RuntimeError("one request at a time per thread")
        _current.watchdog = self
        self._timer = threading.Timer(self.remaining(), self.fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _current.watchdog = None
        if self._timer is not None:
            self._timer.cancel()


def current() -> Watchdog | None:
    """The watchdog of the attempt running on this thread, if any."""
    watchdog: Watchdog | None = getattr(_current, "watchdog", None)
    return watchdog


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is None:
        return
    # OSError: already closed or never connected, nothing left to interrupt. The plain socket's
    # shutdown, also for a TLS socket: ``SSLSocket.shutdown`` would drop its TLS state under the
    # reading thread's feet instead of letting the read fail.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watched:
    """Mixed into urllib3's connections: report to the current watchdog."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        watchdog = current()
        if watchdog is not None and watchdog.expired():
            raise ConnectTimeoutError(self, "the request deadline passed before connecting")
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if watchdog is not None:
            # Bounds the TLS handshake that follows, which no watched socket can interrupt yet.
            timeout = sock.gettimeout()
            left = max(watchdog.remaining(), 0.001)
            sock.settimeout(left if timeout is None else min(timeout, left))
            watchdog.watch(self)  # type: ignore[arg-type]
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        watchdog = current()
        if watchdog is not None:
            watchdog.watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


def _watched_pools(manager: PoolManager) -> None:
    manager.pool_classes_by_scheme = {
        "http": WatchedHTTPConnectionPool,
        "https": WatchedHTTPSConnectionPool,
    }


class BoundedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections (direct or through an HTTP proxy) obey the
    ``Watchdog`` of the attempt on the current thread. No retries of its own."""

    def __init__(self, *, pool_maxsize: int = 4) -> None:
        super().__init__(pool_connections=1, pool_maxsize=pool_maxsize, max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, PoolManager) and not proxy.lower().startswith("socks"):
            _watched_pools(manager)
        return manager


def bounded(session: requests.Session) -> requests.Session:
    """``session`` with ``BoundedAdapter``s for http and https and no redirect handling."""
    for prefix in ("https://", "http://"):
        if not isinstance(session.adapters.get(prefix), BoundedAdapter):
            session.mount(prefix, BoundedAdapter())
    session.get_redirect_target = _no_redirect  # type: ignore[method-assign,assignment]
    return session


def _no_redirect(response: requests.Response) -> None:
    """No redirect target, ever: the caller reads (and judges) every 3xx answer itself."""
    return None
