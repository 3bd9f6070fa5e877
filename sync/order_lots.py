"""From one validated WooCommerce order to the lots it opens: pure, no I/O, no clock.

docs/design.md §2.2–2.3 (the order itself is read by ``sync.order_parse``):

* only a **paid** order opens lots; a void or unpaid one plans none, and the caller voids what
  it held;
* each line whose SKU is a catalog pack is one lot ``order-{order}-line-{line}`` of
  ``quantity`` packs, opened at ``date_paid_gmt`` and expiring after the pack's validity in
  calendar months of the shop's wall clock; other lines are skipped and counted;
* refunded packs reduce their line's lot; an amount-only refund changes no lot (the sync flags
  it for an admin).

``fingerprint`` says, without a request, whether an order changed since the ledger stored it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from config import Pack
from ledger.calendar import lot_expiry
from ledger.domain import ClientId, Lot, LotId, LotSource
from ledger.records import order_lot_id
from sync.order_parse import (
    PAID_STATUSES,
    REFUNDED_ITEM_KEY,
    VOID_STATUSES,
    MalformedOrder,
    OrderLine,
    RefundSummary,
    ShopOrder,
    parse_order,
    parse_refunds,
)

__all__ = [
    "PAID_STATUSES",
    "REFUNDED_ITEM_KEY",
    "VOID_STATUSES",
    "LotPlan",
    "MalformedOrder",
    "OrderFingerprint",
    "OrderLine",
    "RefundSummary",
    "ShopOrder",
    "fingerprint",
    "parse_order",
    "parse_refunds",
    "plan_lots",
]


@dataclass(frozen=True)
class OrderFingerprint:
    """What the ledger stores to know, without a request, whether an order changed.

    ``content`` hashes everything that shapes the lots (status, customer, payment date, lines,
    the packs they name, the zone used for expiry); ``refunds`` hashes the refund ids, so that
    the refund details are fetched only when a refund appeared or vanished. Encoded as one
    64-character string (the width of ``orders.content_hash``).
    """

    content: str
    refunds: str

    def encode(self) -> str:
        return self.content + self.refunds

    @classmethod
    def decode(cls, text: str | None) -> OrderFingerprint | None:
        if text is None or len(text) != 64:
            return None
        return cls(text[:32], text[32:])


@dataclass(frozen=True)
class LotPlan:
    """The lots one paid order should hold, before a client is known."""

    order_id: int
    specs: tuple[Lot, ...]  # client_id 0 until ``for_client``

    def for_client(self, client_id: int) -> tuple[Lot, ...]:
        return tuple(replace(lot, client_id=ClientId(client_id)) for lot in self.specs)


def plan_lots(order: ShopOrder, tz: ZoneInfo, refunded: Mapping[int, int] | None = None) -> LotPlan:
    """The lots of a paid order: one per pack line, refunded packs deducted per line.

    An unpaid order plans nothing (its existing lots are voided by the caller). ``refunded``
    maps a line id to the number of packs refunded on it.
    """
    if not order.paid:
        return LotPlan(order.id, ())
    assert order.date_paid is not None
    refunded = refunded or {}
    specs = []
    for line in order.pack_lines:
        assert line.pack is not None
        specs.append(
            Lot(
                id=LotId(order_lot_id(order.id, line.id)),
                client_id=ClientId(0),
                opened_at=order.date_paid,
                expires_at=lot_expiry(order.date_paid, line.pack, tz),
                quantity=line.quantity,
                pack_minutes=line.pack.minutes,
                hourly_rate=line.pack.hourly_rate,
                sku=line.pack.sku,
                source=LotSource.ORDER_LINE,
                order_id=order.id,
                order_line_id=line.id,
                refunded_quantity=refunded.get(line.id, 0),
            )
        )
    return LotPlan(order.id, tuple(specs))


def fingerprint(order: ShopOrder, tz: ZoneInfo) -> OrderFingerprint:
    """The fingerprint of ``order`` as it would open lots in zone ``tz`` (see OrderFingerprint)."""
    content = {
        "status": order.status,
        "customer": order.customer_id,
        "email": order.billing_email,
        "paid": order.date_paid.isoformat() if order.date_paid else None,
        "lines": [
            [line.id, line.sku, line.quantity, _pack_terms(line.pack)] for line in order.lines
        ],
        "refunds": sorted([list(refund) for refund in order.refunds]),
        "tz": tz.key,
    }
    return OrderFingerprint(_digest(content), _digest(sorted(order.refund_ids)))


# --- helpers -------------------------------------------------------------------------------


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _pack_terms(pack: Pack | None) -> list[Any] | None:
    if pack is None:
        return None
    return [pack.sku, pack.minutes, str(pack.hourly_rate), pack.validity_months]
