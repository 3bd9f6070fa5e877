"""The sandbox shop's state and the mutators tests use to change it.

Every mutator takes the state lock, bumps the order's ``version`` (so its cached JSON is rebuilt)
and, like WooCommerce, moves ``date_modified`` to the time of the change — unless called with
``touch=False``, which simulates the saves that did not bump it (woocommerce#28969, #34798).
``at`` says when the change happened (default: ``clock()``, the real UTC time).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.dates import as_utc, utc_now
from sandbox.shop_json import order_json
from sandbox.shop_model import (
    PAID_STATUSES,
    ApiKey,
    Customer,
    LineItem,
    Order,
    Product,
    Refund,
    RefundLine,
    slugify,
)

Clock = Callable[[], datetime]
FIRST_ORDER_ID = 100


class ShopState:
    """Customers, products, orders and refunds of the sandbox shop; thread-safe."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.base_url = "http://127.0.0.1"
        self.customers: dict[int, Customer] = {}
        self.products: dict[int, Product] = {}
        self.orders: dict[int, Order] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self._next_user = 1
        self._next_product = 10
        self._next_post = FIRST_ORDER_ID
        self._next_item = 1
        self._next_meta = 100
        self._json_cache: dict[int, tuple[int, bytes]] = {}

    # ---- reads -------------------------------------------------------------------------------
    def order(self, order_id: int) -> Order:
        """The order ``order_id`` (KeyError when there is none)."""
        with self.lock:
            return self.orders[order_id]

    def order_bytes(self, order: Order) -> bytes:
        """The order's JSON, cached per version (pages of 100 orders stay cheap)."""
        cached = self._json_cache.get(order.id)
        if cached is not None and cached[0] == order.version:
            return cached[1]
        data = json.dumps(order_json(order, self.base_url), separators=(",", ":")).encode()
        self._json_cache[order.id] = (order.version, data)
        return data

    def order_json(self, order_id: int) -> dict[str, Any]:
        """What ``GET /orders/<id>`` answers for ``order_id``, as a dict."""
        with self.lock:
            loaded: dict[str, Any] = json.loads(self.order_bytes(self.orders[order_id]))
            return loaded

    def product_by_sku(self, sku: str) -> Product:
        with self.lock:
            for product in self.products.values():
                if product.sku == sku:
                    return product
        raise KeyError(f"no product with SKU {sku!r}")

    def customer_by_email(self, email: str) -> Customer | None:
        wanted = email.strip().lower()
        with self.lock:
            for customer in self.customers.values():
                if customer.email.lower() == wanted:
                    return customer
        return None

    def customer_ids(self, role: str | None = "customer") -> list[int]:
        with self.lock:
            return [c.id for c in self.customers.values() if role is None or c.role == role]

    # ---- set-up ------------------------------------------------------------------------------
    def add_api_key(self, permissions: str = "read_write", user_id: int = 1) -> ApiKey:
        key = ApiKey(
            "ck_" + secrets.token_hex(20), "cs_" + secrets.token_hex(20), permissions, user_id
        )
        self.api_keys[key.consumer_key] = key
        return key

    def add_customer(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        *,
        role: str = "customer",
        username: str | None = None,
        billing: Mapping[str, str] | None = None,
        at: datetime | None = None,
    ) -> Customer:
        """Register a WordPress user (a client unless ``role`` says otherwise)."""
        with self.lock:
            when = as_utc(at) if at else self.clock()
            user_id = self._next_user
            self._next_user += 1
            customer = Customer(
                id=user_id,
                email=email,
                first_name=first_name,
                last_name=last_name,
                username=username or email.split("@")[0],
                role=role,
                created=when,
                modified=when,
                billing=dict(billing) if billing is not None else empty_address(email=email),
            )
            self.customers[user_id] = customer
            return customer

    def add_product(
        self,
        name: str,
        sku: str,
        price: Decimal | str,
        *,
        type: str = "simple",
        parent_id: int = 0,
        attribute: tuple[str, str] | None = None,
        downloadable: bool = False,
        at: datetime | None = None,
    ) -> Product:
        with self.lock:
            product = Product(
                id=self._next_product,
                name=name,
                slug=slugify(name),
                sku=sku,
                price=Decimal(price),
                type=type,
                created=as_utc(at) if at else self.clock(),
                parent_id=parent_id,
                attribute=attribute,
                downloadable=downloadable,
            )
            self._next_product += 1
            self.products[product.id] = product
            if parent_id:
                self.products[parent_id].variations.append(product.id)
            return product

    # ---- orders ------------------------------------------------------------------------------
    def add_order(
        self,
        customer_id: int,
        lines: Sequence[tuple[str, int]],
        *,
        status: str = "processing",
        paid_at: datetime | None = None,
        billing_email: str | None = None,
        created_at: datetime | None = None,
        modified_at: datetime | None = None,
        order_key: str | None = None,
    ) -> Order:
        """Create an order of ``lines`` ((sku, quantity), ...) for a customer (0 = guest).

        A paid status (processing, completed) gets ``date_paid`` = ``paid_at`` or the creation
        time; other statuses keep ``paid_at`` as given (None: never paid).
        """
        with self.lock:
            created = as_utc(created_at) if created_at else self.clock()
            customer = self.customers.get(customer_id)
            if customer_id and customer is None:
                raise KeyError(f"no customer {customer_id}")
            billing = dict(customer.billing) if customer else empty_address()
            if customer and not billing.get("first_name"):
                billing.update(first_name=customer.first_name, last_name=customer.last_name)
            if billing_email is not None:
                billing["email"] = billing_email
            elif customer is not None:
                billing["email"] = customer.email
            paid = as_utc(paid_at) if paid_at else None
            items = [self._line(sku, qty) for sku, qty in lines]
            if paid is None and self._marks_payment(items, status):
                paid = created
            order = Order(
                id=self._take_post_id(),
                status=status,
                customer_id=customer_id,
                billing=billing,
                created=created,
                modified=as_utc(modified_at) if modified_at else created,
                order_key=order_key or "wc_order_" + secrets.token_urlsafe(10)[:13],
                paid=paid,
                completed=(paid or created) if status == "completed" else None,
                lines=items,
            )
            if customer is not None and paid is not None:
                customer.is_paying = True
            self.orders[order.id] = order
            return order

    def set_status(
        self, order_id: int, status: str, *, touch: bool = True, at: datetime | None = None
    ) -> Order:
        """Move an order to ``status`` like the admin screen does.

        Becoming paid sets ``date_paid`` if unset, like WooCommerce: only on reaching the status
        it takes for "payment complete" (see ``_marks_payment``); ``completed`` sets
        ``date_completed``;
        ``refunded`` by hand adds an amount-only refund of what is left ("Order fully refunded.").
        """
        with self.lock:
            order = self.orders[order_id]
            when = as_utc(at) if at else self.clock()
            if order.paid is None and self._marks_payment(order.lines, status):
                order.paid = when
            if status == "completed" and order.completed is None:
                order.completed = when
            if status == "refunded" and order.refunded_total < order.total:
                order.refunds.insert(
                    0,
                    Refund(
                        self._take_post_id(),
                        order_id,
                        when,
                        order.total - order.refunded_total,
                        "Order fully refunded.",
                    ),
                )
            order.status = status
            self._changed(order, touch, when)
            return order

    def refund(
        self,
        order_id: int,
        lines: Mapping[int, int] | None = None,
        *,
        amount: Decimal | str | None = None,
        reason: str = "",
        touch: bool = True,
        at: datetime | None = None,
    ) -> Refund:
        """Refund ``lines`` ({line item id: quantity}) and/or an ``amount`` (amount only).

        The amount defaults to the refunded quantities' price. When everything is refunded the
        order becomes ``refunded``; a partial refund keeps the status (like WooCommerce).
        """
        with self.lock:
            order = self.orders[order_id]
            when = as_utc(at) if at else self.clock()
            by_id = {line.id: line for line in order.lines}
            refund_lines = []
            for line_id, qty in (lines or {}).items():
                item = by_id[line_id]
                refund_lines.append(
                    RefundLine(self._take_item_id(), item, qty, item.unit_price * qty, self._meta())
                )
            total = (
                Decimal(amount)
                if amount is not None
                else sum((r.amount for r in refund_lines), Decimal("0"))
            )
            refund = Refund(self._take_post_id(), order_id, when, total, reason, refund_lines)
            order.refunds.insert(0, refund)
            if order.refunded_total >= order.total:
                order.status = "refunded"
            self._changed(order, touch, when)
            return refund

    def trash(self, order_id: int, *, touch: bool = True, at: datetime | None = None) -> Order:
        """Move an order to the trash (hidden from lists unless ``status=trash``)."""
        return self.set_status(order_id, "trash", touch=touch, at=at)

    def delete(self, order_id: int) -> None:
        """Delete an order for good (and its refunds): it just disappears."""
        with self.lock:
            del self.orders[order_id]
            self._json_cache.pop(order_id, None)

    def delete_customer(self, customer_id: int, *, at: datetime | None = None) -> None:
        """Delete a user's account. Like WooCommerce (``wc_reset_order_customer_id_on_deleted_
        user``), their orders become guest orders (``customer_id`` 0, the billing e-mail kept)
        modified at ``at``."""
        with self.lock:
            del self.customers[customer_id]
            when = as_utc(at) if at else self.clock()
            for order in self.orders.values():
                if order.customer_id == customer_id:
                    order.customer_id = 0
                    self._changed(order, True, when)

    def delete_refund(self, order_id: int, refund_id: int) -> None:
        """Delete a refund, as the order screen's trash icon does. Like WooCommerce, the order's
        ``date_modified`` stays where it was: only a full read of the orders sees it."""
        with self.lock:
            order = self.orders[order_id]
            order.refunds = [r for r in order.refunds if r.id != refund_id]
            order.version += 1

    def edit_order(
        self,
        order_id: int,
        *,
        touch: bool = True,
        at: datetime | None = None,
        customer_id: int | None = None,
        billing_email: str | None = None,
        quantities: Mapping[int, int] | None = None,
        customer_note: str | None = None,
        meta: Iterable[tuple[str, Any]] = (),
    ) -> Order:
        """Change fields of an order; ``touch=False`` leaves ``date_modified`` where it was."""
        with self.lock:
            order = self.orders[order_id]
            if customer_id is not None:
                order.customer_id = customer_id
            if billing_email is not None:
                order.billing["email"] = billing_email
            for line in order.lines:
                if quantities and line.id in quantities:
                    line.quantity = quantities[line.id]
            if customer_note is not None:
                order.customer_note = customer_note
            for key, value in meta:
                order.meta.append({"id": self._meta(), "key": key, "value": value})
            self._changed(order, touch, as_utc(at) if at else self.clock())
            return order

    def set_dates(
        self,
        item_id: int,
        *,
        created: datetime | None = None,
        modified: datetime | None = None,
        paid: datetime | None = None,
    ) -> None:
        """Give an order (or a refund, by its id) exact dates, earlier ones too — what a test
        does to a real shop through the database. None leaves a date as it is."""
        with self.lock:
            order = self.orders.get(item_id)
            if order is None:
                refund = next(r for o in self.orders.values() for r in o.refunds if r.id == item_id)
                refund.created = as_utc(created) if created else refund.created
                self.orders[refund.order_id].version += 1
                return
            order.created = as_utc(created) if created else order.created
            order.modified = as_utc(modified) if modified else order.modified
            order.paid = as_utc(paid) if paid else order.paid
            order.version += 1

    def touch(self, order_id: int, *, at: datetime | None = None) -> Order:
        """A save that changes nothing but ``date_modified`` (a note, a plugin's meta...)."""
        return self.edit_order(order_id, at=at)

    # ---- internals ---------------------------------------------------------------------------
    def _marks_payment(self, lines: Sequence[LineItem], status: str) -> bool:
        """Whether reaching ``status`` stamps ``date_paid`` (``WC_Order::maybe_set_date_paid``).

        Payment complete is ``processing``, or ``completed`` when every product is virtual and
        downloadable (nothing to process). Reaching it, or ``completed`` past ``processing``,
        stamps the date; an order of downloadable packs moved to ``processing`` by hand keeps
        none — what the real shop does.
        """
        if status not in PAID_STATUSES:
            return False
        processing = any(not self.products[line.product_id].downloadable for line in lines)
        return status == "completed" or processing

    def _changed(self, order: Order, touch: bool, when: datetime) -> None:
        order.version += 1
        if touch:
            order.modified = max(when, order.modified)

    def _line(self, sku: str, quantity: int) -> LineItem:
        product = self.product_by_sku(sku)
        parent = self.products.get(product.parent_id) if product.parent_id else None
        meta: list[dict[str, Any]] = []
        name = product.name
        if parent is not None and product.attribute is not None:
            label, option = product.attribute
            name = f"{parent.name} - {option}"
            meta.append(
                {
                    "id": self._meta(),
                    "key": slugify(label),
                    "value": option,
                    "display_key": label,
                    "display_value": option,
                }
            )
        return LineItem(
            id=self._take_item_id(),
            product_id=parent.id if parent else product.id,
            variation_id=product.id if parent else 0,
            name=name,
            sku=product.sku,
            quantity=quantity,
            unit_price=product.price,
            meta=meta,
            parent_name=parent.name if parent else None,
        )

    def _take_post_id(self) -> int:
        self._next_post += 1
        return self._next_post - 1

    def _take_item_id(self) -> int:
        self._next_item += 1
        return self._next_item - 1

    def _meta(self) -> int:
        self._next_meta += 1
        return self._next_meta - 1


def empty_address(**values: str) -> dict[str, str]:
    """A WooCommerce billing address with every key, empty unless given."""
    keys = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state")
    address = dict.fromkeys(keys, "")
    address.update(postcode="", country="", email="", phone="")
    address.update(values)
    return address
