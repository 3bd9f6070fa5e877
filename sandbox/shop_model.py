"""The shop's records as the sandbox keeps them (mutable, internal; JSON is built from them).

Ids follow WordPress: orders and refunds share one sequence (a refund id is never an order id),
line items (orders' and refunds') share another, users and products have their own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")

# What ``status`` accepts on GET /orders (the captured enum, in its order).
ORDER_STATUSES = (
    "any",
    "trash",
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
PAID_STATUSES = frozenset({"processing", "completed"})


def money(value: Decimal) -> str:
    """``"180.00"``: WooCommerce money with two decimals."""
    return str(value.quantize(CENT))


@dataclass
class Customer:
    """A WordPress user (customers, and the agency's own users with other roles)."""

    id: int
    email: str
    first_name: str
    last_name: str
    username: str
    role: str
    created: datetime
    modified: datetime
    billing: dict[str, str]
    meta: list[dict[str, Any]] = field(default_factory=list)
    is_paying: bool = False


@dataclass
class Product:
    """A simple product, a variable product, or one of its variations."""

    id: int
    name: str
    slug: str
    sku: str
    price: Decimal
    type: str  # simple | variable | variation
    created: datetime
    parent_id: int = 0
    attribute: tuple[str, str] | None = None  # (attribute name, option) of a variation
    variations: list[int] = field(default_factory=list)
    total_sales: int = 0
    status: str = "publish"  # draft, pending, private: not on sale, no public page
    downloadable: bool = False  # every product is virtual; downloadable ones need no processing


@dataclass
class LineItem:
    id: int
    product_id: int
    variation_id: int
    name: str
    sku: str
    quantity: int
    unit_price: Decimal
    meta: list[dict[str, Any]] = field(default_factory=list)
    parent_name: str | None = None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class RefundLine:
    """A refunded line: ``quantity`` packs (0 for an amount on a line) worth ``amount``."""

    id: int
    refunded_item: LineItem
    quantity: int
    amount: Decimal
    meta_id: int


@dataclass
class Refund:
    id: int
    order_id: int
    created: datetime
    amount: Decimal
    reason: str
    lines: list[RefundLine] = field(default_factory=list)
    refunded_by: int = 1


@dataclass
class Order:
    id: int
    status: str
    customer_id: int
    billing: dict[str, str]
    created: datetime
    modified: datetime
    order_key: str
    lines: list[LineItem] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    paid: datetime | None = None
    completed: datetime | None = None
    payment_method: str = "bacs"
    payment_method_title: str = "Virement bancaire"
    transaction_id: str = ""
    customer_note: str = ""
    created_via: str = "checkout"
    meta: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0"))

    @property
    def refunded_total(self) -> Decimal:
        return sum((refund.amount for refund in self.refunds), Decimal("0"))


@dataclass(frozen=True)
class ApiKey:
    """A WooCommerce REST key; ``permissions`` is read, write or read_write."""

    consumer_key: str
    consumer_secret: str
    permissions: str = "read_write"
    user_id: int = 1


def slugify(text: str) -> str:
    """``Pack Assistance 3h`` → ``pack-assistance-3h`` (accents dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())
