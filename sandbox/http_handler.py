"""The HTTP side of the sandbox: one handler per request, keep-alive (HTTP/1.1).

Order of events for a request: read it, wait ``latency_ms``, apply a fault if one matches (an
answer of the host in front of WordPress, or a connection held/closed without an answer),
otherwise dispatch to the routes; after an orders page, a pending ``shift_orders`` fault changes
the shop; then the request is logged and the answer written.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from sandbox.faults import CHALLENGE_PAGE, NGINX_PAGE, Fault, Faults
from sandbox.rest import Request, Response, api_root_link
from sandbox.shop import ShopState

REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}  # fmt: skip


class Host(Protocol):
    """What the handler needs from the sandbox that owns the server."""

    host: str
    port: int
    latency_ms: int
    faults: Faults
    shop: ShopState
    connections: set[socket.socket]  # open client connections (closed by ``stop``)
    home_url: str | None  # the site address WordPress believes it has (None: the Host header)

    def dispatch(self, request: Request) -> Response: ...
    def record(self, request: Request, status: int) -> None: ...
    def wait(self, seconds: float) -> None: ...


class SandboxHandler(BaseHTTPRequestHandler):
    """Reads a request, applies latency and faults, dispatches, logs, writes the answer."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.22.1"
    # Headers and body go out in two sends; without TCP_NODELAY a kept-alive client waits for
    # its delayed ACK (~40 ms) on every small answer, as nginx avoids with `tcp_nodelay on`.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox logs requests in ``Sandbox.requests`` instead."""

    def setup(self) -> None:
        super().setup()
        self.server.sandbox.connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        self.server.sandbox.connections.discard(self.connection)  # type: ignore[attr-defined]
        super().finish()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _serve(self) -> None:
        sandbox: Host = self.server.sandbox  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = self._request(body)
        sandbox.wait(sandbox.latency_ms / 1000)
        fault = sandbox.faults.take(request.route)
        if fault is not None and fault.kind == "hang":
            sandbox.record(request, 0)
            sandbox.wait(fault.seconds)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            sandbox.wait(fault.seconds)
            fault = None
        if fault is not None:
            response = _fault_response(fault)
        else:
            response = sandbox.dispatch(request)
            if response.headers.get("Content-Type", "").startswith("application/json"):
                response.headers.setdefault("Link", api_root_link(request.base_url))
        if fault is None and response.served_ids:
            self._maybe_shift(sandbox, request, response)
        sandbox.record(request, response.status)
        self._write(response)

    def _request(self, body: bytes) -> Request:
        parts = urlsplit(self.path)
        raw_pairs = parse_qsl(parts.query, keep_blank_values=True)
        route = parts.path
        pairs = raw_pairs
        if route.startswith("/wp-json"):
            route = route[len("/wp-json") :] or "/"
        else:
            rest_route = [v for k, v in raw_pairs if k == "rest_route"]
            route = rest_route[-1] if rest_route else "/__not_rest__"
            pairs = [(k, v) for k, v in raw_pairs if k != "rest_route"]
        host = self.headers.get("Host") or sandbox_host(self)
        return Request(
            method=self.command,
            path=parts.path,
            route=route,
            pairs=pairs,
            headers={k: v for k, v in self.headers.items()},
            body=body,
            base_url=self.server.sandbox.home_url or f"http://{host}",  # type: ignore[attr-defined]
            raw_pairs=raw_pairs,
        )

    @staticmethod
    def _maybe_shift(sandbox: Host, request: Request, response: Response) -> None:
        try:
            page = int(request.params.get("page") or 1)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        fault = sandbox.faults.take_shift(request.route, page)
        if fault is None:
            return
        if fault.mutate is not None:
            fault.mutate(sandbox.shop, list(response.served_ids))
            return
        target = response.served_ids[0]
        with sandbox.shop.lock:
            order = sandbox.shop.orders.get(target)
            if order is not None:
                moment = max(sandbox.shop.clock(), order.modified + timedelta(seconds=1))
                sandbox.shop.edit_order(target, at=moment)

    def _write(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def sandbox_host(handler: BaseHTTPRequestHandler) -> str:
    sandbox: Host = handler.server.sandbox  # type: ignore[attr-defined]
    return f"{sandbox.host}:{sandbox.port}"


def _fault_response(fault: Fault) -> Response:
    if fault.kind == "html":
        return Response(200, CHALLENGE_PAGE.encode(), {"Content-Type": "text/html; charset=UTF-8"})
    if fault.kind == "malformed":
        return Response(
            200,
            b'[{"id":1,"status":"processing","line_items":[{"id":',
            {"Content-Type": "application/json; charset=UTF-8"},
        )
    reason = REASONS.get(fault.status, "Error")
    headers = {"Content-Type": "text/html"}
    if fault.status == 429:
        headers["Retry-After"] = str(fault.retry_after)
    page = NGINX_PAGE.format(status=fault.status, reason=reason)
    return Response(fault.status, page.encode(), headers)
