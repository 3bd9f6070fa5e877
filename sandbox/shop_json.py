"""WooCommerce REST v3 JSON for the sandbox's records, shaped like the captured 8.9.1 responses.

Key order, types and quirks follow ``tests/contract/fixtures/woocommerce-8.9.1``: money as strings
with two decimals, ``line_items[].price`` a number, ``image.id`` an empty string, refunds in the
order as negative strings, dates site-local plus ``*_gmt`` twins, never an offset.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sandbox.dates import gmt_text, local_text
from sandbox.shop_model import Customer, LineItem, Order, Product, Refund, money, slugify

ZERO = "0.00"


def _number(value: Decimal) -> int | float:
    """PHP's float in JSON: ``550`` when whole, ``57.5`` otherwise."""
    return int(value) if value == value.to_integral_value() else float(value)


def _maybe(moment: datetime | None, gmt: bool) -> str | None:
    if moment is None:
        return None
    return gmt_text(moment) if gmt else local_text(moment)


def _links(base: str, self_path: str, collection: str, **extra: str) -> dict[str, Any]:
    links: dict[str, Any] = {
        "self": [{"href": f"{base}/wp-json/wc/v3/{self_path}"}],
        "collection": [{"href": f"{base}/wp-json/wc/v3/{collection}"}],
    }
    for name, path in extra.items():
        links[name] = [{"href": f"{base}/wp-json/wc/v3/{path}"}]
    return links


def line_json(line: LineItem) -> dict[str, Any]:
    total = money(line.total)
    return {
        "id": line.id,
        "name": line.name,
        "product_id": line.product_id,
        "variation_id": line.variation_id,
        "quantity": line.quantity,
        "tax_class": "",
        "subtotal": total,
        "subtotal_tax": ZERO,
        "total": total,
        "total_tax": ZERO,
        "taxes": [],
        "meta_data": [dict(m) for m in line.meta],
        "sku": line.sku,
        "price": _number(line.unit_price),
        "image": {"id": "", "src": ""},
        "parent_name": line.parent_name,
    }


def order_json(order: Order, base: str) -> dict[str, Any]:
    """``GET /orders/<id>`` for ``order``; ``base`` is the site URL."""
    total = money(order.total)
    body: dict[str, Any] = {
        "id": order.id,
        "parent_id": 0,
        "status": order.status,
        "currency": "EUR",
        "version": "8.9.1",
        "prices_include_tax": False,
        "date_created": local_text(order.created),
        "date_modified": local_text(order.modified),
        "discount_total": ZERO,
        "discount_tax": ZERO,
        "shipping_total": ZERO,
        "shipping_tax": ZERO,
        "cart_tax": ZERO,
        "total": total,
        "total_tax": ZERO,
        "customer_id": order.customer_id,
        "order_key": order.order_key,
        "billing": dict(order.billing),
        "shipping": {
            k: ""
            for k in (
                "first_name",
                "last_name",
                "company",
                "address_1",
                "address_2",
                "city",
                "state",
                "postcode",
                "country",
                "phone",
            )
        },
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": order.created_via,
        "customer_note": order.customer_note,
        "date_completed": _maybe(order.completed, gmt=False),
        "date_paid": _maybe(order.paid, gmt=False),
        "cart_hash": hashlib.md5(order.order_key.encode()).hexdigest(),
        "number": str(order.id),
        "meta_data": [dict(m) for m in order.meta],
        "line_items": [line_json(line) for line in order.lines],
        "tax_lines": [],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [
            {"id": r.id, "reason": r.reason, "total": "-" + money(r.amount)} for r in order.refunds
        ],
        "payment_url": (
            f"{base}/checkout/order-pay/{order.id}/?pay_for_order=true&key={order.order_key}"
        ),
        "is_editable": order.status in ("pending", "on-hold", "auto-draft", "checkout-draft"),
        "needs_payment": order.status in ("pending", "failed") and order.total > 0,
        "needs_processing": True,
        "date_created_gmt": gmt_text(order.created),
        "date_modified_gmt": gmt_text(order.modified),
        "date_completed_gmt": _maybe(order.completed, gmt=True),
        "date_paid_gmt": _maybe(order.paid, gmt=True),
        "currency_symbol": "€",
        "_links": _links(base, f"orders/{order.id}", "orders"),
    }
    if order.customer_id:
        body["_links"]["customer"] = [
            {"href": f"{base}/wp-json/wc/v3/customers/{order.customer_id}"}
        ]
    return body


