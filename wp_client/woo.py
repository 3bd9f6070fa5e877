"""The WooCommerce REST v3 client: what the daemon reads from the shop, and nothing else.

Auth follows the shop's scheme: HTTPS → Basic with the consumer key/secret; plain HTTP (a
loopback shop, or ``allow_insecure_http``) → OAuth 1.0a signatures, because WooCommerce ignores
Basic auth over plain HTTP and would answer as if anonymous.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from config import Secret
from wp_client.auth import BasicAuth, OAuth1Signature
from wp_client.base import RemoteClient
from wp_client.bodies import require_object
from wp_client.errors import ConfigurationError, RemoteError
from wp_client.fetch import Limits
from wp_client.http import HttpClient
from wp_client.pagination import MAX_PER_PAGE, PageReader
from wp_client.params import comma_list, modified_window
from wp_client.remote import LET_AUTHORIZATION_THROUGH, Remote
from wp_client.retry import Backoff
from wp_client.urls import site_url

if TYPE_CHECKING:
    from config import Settings

WC = "wc/v3"


def explain_woo_auth(
    status: int, code: str | None, message: str, *, doctor: bool = False
) -> str | None:
    """One line for a WooCommerce 401/403, told apart by its error code and message.

    ``doctor``: the line is doctor's own finding, so it gives the fix instead of sending the
    user to doctor.
    """
    said = f"({status} {code}: {message})"
    low = message.lower()
    if code == "woocommerce_rest_authentication_error":
        if "secret" in low:
            return f"WooCommerce rejected the consumer secret {said} — check WOO_CONSUMER_SECRET"
        if "consumer key" in low:
            return f"WooCommerce does not know this consumer key {said} — check WOO_CONSUMER_KEY"
        if "write" in low:
            return (
                f"The consumer key is read-only {said} — give it Read/Write access in "
                "WooCommerce → Settings → Advanced → REST API"
            )
        if "signature" in low:
            return (
                f"WooCommerce rejected the OAuth signature {said} — check WOO_CONSUMER_SECRET and "
                "that WOO_URL is exactly the site address set in WordPress (Settings → General)"
            )
        if "timestamp" in low or "nonce" in low:
            return f"WooCommerce rejected the OAuth timestamp {said} — check this machine's clock"
        return f"WooCommerce refused the credentials {said} — check WOO_CONSUMER_KEY/SECRET"
    if code == "woocommerce_rest_authentication_missing_parameter":
        cause = "a proxy or rewrite rule drops part of the request"
        return f"WooCommerce received incomplete credentials {said} — {cause}" + (
            "" if doctor else "; run `assist-sync doctor`"
        )
    if status == 401:
        stripped = (
            "the server may strip the Authorization header: " + LET_AUTHORIZATION_THROUGH
            if doctor
            else "the server strips the Authorization header: run `assist-sync doctor`"
        )
        return (
            f"WooCommerce rejected the consumer key {said} — check WOO_CONSUMER_KEY/SECRET and "
            f"that the key has read access (if they are right, {stripped})"
        )
    return (
        f"The consumer key lacks a permission {said} — its owner needs the shop manager role "
        "and the key Read (or Read/Write) access"
    )


WOO_REMOTE = Remote(
    name="WooCommerce",
    url_setting="WOO_URL",
    credentials="WOO_CONSUMER_KEY/WOO_CONSUMER_SECRET",
    ca_setting="WOO_CA_BUNDLE",
    no_route_hint="check WOO_URL (the site address) and that WooCommerce is active",
    explain_auth=explain_woo_auth,
)


def get_arguments(options: object) -> set[str]:
    """The argument names of the GET endpoint in an ``OPTIONS`` answer (route schema)."""
    names: set[str] = set()
    endpoints = options.get("endpoints") if isinstance(options, dict) else None
    for endpoint in endpoints if isinstance(endpoints, list) else []:
        if isinstance(endpoint, dict) and "GET" in (endpoint.get("methods") or []):
            args = endpoint.get("args")
            names.update(args if isinstance(args, dict) else ())
    return names


@dataclass(frozen=True)
class ProductPage:
    """Where a pack is sold: its product and status, and its page (``url``) when published."""

    sku: str
    product_id: int
    status: str  # publish, draft, pending, private
    url: str | None


def product_pages(products: Sequence[object], skus: Sequence[str]) -> dict[str, ProductPage]:
    """The product of each of ``skus`` found in ``products`` (a ``GET products`` answer, read as
    untrusted): a published one first. ``url`` is its permalink — only for a published product
    (a draft's permalink is a ``?p=`` preview address) and only an http(s) address."""
    found: dict[str, ProductPage] = {}
    wanted = set(skus)
    for product in products:
        if not isinstance(product, dict):
            continue
        sku, pid, status = product.get("sku"), product.get("id"), product.get("status")
        if not isinstance(sku, str) or sku not in wanted:
            continue
        if not isinstance(pid, int) or not isinstance(status, str):
            continue
        link = product.get("permalink")
        url: str | None = None
        if status == "publish" and isinstance(link, str):
            url = link if urlsplit(link).scheme in ("http", "https") else None
        page = ProductPage(sku, pid, status, url)
        if sku not in found or (url is not None and found[sku].url is None):
            found[sku] = page
    return found


def as_secret(value: Secret | str) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


def check_ca_bundle(path: str | None, setting: str) -> str | None:
    if path and not os.path.isfile(path):
        raise ConfigurationError(f"{setting} points to a missing file: {path}", reason="ca_bundle")
    return path or None


class WooClient(RemoteClient):
    """Reads orders, refunds, customers and products from a WooCommerce shop.

    Raises only ``wp_client.errors`` classes; see each method for what None means.
    """

    def __init__(
        self,
        url: str,
        key: Secret | str,
        secret: Secret | str,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        max_retries: int = 5,
        ca_bundle: str | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        limits: Limits | None = None,
        time_left: Callable[[], float] | None = None,
    ) -> None:
        self.url = site_url(url, setting="WOO_URL", allow_insecure_http=allow_insecure_http)
        key, secret = as_secret(key), as_secret(secret)
        for name, value in (("WOO_CONSUMER_KEY", key), ("WOO_CONSUMER_SECRET", secret)):
            if not value:
                raise ConfigurationError(f"{name} is not set", reason="credentials")
        self._key = key
        self._secret = secret
        auth: AuthBase
        if self.url.startswith("https://"):
            auth = BasicAuth(key.reveal(), secret.reveal(), username_is_secret=True)
        else:
            auth = OAuth1Signature(key.reveal(), secret.reveal())
        self.http = HttpClient(
            f"{self.url}/wp-json",
            WOO_REMOTE,
            auth=auth,
            session=session,
            timeout=timeout,
            backoff=Backoff(max_retries=max_retries),
            sleep=sleep,
            limits=limits,
            time_left=time_left,
            ca_bundle=check_ca_bundle(ca_bundle, "WOO_CA_BUNDLE"),
            secrets=(key.reveal(), secret.reveal()),
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> WooClient:
        """Build from ``config.Settings`` (WOO_URL, WOO_CONSUMER_KEY/SECRET, WOO_CA_BUNDLE...)."""
        return cls(
            settings.woo_url or "",
            settings.woo_consumer_key,
            settings.woo_consumer_secret,
            timeout=(settings.connect_timeout, settings.read_timeout),
            max_retries=settings.max_retries,
            limits=Limits.from_settings(settings),
            ca_bundle=settings.woo_ca_bundle,
            allow_insecure_http=settings.allow_insecure_http,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"WooClient({self.url!r}, key=********, secret=********)"

    def query_string_credentials(self) -> dict[str, str]:
        """``consumer_key``/``consumer_secret`` as query parameters — for ``doctor``'s one probe
        over HTTPS that tells a stripped Authorization header from an unknown key; the sync
        itself never sends credentials in a URL."""
        return {"consumer_key": self._key.reveal(), "consumer_secret": self._secret.reveal()}

    @property
    def uses_oauth(self) -> bool:
        return isinstance(self.http.auth, OAuth1Signature)

    def iter_order_pages(
        self,
        *,
        modified_after: datetime | None,
        modified_before: datetime | None,
        status: Sequence[str] = ("any",),
        customer: int | None = None,
        per_page: int = MAX_PER_PAGE,
    ) -> PageReader:
        """Orders page by page, ``orderby=id&order=asc``, dates as naive UTC with
        ``dates_are_gmt=true``; ``modified_after`` is exclusive. Every page is checked (see
        ``wp_client.pagination``); the reader exposes ``total`` once the first page arrived.
        """
        params: dict[str, object] = {
            "orderby": "id",
            "order": "asc",
            "status": comma_list(status, name="status"),
            "dates_are_gmt": "true",
            **modified_window(modified_after, modified_before),
        }
        if customer is not None:
            params["customer"] = int(customer)
        return PageReader(
            self.http, f"{WC}/orders", params, per_page=per_page, what="orders", ascending_ids=True
        )

    def get_order(self, order_id: int) -> dict[str, Any] | None:
        """One order, or None when the shop does not know it (404)."""
        return self._get_one(f"{WC}/orders/{int(order_id)}")

    def order_refunds(self, order_id: int) -> list[dict[str, Any]]:
        """The refunds of an order (``[]`` for an unknown order, as the shop answers)."""
        return self._all(f"{WC}/orders/{int(order_id)}/refunds", {}, "refunds")

    def customers_by_email(self, email: str) -> list[dict[str, Any]]:
        """Customers whose e-mail is ``email``, whatever their role (``role=all``)."""
        return self._all(f"{WC}/customers", {"email": email, "role": "all"}, "customers")

    def get_customer(self, customer_id: int) -> dict[str, Any] | None:
        """One customer, or None when the shop does not know it (404)."""
        return self._get_one(f"{WC}/customers/{int(customer_id)}")

    def products_by_sku(self, skus: Sequence[str]) -> list[dict[str, Any]]:
        """Products whose SKU is one of ``skus`` (exact match); ``[]`` without a request if none."""
        if not skus:
            return []
        return self._all(f"{WC}/products", {"sku": comma_list(skus, name="skus")}, "products")

    def product_pages(self, skus: Sequence[str]) -> dict[str, ProductPage]:
        """The product page of each of ``skus`` (one request with a comma list); a SKU with no
        product is left out. See ``product_pages``."""
        return product_pages(self.products_by_sku(skus), skus)

    def orders_options(self) -> dict[str, Any]:
        """``OPTIONS /orders``: the route's schema and accepted arguments (feature detection)."""
        body, _ = self.http.request_json("OPTIONS", f"{WC}/orders")
        return require_object(body, f"{self.http.api_root}/{WC}/orders")

    def order_list_arguments(self) -> set[str]:
        """Names the shop accepts on ``GET /orders`` (e.g. whether ``modified_after`` exists)."""
        return get_arguments(self.orders_options())

    def _get_one(self, path: str) -> dict[str, Any] | None:
        try:
            body, _ = self.http.get_json(path)
        except ConfigurationError:
            raise
        except RemoteError as exc:
            if exc.status == 404:
                return None
            raise
        return require_object(body, f"{self.http.api_root}/{path}", with_id=True)

    def _all(self, path: str, params: dict[str, object], what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in self._pages(path, params, what):
            found.extend(page)
        return found

    def _pages(
        self, path: str, params: dict[str, object], what: str
    ) -> Iterator[list[dict[str, Any]]]:
        return PageReader(self.http, path, params, per_page=MAX_PER_PAGE, what=what)
