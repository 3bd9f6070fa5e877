"""The WooCommerce REST v3 routes the daemon uses: dispatch, authentication, orders, refunds.

Behaviour follows what the captured 8.9.1 shop did (``fixtures/README.md``): comma or array
``status``, exclusive date filters read in the shop's timezone unless ``dates_are_gmt``, ``Link``
with only prev/next, a page past the end answered ``200 []`` with totals 0, refunds of an unknown
order ``200 []``. Orders with the same date come with ``id`` as tie-breaker in the requested
direction: WooCommerce (HPOS) sets no tie-breaker at all (the database's order, which a client
must not rely on; the daemon reads by ``id``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from sandbox.auth import WooAuthenticator
from sandbox.dates import local_wall, utc_wall
from sandbox.params import Params, page_count
from sandbox.rest import (
    Request,
    Response,
    api_root_link,
    error,
    link_header,
    no_route,
    paged_json,
    raw_json_response,
)
from sandbox.routes_catalog import CatalogRoutes
from sandbox.shop import ShopState
from sandbox.shop_json import refund_json
from sandbox.shop_model import ORDER_STATUSES, Order

Handler = Callable[[Request, "re.Match[str]"], Response]
ORDER_BY = ("date", "id", "include", "title", "slug", "modified")
LIST_DEFAULTS = {"dp": "2", "context": "view"}


def _load_options_schema() -> str:
    return resources.files("sandbox").joinpath("data/orders_options.json").read_text("utf-8")


class WooRoutes:
    """Dispatches ``/wc/v3/...`` requests against a ``ShopState``."""

    def __init__(self, shop: ShopState, auth: WooAuthenticator) -> None:
        self.shop = shop
        self.auth = auth
        catalog = CatalogRoutes(shop)
        self._schema = _load_options_schema()
        self.routes: list[tuple[re.Pattern[str], dict[str, Handler], str]] = [
            (re.compile(r"^/wc/v3/orders/?$"), {"GET": self.list_orders}, "GET, POST"),
            (re.compile(r"^/wc/v3/orders/(\d+)/?$"), {"GET": self.get_order},
             "GET, POST, PUT, PATCH, DELETE"),
            (re.compile(r"^/wc/v3/orders/(\d+)/refunds/?$"), {"GET": self.list_refunds},
             "GET, POST"),
            (re.compile(r"^/wc/v3/customers/?$"), {"GET": catalog.list_customers}, "GET, POST"),
            (re.compile(r"^/wc/v3/customers/batch/?$"),
             {"POST": catalog.batch_customers, "PUT": catalog.batch_customers,
              "PATCH": catalog.batch_customers}, "POST, PUT, PATCH"),
            (re.compile(r"^/wc/v3/customers/(\d+)/?$"),
             {"GET": catalog.get_customer, "PUT": catalog.put_customer,
              "POST": catalog.put_customer, "PATCH": catalog.put_customer},
             "GET, POST, PUT, PATCH, DELETE"),
            (re.compile(r"^/wc/v3/products/?$"), {"GET": catalog.list_products}, "GET, POST"),
            (re.compile(r"^/wc/v3/products/(\d+)/?$"), {"GET": catalog.get_product},
             "GET, POST, PUT, PATCH, DELETE"),
        ]  # fmt: skip

    # ---- dispatch ----------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        result = self.auth.authenticate(request)
        if result.error is not None:
            return result.error
        request.user_id, request.auth_kind = result.user_id, result.kind
        for pattern, methods, allow in self.routes:
            match = pattern.match(request.route)
            if not match:
                continue
            if request.method == "OPTIONS" and pattern.pattern == r"^/wc/v3/orders/?$":
                return self.options_orders(request)
            handler = methods.get("GET" if request.method == "HEAD" else request.method)
            if handler is None:
                break
            denied = self._permission(request)
            if denied is not None:
                return denied
            response = handler(request, match)
            response.headers.setdefault("Allow", allow)
            return response
        return no_route()

    @staticmethod
    def _permission(request: Request) -> Response | None:
        if request.user_id is not None:
            return None
        route, method = request.route.rstrip("/"), request.method
        if route.endswith("/batch"):
            code, message = (
                "woocommerce_rest_cannot_batch",
                "Sorry, you are not allowed to batch manipulate this resource.",
            )
        elif method in ("PUT", "PATCH") or (method == "POST" and route[-1].isdigit()):
            code, message = (
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            )
        elif method == "POST":
            code, message = (
                "woocommerce_rest_cannot_create",
                "Sorry, you are not allowed to create resources.",
            )
        elif route[-1].isdigit():
            code, message = "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
        else:
            code, message = "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."
        return error(401, code, message)

    # ---- orders ------------------------------------------------------------------------------
    def options_orders(self, request: Request) -> Response:
        body = self._schema.replace("https://127.0.0.1:8443", request.base_url)
        return raw_json_response(200, body.encode(), {"Allow": "GET, POST"})

    def list_orders(self, request: Request, _: re.Match[str]) -> Response:
        p = Params(request)
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        after, before = p.shop_date("after"), p.shop_date("before")
        modified_after, modified_before = (
            p.shop_date("modified_after"),
            p.shop_date("modified_before"),
        )
        dates_are_gmt = p.boolean("dates_are_gmt")
        include = p.integers("include")
        order = p.choice("order", ("asc", "desc"), "desc")
        orderby = p.choice("orderby", ORDER_BY, "date")
        statuses = p.choices("status", ORDER_STATUSES, ["any"])
        customer = p.integer("customer")
        search = request.params.get("search")
        problem = p.error()
        if problem is not None:
            return problem

        wall = utc_wall if dates_are_gmt else local_wall
        wanted = set(statuses)
        any_status = "any" in wanted
        include_set = set(include) if include else None
        needle = search.lower() if isinstance(search, str) and search else None

        def keep(o: Order) -> bool:
            if not ((any_status and o.status != "trash") or o.status in wanted):
                return False
            if customer is not None and o.customer_id != customer:
                return False
            if include_set is not None and o.id not in include_set:
                return False
            if needle is not None and not _matches(o, needle):
                return False
            if after is not None or before is not None:
                created = wall(o.created)
                if (after is not None and not created > after) or (
                    before is not None and not created < before
                ):
                    return False
            if modified_after is not None or modified_before is not None:
                modified = wall(o.modified)
                if (modified_after is not None and not modified > modified_after) or (
                    modified_before is not None and not modified < modified_before
                ):
                    return False
            return True

        with self.shop.lock:
            rows = [o for o in self.shop.orders.values() if keep(o)]
            rows.sort(key=_order_key(orderby, include or []), reverse=order == "desc")
            total, pages = len(rows), page_count(len(rows), per_page)
            chunk = rows[(page - 1) * per_page : page * per_page]
            body = b"[" + b",".join(self.shop.order_bytes(o) for o in chunk) + b"]"
        if not chunk:
            total = pages = 0  # what the captured shop answered past the last page
        defaults = (
            dict(LIST_DEFAULTS)
            if "status" in request.params
            else {"status[0]": "any", **LIST_DEFAULTS}
        )
        headers = {
            "X-WP-Total": str(total),
            "X-WP-TotalPages": str(pages),
            "Link": link_header(request, page, pages, defaults),
        }
        response = raw_json_response(200, body, headers)
        response.served_ids = [o.id for o in chunk]
        return response

    def get_order(self, request: Request, match: re.Match[str]) -> Response:
        order_id = int(match.group(1))
        with self.shop.lock:
            order = self.shop.orders.get(order_id)
            if order is None:
                return error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            body = self.shop.order_bytes(order)
        return raw_json_response(200, body, {"Link": api_root_link(request.base_url)})

    def list_refunds(self, request: Request, match: re.Match[str]) -> Response:
        p = Params(request)
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        problem = p.error()
        if problem is not None:
            return problem
        with self.shop.lock:
            order = self.shop.orders.get(int(match.group(1)))
            refunds = list(order.refunds) if order else []
            data = [refund_json(r, request.base_url) for r in refunds]
        return paged_json(request, data, page, per_page)


def _matches(order: Order, needle: str) -> bool:
    """WooCommerce ``search``: a piece of the billing e-mail or name, or the order number."""
    billing = order.billing
    haystack = " ".join(
        (billing.get("email", ""), billing.get("first_name", ""), billing.get("last_name", ""))
    )
    return needle in haystack.lower() or needle == str(order.id)


def _order_key(orderby: str, include: list[int]) -> Callable[[Order], tuple[Any, int]]:
    if orderby == "id":
        return lambda o: (o.id, o.id)
    if orderby == "modified":
        return lambda o: (o.modified, o.id)
    if orderby == "include":
        position = {order_id: i for i, order_id in enumerate(include)}
        return lambda o: (position.get(o.id, len(position)), o.id)
    return lambda o: (o.created, o.id)
