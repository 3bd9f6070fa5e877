"""Bounded remotes: a whole-request deadline and a size cap, against real loopback servers.

Each server here misbehaves for real on a socket: it trickles one byte every 0.2 s (so no single
read ever times out), announces or sends more than the cap, or sends a gzip bomb.
"""

from __future__ import annotations

import gzip
import socket
import struct
import time
import tracemalloc
import zlib
from collections.abc import Callable

import pytest

from config import Secret
from tests.wp_client.conftest import KEY, SECRET
from tests.wp_client.loopback import LoopbackServer, SlowProxy, TlsFiles, trickle
from wp_client.errors import BadPayloadError, RemoteError, TransientError
from wp_client.fetch import Limits
from wp_client.woo import WooClient

MIB = 1024 * 1024
EVERY = 0.2  # seconds between two bytes of a trickle
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return TlsFiles.make(tmp_path_factory.mktemp("tls"))


def client(url: str, tls: TlsFiles | None, limits: Limits, retries: int = 0) -> WooClient:
    return WooClient(
        url,
        Secret(KEY),
        Secret(SECRET),
        timeout=(5.0, 60.0),  # never reached by a trickle: each read gets its byte in time
        max_retries=retries,
        ca_bundle=tls.ca_file if tls and url.startswith("https") else None,
        limits=limits,
        sleep=lambda seconds: None,
    )


def failure(woo: WooClient) -> tuple[RemoteError, float]:
    """The error of ``GET /orders/1`` and the seconds it took."""
    began = time.monotonic()
    with pytest.raises(RemoteError) as caught, woo:
        woo.get_order(1)
    seconds = time.monotonic() - began
    message = str(caught.value)
    assert "\n" not in message and KEY not in message and SECRET not in message
    return caught.value, seconds


def headers_trickle(server: LoopbackServer) -> Callable[[socket.socket, bytes], None]:
    def handle(conn: socket.socket, request: bytes) -> None:
        trickle(conn, HEAD + b"X-Pad: " + b"a" * 100_000, EVERY, server.stopping)

    return handle


def body_trickle(server: LoopbackServer) -> Callable[[socket.socket, bytes], None]:
    def handle(conn: socket.socket, request: bytes) -> None:
        conn.sendall(HEAD + b"Content-Length: 200001\r\n\r\n")
        trickle(conn, b"[" + b"1," * 100_000, EVERY, server.stopping)

    return handle


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("phase", [headers_trickle, body_trickle], ids=["headers", "body"])
def test_a_trickling_answer_fails_at_the_deadline(
    scheme: str,
    phase: Callable[[LoopbackServer], Callable[[socket.socket, bytes], None]],
    tls: TlsFiles,
) -> None:
    server = LoopbackServer(lambda conn, request: None, tls=tls if scheme == "https" else None)
    server.handle = phase(server)
    with server:
        error, seconds = failure(client(server.url, tls, Limits(deadline=1.5)))
    assert type(error) is TransientError and error.reason == "deadline"
    assert str(error).startswith(
        "WooCommerce: no complete answer from 127.0.0.1 within 1.5 s (ASSIST_REQUEST_DEADLINE)"
    )
    print(f"{scheme} {phase.__name__}: failed after {seconds:.2f} s")  # quoted with -s
    assert 1.5 <= seconds < 2.5, seconds


def test_a_trickled_tls_handshake_fails_at_the_deadline(tls: TlsFiles) -> None:
    def answer(conn: socket.socket, request: bytes) -> None:
        conn.sendall(HEAD + b"Content-Length: 2\r\n\r\n{}")

    with LoopbackServer(answer, tls=tls) as server, SlowProxy(server.port, EVERY) as proxy:
        error, seconds = failure(client(f"https://127.0.0.1:{proxy.port}", tls, Limits(1.5)))
    assert error.reason == "deadline", error
    assert 1.5 <= seconds < 2.5, seconds


def test_each_retry_gets_a_whole_deadline_of_its_own(tls: TlsFiles) -> None:
    server = LoopbackServer(lambda conn, request: None)
    server.handle = headers_trickle(server)
    with server:
        error, seconds = failure(client(server.url, None, Limits(deadline=0.5), retries=2))
    assert error.reason == "deadline" and "after 3 attempts" in str(error)
    assert len(server.requests) == 3
    assert 1.5 <= seconds < 2.5, seconds


