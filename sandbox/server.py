"""The sandbox: a real HTTP server on loopback that answers like the shop and the client area.

    with Sandbox(seed=7, clients=20, orders=60) as sb:
        WooClient(sb.url, Secret(sb.consumer_key), Secret(sb.consumer_secret), ...)

Routes: ``/wp-json/<route>`` and ``/?rest_route=<route>`` for ``/wc/v3`` (WooCommerce keys),
``/wp/v2/users/me`` and ``/assist/v1`` (Application Password of ``wp_username``). Every answer is
logged in ``requests``; ``faults`` switches failures on; ``latency_ms`` delays every answer.
Credentials derive from the seed, so a restarted sandbox keeps its ``.env`` lines valid.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.area import ClientAreaState
from sandbox.auth import WooAuthenticator, WpUser
from sandbox.faults import CHALLENGE_PAGE, NGINX_PAGE, Fault, Faults
from sandbox.rest import Request, Response, api_root_link, json_response, no_route
from sandbox.routes_area import CAP_SYNC, AreaRoutes
from sandbox.routes_woo import WooRoutes
from sandbox.seed import default_anchor, seed_shop
from sandbox.seed_area import seed_area
from sandbox.shop import ShopState
from sandbox.shop_model import ApiKey

HIDDEN_QUERY = ("consumer_secret", "oauth_signature")
REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}  # fmt: skip


@dataclass(frozen=True)
class RequestRecord:
    """One served request: ``route`` is the REST route (``/wc/v3/orders``), ``query`` the last
    value of each query parameter (secrets and signatures left out), ``status`` what was answered
    (0 when the connection was closed without an answer)."""

    method: str
    path: str
    route: str
    query: dict[str, str]
    status: int
    auth: str


def _token(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


class Sandbox:
    """The shop and client area on ``127.0.0.1`` (a free port unless ``port`` is given)."""

    def __init__(
        self,
        *,
        seed: int = 1,
        clients: int = 20,
        orders: int = 60,
        latency_ms: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        with_client_area: bool = True,
        basic_over_http: bool = False,
        anchor: datetime | None = None,
    ) -> None:
        self.seed, self.host, self.port = seed, host, port
        self.latency_ms = latency_ms
        self.anchor = anchor or default_anchor()
        self.shop = ShopState()
        seed_shop(self.shop, seed, clients, orders, self.anchor)
        rng = random.Random(f"credentials-{seed}")
        hexdigits = "0123456789abcdef"
        self.consumer_key = "ck_" + _token(rng, hexdigits, 40)
        self.consumer_secret = "cs_" + _token(rng, hexdigits, 40)
        self.shop.api_keys[self.consumer_key] = ApiKey(self.consumer_key, self.consumer_secret)
        alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        self.wp_username = "assist-sync"
        self.wp_app_password = " ".join(_token(rng, alnum, 4) for _ in range(6))
        self.staff_username = "stagiaire"
        self.staff_app_password = " ".join(_token(rng, alnum, 4) for _ in range(6))
        self.users = {
            1: WpUser(1, "agence", "contact@agence-exemple.fr",
                      frozenset({CAP_SYNC, "assist_log_time", "manage_options"})),
            2: WpUser(2, self.wp_username, "assist-sync@agence-exemple.fr",
                      frozenset({CAP_SYNC}), (self.wp_app_password,)),
            3: WpUser(3, self.staff_username, "stagiaire@agence-exemple.fr",
                      frozenset({"assist_log_time"}), (self.staff_app_password,)),
        }  # fmt: skip
        self.area = ClientAreaState(is_client=lambda uid: uid in self.shop.customers)
        if with_client_area:
            seed_area(self.area, self.shop, seed, self.anchor)
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self._woo = WooRoutes(
            self.shop, WooAuthenticator(self.shop.api_keys, basic_over_http=basic_over_http)
        )
        self._area_routes = AreaRoutes(self.area, self.users, with_client_area=with_client_area)
        self.with_client_area = with_client_area
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # ---- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (WOO_URL and WP_URL); the port is known once started."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Sandbox:
        """Bind and serve in a background thread. Raises OSError when the port is taken."""
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.sandbox = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self.shop.base_url = self.url
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name=f"sandbox-{self.port}",
        )  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (held connections are let go)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()

    def serve_until(self, stop: threading.Event) -> None:
        """Block until ``stop`` is set (the CLI's loop)."""
        while not stop.wait(0.2):
            pass

    def env_lines(self) -> list[str]:
        """The ``.env`` lines that point the daemon at this sandbox."""
        lines = [
            f"WOO_URL={self.url}",
            f"WOO_CONSUMER_KEY={self.consumer_key}",
            f"WOO_CONSUMER_SECRET={self.consumer_secret}",
        ]
        if self.with_client_area:
            lines += [
                f"WP_URL={self.url}",
                f"WP_USERNAME={self.wp_username}",
                # Without its spaces (optional for WordPress): safe in any .env reader.
                f"WP_APP_PASSWORD={self.wp_app_password.replace(' ', '')}",
            ]
        return lines

    def count(self, route: str, method: str = "GET") -> int:
        """How many ``method`` requests hit ``route`` (exactly, trailing slash ignored)."""
        wanted = route.removeprefix("/wp-json").rstrip("/")
        return sum(1 for r in self.requests if r.method == method and r.route.rstrip("/") == wanted)

    # ---- one request -------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if request.route.startswith("/wc/"):
            return self._woo.handle(request)
        if request.route in ("", "/"):
            return self._index(request)
        if request.route.startswith(("/wp/", "/assist/")):
            return self._area_routes.handle(request)
        return no_route()

    def _index(self, request: Request) -> Response:
        namespaces = ["oembed/1.0", "wp/v2", "wc/v3"]
        if self.with_client_area:
            namespaces.append("assist/v1")
        return json_response(
            200,
            {
                "name": "Sandbox",
                "description": "Boutique et espace client de démonstration",
                "url": request.base_url,
                "home": request.base_url,
                "gmt_offset": "1",
                "timezone_string": "Europe/Berlin",
                "namespaces": namespaces,
                "authentication": {"application-passwords": {}},
                "routes": {},
            },
        )

    def record(self, request: Request, status: int) -> None:
        query = {k: v for k, v in request.pairs if k not in HIDDEN_QUERY}
        self.requests.append(
            RequestRecord(request.method, request.path, request.route, query, status,
                          request.auth_kind)
        )  # fmt: skip

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up when the sandbox stops."""
        if seconds > 0:
            self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.22.1"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox logs requests in ``Sandbox.requests`` instead."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _serve(self) -> None:
        sandbox: Sandbox = self.server.sandbox  # type: ignore[attr-defined]
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
            base_url=f"http://{host}",
            raw_pairs=raw_pairs,
        )

    @staticmethod
    def _maybe_shift(sandbox: Sandbox, request: Request, response: Response) -> None:
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
    sandbox: Sandbox = handler.server.sandbox  # type: ignore[attr-defined]
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
