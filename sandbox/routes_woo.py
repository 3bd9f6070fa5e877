"""The WooCommerce REST v3 routes the daemon uses: orders, refunds, customers, products.

Behaviour follows what the captured 8.9.1 shop did (``fixtures/README.md``): comma or array
``status``, exclusive date filters read in the shop's timezone unless ``dates_are_gmt``, ``id`` as
tie-breaker in the requested direction, ``Link`` with only prev/next, a page past the end answered
``200 []`` with totals 0, refunds of an unknown order ``200 []``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
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
    json_response,
    no_route,
    page_links,
    raw_json_response,
)
from sandbox.shop import ShopState
from sandbox.shop_json import customer_json, product_json, refund_json
from sandbox.shop_model import ORDER_STATUSES, Order

Handler = Callable[[Request, "re.Match[str]"], Response]
ORDER_BY = ("date", "id", "include", "title", "slug", "modified")
ROLES = (
    "all", "administrator", "editor", "author", "contributor", "subscriber", "customer",
    "shop_manager",
)  # fmt: skip
BATCH_LIMIT = 100
LIST_DEFAULTS = {"dp": "2", "context": "view"}


def _load_options_schema() -> str:
    return resources.files("sandbox").joinpath("data/orders_options.json").read_text("utf-8")


class WooRoutes:
    """Dispatches ``/wc/v3/...`` requests against a ``ShopState``."""

    def __init__(self, shop: ShopState, auth: WooAuthenticator) -> None:
        self.shop = shop
        self.auth = auth
        self._schema = _load_options_schema()
        self.routes: list[tuple[re.Pattern[str], dict[str, Handler], str]] = [
            (re.compile(r"^/wc/v3/orders/?$"), {"GET": self.list_orders}, "GET, POST"),
            (re.compile(r"^/wc/v3/orders/(\d+)/?$"), {"GET": self.get_order},
             "GET, POST, PUT, PATCH, DELETE"),
            (re.compile(r"^/wc/v3/orders/(\d+)/refunds/?$"), {"GET": self.list_refunds},
             "GET, POST"),
            (re.compile(r"^/wc/v3/customers/?$"), {"GET": self.list_customers}, "GET, POST"),
            (re.compile(r"^/wc/v3/customers/batch/?$"),
             {"POST": self.batch_customers, "PUT": self.batch_customers,
              "PATCH": self.batch_customers}, "POST, PUT, PATCH"),
            (re.compile(r"^/wc/v3/customers/(\d+)/?$"),
             {"GET": self.get_customer, "PUT": self.put_customer, "POST": self.put_customer,
              "PATCH": self.put_customer}, "GET, POST, PUT, PATCH, DELETE"),
            (re.compile(r"^/wc/v3/products/?$"), {"GET": self.list_products}, "GET, POST"),
            (re.compile(r"^/wc/v3/products/(\d+)/?$"), {"GET": self.get_product},
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
            handler = methods.get(request.method)
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

    def _link_header(
        self, request: Request, page: int, pages: int, defaults: dict[str, str]
    ) -> str:
        route_url = f"{request.base_url}/wp-json{request.route.rstrip('/')}"
        links = page_links(request, route_url, page, pages, defaults)
        return links or api_root_link(request.base_url)

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
            "Link": self._link_header(request, page, pages, defaults),
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
        return self._page(request, data, page, per_page, {})

    def _page(
        self, request: Request, rows: list[dict[str, Any]], page: int, per_page: int,
        defaults: dict[str, str],
    ) -> Response:  # fmt: skip
        total, pages = len(rows), page_count(len(rows), per_page)
        chunk = rows[(page - 1) * per_page : page * per_page]
        if not chunk:
            total = pages = 0
        return json_response(
            200,
            chunk,
            headers={
                "X-WP-Total": str(total),
                "X-WP-TotalPages": str(pages),
                "Link": self._link_header(request, page, pages, defaults),
            },
        )

    # ---- customers ---------------------------------------------------------------------------
    def list_customers(self, request: Request, _: re.Match[str]) -> Response:
        p = Params(request)
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        role = p.choice("role", ROLES, "customer")
        include = p.integers("include")
        email = request.params.get("email")
        problem = p.error()
        if problem is not None:
            return problem
        with self.shop.lock:
            rows = [
                c
                for c in self.shop.customers.values()
                if (role == "all" or c.role == role)
                and (not isinstance(email, str) or not email or c.email.lower() == email.lower())
                and (include is None or c.id in include)
            ]
            data = [customer_json(c, request.base_url) for c in rows]
        return self._page(request, data, page, per_page, {})

    def get_customer(self, request: Request, match: re.Match[str]) -> Response:
        with self.shop.lock:
            customer = self.shop.customers.get(int(match.group(1)))
            if customer is None:
                return error(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
            return json_response(200, customer_json(customer, request.base_url))

    def put_customer(self, request: Request, match: re.Match[str]) -> Response:
        body = request.json_body()
        if not isinstance(body, dict):
            body = {}
        outcome = self._update_customer(int(match.group(1)), body, request.base_url)
        if "error" in outcome:
            err = outcome["error"]
            return error(err["data"]["status"], err["code"], err["message"])
        return json_response(200, outcome)

    def _update_customer(self, customer_id: int, body: dict[str, Any], base: str) -> dict[str, Any]:
        with self.shop.lock:
            customer = self.shop.customers.get(customer_id)
            if customer is None:
                return {
                    "id": customer_id,
                    "error": {
                        "code": "woocommerce_rest_invalid_id",
                        "message": "Invalid resource ID.",
                        "data": {"status": 400},
                    },
                }
            for name in ("email", "first_name", "last_name"):
                if isinstance(body.get(name), str):
                    setattr(customer, name, body[name])
            if isinstance(body.get("billing"), dict):
                customer.billing.update({k: str(v) for k, v in body["billing"].items()})
            for item in body.get("meta_data") or []:
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    self._set_meta(customer.meta, item)
            customer.modified = max(self.shop.clock(), customer.modified)
            return customer_json(customer, base)

    def _set_meta(self, meta: list[dict[str, Any]], item: dict[str, Any]) -> None:
        value = item.get("value")
        if isinstance(value, bool):
            value = "1" if value else ""
        elif value is None:
            value = ""
        elif isinstance(value, int | float):
            value = str(value)
        for existing in meta:
            if existing["id"] == item.get("id") or existing["key"] == item["key"]:
                existing["value"] = value
                return
        meta.append({"id": self.shop._meta(), "key": item["key"], "value": value})

    def batch_customers(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json_body()
        if not isinstance(body, dict):
            body = {}
        groups = {name: body.get(name) or [] for name in ("create", "update", "delete")}
        if sum(len(v) for v in groups.values() if isinstance(v, list)) > BATCH_LIMIT:
            return error(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            )
        out: dict[str, list[dict[str, Any]]] = {}
        if groups["create"]:
            out["create"] = [self._create_customer(i, request.base_url) for i in groups["create"]]
        if groups["update"]:
            out["update"] = [
                self._update_customer(int(i.get("id") or 0), i, request.base_url)
                if isinstance(i, dict)
                else _item_error(0, "woocommerce_rest_invalid_id", "Invalid resource ID.")
                for i in groups["update"]
            ]
        if groups["delete"]:
            out["delete"] = [self._delete_customer(i, request.base_url) for i in groups["delete"]]
        return json_response(200, out)

    def _create_customer(self, item: Any, base: str) -> dict[str, Any]:
        email = item.get("email") if isinstance(item, dict) else None
        if not isinstance(email, str) or "@" not in email:
            return _item_error(
                0, "registration-error-invalid-email", "Please provide a valid email address."
            )
        if self.shop.customer_by_email(email) is not None:
            return _item_error(
                0,
                "registration-error-email-exists",
                "An account is already registered with your email address. "
                '<a href="#" class="showlogin">Please log in.</a>',
            )
        customer = self.shop.add_customer(
            email,
            str(item.get("first_name", "")),
            str(item.get("last_name", "")),
            username=item.get("username") or None,
        )
        for meta in item.get("meta_data") or []:
            if isinstance(meta, dict) and isinstance(meta.get("key"), str):
                self._set_meta(customer.meta, meta)
        return customer_json(customer, base)

    def _delete_customer(self, item: Any, base: str) -> dict[str, Any]:
        try:
            customer_id = int(item)
        except (TypeError, ValueError):
            customer_id = 0
        with self.shop.lock:
            customer = self.shop.customers.pop(customer_id, None)
        if customer is None:
            return _item_error(customer_id, "woocommerce_rest_invalid_id", "Invalid resource id.")
        return customer_json(customer, base)

    # ---- products ----------------------------------------------------------------------------
    def list_products(self, request: Request, _: re.Match[str]) -> Response:
        p = Params(request)
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        skus = p.listing("sku")
        include = p.integers("include")
        problem = p.error()
        if problem is not None:
            return problem
        with self.shop.lock:
            rows = [
                pr
                for pr in sorted(self.shop.products.values(), key=lambda pr: pr.id, reverse=True)
                if pr.type != "variation"
                and (skus is None or pr.sku in skus)
                and (include is None or pr.id in include)
            ]
            data = [self._product(pr.id, request.base_url) for pr in rows]
        return self._page(request, data, page, per_page, {})

    def get_product(self, request: Request, match: re.Match[str]) -> Response:
        product_id = int(match.group(1))
        with self.shop.lock:
            if product_id not in self.shop.products:
                return error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
            return json_response(200, self._product(product_id, request.base_url))

    def _product(self, product_id: int, base: str) -> dict[str, Any]:
        product = self.shop.products[product_id]
        related = [
            p.id
            for p in self.shop.products.values()
            if p.id != product_id and p.type == "simple" and p.sku.startswith("ASSIST")
        ]
        return product_json(product, base, related)


def _item_error(item_id: int, code: str, message: str) -> dict[str, Any]:
    return {"id": item_id, "error": {"code": code, "message": message, "data": {"status": 400}}}


def _matches(order: Order, needle: str) -> bool:
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


def dump(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


__all__ = ["WooRoutes", "datetime"]