def test_a_post_that_ran_out_of_time_is_not_sent_again() -> None:
    server = LoopbackServer(lambda conn, request: None)
    server.handle = headers_trickle(server)
    with server:
        woo = client(server.url, None, Limits(deadline=0.5), retries=3)
        with pytest.raises(TransientError) as caught, woo:
            woo.http.send_json("POST", "wc/v3/orders", {"x": 1})
    # The server may have acted on it: the caller's outbox decides, not a blind retry.
    assert caught.value.reason == "deadline" and len(server.requests) == 1


def test_a_declared_length_over_the_cap_fails_before_reading() -> None:
    def announce(conn: socket.socket, request: bytes) -> None:
        conn.sendall(HEAD + b"Content-Length: 100000000000\r\n\r\n[")
        server.stopping.wait(30)  # the rest never comes: only the header can end this early

    with LoopbackServer(announce) as server:
        error, seconds = failure(client(server.url, None, Limits(deadline=20, max_bytes=MIB)))
    assert type(error) is BadPayloadError and error.reason == "too_large"
    assert "announces 100000000000 bytes, more than the 1048576 bytes allowed" in str(error)
    assert seconds < 1.0


def test_an_endless_body_is_cut_at_the_cap() -> None:
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"1," * 32 * 1024)

    def endless(conn: socket.socket, request: bytes) -> None:
        conn.sendall(HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
        while not server.stopping.is_set():
            conn.sendall(chunk)

    with LoopbackServer(endless) as server:
        error, seconds = failure(client(server.url, None, Limits(deadline=20, max_bytes=2 * MIB)))
    assert error.reason == "too_large" and "the answer goes on, more than" in str(error)
    assert seconds < 5


def bomb(encoding: str) -> bytes:
    """About 10 MB that expand to 10 GB of zeros, cheaply made.

    gzip: one member of 10 MiB, repeated 1,000 times (a gzip stream may hold many members).
    deflate (a zlib stream, as HTTP means it): after a full flush, each further MiB of zeros
    compresses to the same bytes, so one such block is repeated, and the checksum of 10,001
    MiB of zeros (Adler-32: 1 in the low half, the length modulo 65521 in the high half) ends it.
    """
    if encoding == "gzip":
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        member = b"".join(packer.compress(bytes(MIB)) for _ in range(10)) + packer.flush()
        return member * 1000
    packer = zlib.compressobj(9, zlib.DEFLATED, 15)
    first, block, same = (
        packer.compress(bytes(MIB)) + packer.flush(zlib.Z_FULL_FLUSH) for _ in range(3)
    )
    assert block == same
    size = 10_001 * MIB
    return (
        first + block * 10_000 + packer.flush()[:-4] + struct.pack(">I", (size % 65521) << 16 | 1)
    )


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_hits_the_cap_not_memory(encoding: str) -> None:
    body = bomb(encoding)
    assert len(body) < 12 * MIB

    def serve(conn: socket.socket, request: bytes) -> None:
        head = HEAD + b"Content-Encoding: %s\r\nContent-Length: %d\r\n\r\n" % (
            encoding.encode(),
            len(body),
        )
        conn.sendall(head + body)

    with LoopbackServer(serve) as server:
        tracemalloc.start()
        try:
            error, _ = failure(client(server.url, None, Limits(deadline=60)))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    print(f"{encoding} bomb: traced peak {peak / MIB:.1f} MiB")  # quoted with -s
    assert error.reason == "too_large" and "more than the 33554432 bytes allowed" in str(error)
    # The default cap (32 MiB) of decoded bytes, plus a chunk: not the 10 GB it expands to.
    assert peak < 48 * MIB, f"{peak / MIB:.1f} MiB"


def test_an_answer_within_the_limits_still_arrives(tls: TlsFiles) -> None:
    order = b'{"id": 1, "status": "completed", "line_items": []}'

    def compressed(conn: socket.socket, request: bytes) -> None:
        body = gzip.compress(order)
        head = HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
        conn.sendall(head + body)

    server = LoopbackServer(compressed, tls=tls)
    with server, client(server.url, tls, Limits(deadline=5, max_bytes=MIB)) as woo:
        assert woo.get_order(1) == {"id": 1, "status": "completed", "line_items": []}
        assert woo.bytes_received == len(order)
