"""WooCommerce REST v3 customers and products, as the captured 8.9.1 shop answered them.

``GET /customers`` lists the ``customer`` role unless ``role`` says otherwise (``all``);
``PUT /customers/<id>`` stores ``meta_data`` under any key, values as strings; the batch endpoint
takes at most 100 items (413 above) and reports failures per item under HTTP 200.
``GET /products?sku=A,B`` lists products by exact SKU (variations are not listed there).
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.params import Params
from sandbox.rest import Request, Response, error, json_response, paged_json
from sandbox.shop import ShopState
from sandbox.shop_json import customer_json, product_json

ROLES = (
    "all", "administrator", "editor", "author", "contributor", "subscriber", "customer",
    "shop_manager",
)  # fmt: skip
BATCH_LIMIT = 100


class CatalogRoutes:
    """Customers and products of a ``ShopState``."""

    def __init__(self, shop: ShopState) -> None:
        self.shop = shop

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
        return paged_json(request, data, page, per_page)

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
                # like WooCommerce, a SKU filter looks at variations too
                if (pr.type != "variation" or skus is not None)
                and (skus is None or pr.sku in skus)
                and (include is None or pr.id in include)
            ]
            data = [self._product(pr.id, request.base_url) for pr in rows]
        return paged_json(request, data, page, per_page)

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
        parent = self.shop.products.get(product.parent_id) if product.parent_id else None
        return product_json(product, base, related, parent)


def _item_error(item_id: int, code: str, message: str) -> dict[str, Any]:
    return {"id": item_id, "error": {"code": code, "message": message, "data": {"status": 400}}}
