"""The sandbox: a real HTTP server on loopback that answers like the shop and the client area.

    with Sandbox(seed=7, clients=20, orders=60) as sb:
        WooClient(sb.url, Secret(sb.consumer_key), Secret(sb.consumer_secret), ...)

Routes: ``/wp-json/<route>`` and ``/?rest_route=<route>`` for ``/wc/v3`` (WooCommerce keys),
``/wp/v2/users/me`` and ``/assist/v1`` (Application Password of ``wp_username``). Every answer is
logged in ``requests``; ``faults`` switches failures on; ``latency_ms`` delays every answer.
Credentials derive from the seed, so a restarted sandbox keeps its ``.env`` lines valid.
"""

from __future__ import annotations

import contextlib
import ipaddress
import random
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer
from types import TracebackType

from sandbox.area import ClientAreaState
from sandbox.auth import WooAuthenticator, WpUser
from sandbox.faults import Faults
from sandbox.http_handler import SandboxHandler
from sandbox.rest import Request, Response, json_response, no_route
from sandbox.routes_area import CAP_SYNC, AreaRoutes
from sandbox.routes_woo import WooRoutes
from sandbox.seed import default_anchor, seed_shop
from sandbox.seed_area import seed_area
from sandbox.shop import ShopState
from sandbox.shop_model import ApiKey

HIDDEN_QUERY = ("consumer_secret", "oauth_signature")


@dataclass(frozen=True)
class RequestRecord:
    """One served request: ``route`` is the REST route (``/wc/v3/orders``), ``query`` the last
    value of each query parameter (OAuth parameters and secrets left out: ``auth`` says how the
    request authenticated), ``status`` what was answered (0: closed without an answer)."""

    method: str
    path: str
    route: str
    query: dict[str, str]
    status: int
    auth: str


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _token(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


class Sandbox:
    """The shop and client area on ``127.0.0.1`` (a free port unless ``port`` is given).

    ``seed``, ``clients``, ``orders``: the generated data (``random.Random(seed)``; dates before
    ``anchor``, default today 00:00 UTC). ``latency_ms``: delay added to every answer.
    ``with_client_area=False`` leaves out ``assist/v1`` and the ``WP_*`` env lines.
    ``basic_over_http=True`` accepts Basic auth with the consumer key/secret over plain HTTP (the
    real shop ignores it there; a request with ``X-Forwarded-Proto: https`` is accepted anyway).
    ``home_url``: the address the site believes it has (links, ``/wp-json/`` ``home``, and the
    OAuth base string, as WordPress's home URL); default: whatever ``Host`` the client used.

    ``shop``, ``area``: the state and its mutators; ``faults``: failures to switch on;
    ``requests``: every request served; ``users``: WordPress logins (1 agency admin, 2 the
    daemon ``wp_username``, 3 ``staff_username`` without ``assist_sync``).
    """

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
        home_url: str | None = None,
        anchor: datetime | None = None,
    ) -> None:
        self.seed, self.host, self.port = seed, host, port
        self.home_url = home_url.rstrip("/") if home_url else None
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
        self.connections: set[socket.socket] = set()

    # ---- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (WOO_URL and WP_URL); the port is known once started."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> Sandbox:
        """Bind and serve in a background thread. Raises OSError when the port is taken."""
        server = ThreadingHTTPServer((self.host, self.port), SandboxHandler)
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
        """Stop serving, close every client connection (kept-alive ones too), free the port."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
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
        """The ``.env`` lines that point the daemon at this sandbox.

        Served on a non-loopback address (``--host 0.0.0.0``), the sandbox is plain HTTP that the
        daemon refuses by default, so the lines then also say ``ASSIST_ALLOW_INSECURE_HTTP=1``.
        """
        lines = [
            f"WOO_URL={self.url}",
            f"WOO_CONSUMER_KEY={self.consumer_key}",
            f"WOO_CONSUMER_SECRET={self.consumer_secret}",
        ]
        if not _is_loopback(self.host):
            lines.append("ASSIST_ALLOW_INSECURE_HTTP=1")
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
        query = {
            k: v for k, v in request.pairs if k not in HIDDEN_QUERY and not k.startswith("oauth_")
        }
        self.requests.append(
            RequestRecord(request.method, request.path, request.route, query, status,
                          request.auth_kind)
        )  # fmt: skip

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up when the sandbox stops."""
        if seconds > 0:
            self._stopping.wait(seconds)
