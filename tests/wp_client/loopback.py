"""A raw HTTP server on 127.0.0.1 whose answers a test writes byte by byte, over HTTP or HTTPS.

``LoopbackServer(handle)`` hands every accepted connection, with the request already read, to
``handle(conn, request)`` on a thread of its own; the handler writes whatever it wants (a
trickle, a lie about the length, a reset) and the server closes the connection afterwards.
``tls=TlsFiles(...)`` (a throw-away CA from ``trustme``) makes it speak HTTPS. ``SlowProxy``
forwards to a server but hands its bytes back one at a time, TLS handshake included.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import trustme

Handler = Callable[[socket.socket, bytes], None]


@dataclass(frozen=True)
class TlsFiles:
    """A CA trusted by the client (``ca_file``) and the server's context for 127.0.0.1."""

    ca_file: str
    server: ssl.SSLContext

    @classmethod
    def make(cls, folder: Path) -> TlsFiles:
        ca = trustme.CA()
        ca_file = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(server)
        return cls(str(ca_file), server)


def read_request(conn: socket.socket) -> bytes:
    """The request's head and (Content-Length) body; b"" if the client went away."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def reset(conn: socket.socket) -> None:
    """Close with a TCP reset (RST) instead of a clean end."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def trickle(conn: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    """Send ``data`` one byte every ``every`` seconds until done, the client leaves or ``stop``."""
    for i in range(len(data)):
        if stop.wait(every):
            return
        try:
            conn.sendall(data[i : i + 1])
        except OSError:
            return


def _close_listener(listener: socket.socket, accepting: threading.Thread) -> None:
    """Wake the thread blocked in ``accept`` and wait for it before closing the socket: a bare
    ``close`` leaves it blocked on a descriptor number the next server may be given, whose
    connections it would then steal and answer."""
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    accepting.join(timeout=5)
    listener.close()


class LoopbackServer:
    """Serves each connection with ``handle`` until stopped (a context manager)."""

    def __init__(self, handle: Handler, *, tls: TlsFiles | None = None) -> None:
        self.handle = handle
        self.tls = tls
        self.stopping = threading.Event()
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackServer:
        self._accepting.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        _close_listener(self._listener, self._accepting)
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn.settimeout(10)
                conn = self.tls.server.wrap_socket(conn, server_side=True)
            conn.settimeout(30)
            request = read_request(conn)
            if request:
                self.requests.append(request)
                self.handle(conn, request)
        except (OSError, ssl.SSLError):
            pass  # the client went away (or was cut off by its deadline): what is tested
        finally:
            with contextlib.suppress(OSError):
                conn.close()


class SlowProxy:
    """A TCP proxy to ``target`` port that returns the server's bytes one every ``every`` s."""

    def __init__(self, target: int, every: float) -> None:
        self.target = target
        self.every = every
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    def __enter__(self) -> SlowProxy:
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        _close_listener(self._listener, self._accepting)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(server, client, self.every), daemon=True
            ).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, every: float) -> None:
        with contextlib.suppress(OSError):
            while not self.stopping.is_set():
                data = source.recv(1 if every else 65536)
                if not data:
                    break
                if every:
                    time.sleep(every)
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
