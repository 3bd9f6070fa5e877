"""Fuzzing the HTTP boundary: whatever bytes a server sends, only ``wp_client.errors`` come out.

A real loopback server plays an answer that hypothesis composes: any status line (or garbage),
headers (lying lengths, odd encodings, a line past 64 KiB, more than 100 of them), a body (JSON
with forged lines and our secrets in its messages, HTML, binary, gzip, a gzip bomb) framed right
or wrong (short, long, close-delimited, chunked, broken chunks), and an end (close or reset).
Every call either returns or raises a ``RemoteError`` whose message is one line, free of control
characters and of the credentials.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import Secret
from tests.wp_client.conftest import KEY, SECRET
from tests.wp_client.loopback import LoopbackServer, reset
from wp_client.errors import RemoteError
from wp_client.fetch import Limits
from wp_client.woo import WooClient

MIB = 1024 * 1024
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORGED = "x\n2026-12-03 ERROR forged line \x1b[31m"


@cache
def small_bomb() -> bytes:
    """10 KB of gzip that expands to 10 MiB (ten times the fuzzed client's cap)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join(packer.compress(bytes(MIB)) for _ in range(10)) + packer.flush()


words = st.sampled_from(["", FORGED, KEY, SECRET, "é", "<b>Warning</b>", "\x00", "ok"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | words,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner, max_size=4),
    max_leaves=20,
)
wp_errors = st.fixed_dictionaries(
    {"code": words, "message": words},
    optional={
        "data": st.fixed_dictionaries({}, optional={"params": st.dictionaries(words, words)})
    },
)
orders = st.lists(
    st.fixed_dictionaries({"id": st.integers(min_value=-1, max_value=5)}, optional={"x": words}),
    max_size=3,
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """A body and the Content-Type/Encoding headers that go with it (or lie about it)."""
    kind = draw(st.sampled_from(["json", "error", "orders", "html", "binary", "empty", "nan"]))
    if kind == "json":
        body = json.dumps(draw(json_values)).encode()
    elif kind == "error":
        body = json.dumps(draw(wp_errors)).encode()
    elif kind == "orders":
        body = json.dumps(draw(orders)).encode()
    elif kind == "html":
        body = f"<html><title>{draw(words)}</title><body>{draw(words)}</body></html>".encode()
    elif kind == "nan":
        body = draw(st.sampled_from([b"[NaN]", b"[" * 5000, b"1" * 5000, b"[1e999]"]))
    elif kind == "binary":
        body = draw(st.binary(max_size=200))
    else:
        body = b""
    headers = [(b"Content-Type", draw(st.sampled_from([b"application/json", b"text/html"])))]
    encoding = draw(st.sampled_from(["identity", "gzip", "bad-gzip", "deflate", "bomb"]))
    if encoding == "gzip":
        body = gzip.compress(body)
    elif encoding == "deflate":
        body = zlib.compress(body)
    elif encoding == "bad-gzip":
        body = b"\x1f\x8b" + body
    elif encoding == "bomb":
        body = small_bomb()
    if encoding != "identity":
        headers.append((b"Content-Encoding", b"deflate" if encoding == "deflate" else b"gzip"))
    return body, headers


header_values = st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
extra_headers = st.lists(
    st.tuples(
        st.sampled_from(
            [b"Location", b"Retry-After", b"X-WP-Total", b"X-WP-TotalPages", b"Link", b"X-Odd"]
        ),
        header_values | st.sampled_from([b"http://[::1/x", b"/wp-json/x", b"99999999999999"]),
    ),
    max_size=4,
)


@st.composite
def answers(draw: st.DrawFn) -> tuple[bytes, str]:
    """The bytes a server writes, and how it ends the connection."""
    status = draw(
        st.sampled_from([200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 429, 500, 503])
        | st.integers(min_value=100, max_value=999)
    )
    line = draw(
        st.sampled_from([b"HTTP/1.1 %d OK" % status, b"HTTP/1.0 %d" % status])
        | st.binary(max_size=30).map(lambda b: b.replace(b"\n", b""))
    )
    body, headers = draw(bodies())
    headers += draw(extra_headers)
    framing = draw(st.sampled_from(["length", "short", "long", "close", "chunked", "bad-chunk"]))
    if framing == "length":
        headers.append((b"Content-Length", b"%d" % len(body)))
    elif framing == "short":
        headers.append((b"Content-Length", b"%d" % max(0, len(body) - 3)))
    elif framing == "long":
        headers.append((b"Content-Length", b"%d" % (len(body) + 10)))
    elif framing in ("chunked", "bad-chunk"):
        headers.append((b"Transfer-Encoding", b"chunked"))
        size = b"%x" % len(body) if framing == "chunked" else b"zz"
        body = (size + b"\r\n" + body + b"\r\n0\r\n\r\n") if body else b"0\r\n\r\n"
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        huge = draw(st.sampled_from(["long-line", "many"]))
        if huge == "long-line":
            headers.append((b"X-Big", b"a" * 70_000))
        else:
            headers += [(b"X-N%d" % i, b"1") for i in range(120)]
    head = line + b"\r\n" + b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return head + b"\r\n" + body, draw(st.sampled_from(["close", "close", "reset"]))


class Script:
    """What the server plays to every connection of the current example."""

    answer: tuple[bytes, str] = (b"", "close")

    def __call__(self, conn: socket.socket, request: bytes) -> None:
        data, ending = self.answer
        if ending == "reset":
            conn.sendall(data[: len(data) // 2])
            reset(conn)
        else:
            conn.sendall(data)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[LoopbackServer, Script]]:
    script = Script()
    with LoopbackServer(script) as loopback:
        yield loopback, script


CALLS: dict[str, Callable[[WooClient], Any]] = {
    "get_order": lambda woo: woo.get_order(1),
    "pages": lambda woo: list(woo.iter_order_pages(modified_after=None, modified_before=None)),
    "post": lambda woo: woo.http.send_json("POST", "wc/v3/orders", {"a": 1}),
    "options": lambda woo: woo.order_list_arguments(),
}


@pytest.mark.timeout(600)
@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(answer=answers(), call=st.sampled_from(sorted(CALLS)), retries=st.integers(0, 2))
def test_only_typed_one_line_errors_cross_the_boundary(
    server: tuple[LoopbackServer, Script], answer: tuple[bytes, str], call: str, retries: int
) -> None:
    loopback, script = server
    script.answer = answer
    woo = WooClient(
        loopback.url,
        Secret(KEY),
        Secret(SECRET),
        max_retries=retries,
        sleep=lambda seconds: None,
        limits=Limits(deadline=5, max_bytes=MIB),
    )
    try:
        with woo:
            CALLS[call](woo)
    except RemoteError as exc:
        message = str(exc)
        assert message and not CONTROL.search(message), repr(message)
        assert KEY not in message and SECRET not in message
        assert len(message) < 1500