def refund_json(refund: Refund, base: str) -> dict[str, Any]:
    """An item of ``GET /orders/<id>/refunds``."""
    lines = []
    for rl in refund.lines:
        item = rl.refunded_item
        lines.append(
            {
                "id": rl.id,
                "name": item.name,
                "product_id": item.product_id,
                "variation_id": item.variation_id,
                "quantity": -rl.quantity,
                "tax_class": "",
                "subtotal": "-" + money(rl.amount),
                "subtotal_tax": ZERO,
                "total": "-" + money(rl.amount),
                "total_tax": ZERO,
                "taxes": [],
                "meta_data": [
                    {
                        "id": rl.meta_id,
                        "key": "_refunded_item_id",
                        "value": str(item.id),
                        "display_key": "_refunded_item_id",
                        "display_value": str(item.id),
                    }
                ],
                "sku": item.sku,
                "price": -_number(rl.amount / rl.quantity) if rl.quantity else 0,
                "image": {"id": "", "src": ""},
                "parent_name": item.parent_name,
            }
        )
    path = f"orders/{refund.order_id}/refunds"
    return {
        "id": refund.id,
        "date_created": local_text(refund.created),
        "date_created_gmt": gmt_text(refund.created),
        "amount": money(refund.amount),
        "reason": refund.reason,
        "refunded_by": refund.refunded_by,
        "refunded_payment": False,
        "meta_data": [],
        "line_items": lines,
        "shipping_lines": [],
        "tax_lines": [],
        "fee_lines": [],
        "_links": _links(base, f"{path}/{refund.id}", path, up=f"orders/{refund.order_id}"),
    }


def customer_json(customer: Customer, base: str) -> dict[str, Any]:
    """``GET /customers/<id>``; meta values come back as the shop stored them."""
    billing = dict(customer.billing)
    shipping_keys = ("first_name", "last_name", "company", "address_1", "address_2", "city")
    avatar = hashlib.md5(customer.email.strip().lower().encode()).hexdigest()
    return {
        "id": customer.id,
        "date_created": local_text(customer.created),
        "date_created_gmt": gmt_text(customer.created),
        "date_modified": local_text(customer.modified),
        "date_modified_gmt": gmt_text(customer.modified),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "role": customer.role,
        "username": customer.username,
        "billing": {
            k: billing.get(k, "")
            for k in (*shipping_keys, "postcode", "country", "state", "email", "phone")
        },
        "shipping": dict.fromkeys((*shipping_keys, "postcode", "country", "state", "phone"), ""),
        "is_paying_customer": customer.is_paying,
        "avatar_url": f"https://secure.gravatar.com/avatar/{avatar}?s=96&d=mm&r=g",
        "meta_data": [dict(m) for m in customer.meta],
        "_links": _links(base, f"customers/{customer.id}", "customers"),
    }


def product_permalink(product: Product, base: str, parent: Product | None = None) -> str:
    """The product's page; a variation's is its parent's with the variation's attribute chosen
    (``?attribute_duree=20+heures``); a product not published has only WordPress' ``?p=``."""
    if parent is not None and product.attribute is not None:
        name, option = product.attribute
        choice = urlencode({f"attribute_{slugify(name)}": option})
        return f"{product_permalink(parent, base)}?{choice}"
    if product.status != "publish":
        return f"{base}/?post_type=product&p={product.id}"
    return f"{base}/produit/{product.slug}/"


def product_json(
    product: Product, base: str, related: list[int], parent: Product | None = None
) -> dict[str, Any]:
    """``GET /products/<id>`` (variations too, with their parent's id and page)."""
    price = money(product.price)
    attributes: list[dict[str, Any]] = []
    if product.attribute is not None:
        attributes = [{"id": 0, "name": product.attribute[0], "option": product.attribute[1]}]
    return {
        "id": product.id,
        "name": product.name,
        "slug": product.slug,
        "permalink": product_permalink(product, base, parent),
        "date_created": local_text(product.created),
        "date_created_gmt": gmt_text(product.created),
        "date_modified": local_text(product.created),
        "date_modified_gmt": gmt_text(product.created),
        "type": product.type,
        "status": product.status,
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": product.sku,
        "price": price,
        "regular_price": price,
        "sale_price": "",
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": False,
        "purchasable": True,
        "total_sales": product.total_sales,
        "virtual": True,
        "downloadable": product.downloadable,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_required": False,
        "shipping_taxable": False,
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "average_rating": "0.00",
        "rating_count": 0,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": product.parent_id,
        "purchase_note": "",
        "categories": [{"id": 15, "name": "Assistance", "slug": "assistance"}],
        "tags": [],
        "images": [],
        "attributes": attributes,
        "default_attributes": [],
        "variations": list(product.variations),
        "grouped_products": [],
        "menu_order": 0,
        "price_html": (
            '<span class="woocommerce-Price-amount amount"><bdi>'
            f"{price.replace('.', ',')}&nbsp;"
            '<span class="woocommerce-Price-currencySymbol">&euro;</span></bdi></span>'
        ),
        "related_ids": related,
        "meta_data": [],
        "stock_status": "instock",
        "has_options": product.type == "variable",
        "post_password": "",
        "_links": _links(base, f"products/{product.id}", "products"),
    }
