"""One WooCommerce order (REST v3 JSON) and its refunds, read and validated: pure, no I/O.

Read against the captured responses of a real shop
(``tests/wp_client/fixtures/woocommerce-8.9.1``):

* an order is **paid** when its status is ``processing`` or ``completed``; it opens at
  ``date_paid_gmt``. WooCommerce leaves that date empty when an order reaches the status it does
  not take for "payment complete": a shop whose packs are virtual *and* downloadable completes
  paid orders at once, and an order an admin moves to ``processing`` by hand (a bank transfer
  received) keeps no payment date. Such an order is still paid: it opens at
  ``date_completed_gmt`` if set, else at ``date_modified_gmt`` as first read
  (``date_paid_estimated``; the sync then keeps the date the ledger first stored, so that a later
  edit does not move the credit);
* ``cancelled``, ``refunded``, ``failed`` and ``trash`` are void statuses; any other status that
  is not paid (pending, on-hold, custom ones) is simply not paid;
* refund lines carry a negative ``quantity`` and the meta ``_refunded_item_id`` (the original
  line id); a refund that takes back no quantity (empty ``line_items``, or lines of quantity 0
  as the real shop returns for an amount typed against a line) is **amount-only**.

Anything that does not read as such an order raises ``MalformedOrder`` with one clear reason;
the sync quarantines it and goes on with the rest of the page. What the order opens is
``sync.order_lots``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard

from config import Catalog, Pack

PAID_STATUSES = frozenset({"processing", "completed"})
VOID_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
REFUNDED_ITEM_KEY = "_refunded_item_id"


class MalformedOrder(ValueError):
    """An order payload the sync cannot take. ``reason`` is one line for the quarantine."""

    def __init__(self, order_id: int | None, reason: str) -> None:
        self.order_id = order_id
        self.reason = reason
        where = f"order {order_id}" if order_id is not None else "order without a usable id"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class OrderLine:
    """One line item: ``pack`` is None when its SKU is not a pack of the catalog."""

    id: int
    sku: str | None
    quantity: int
    pack: Pack | None


@dataclass(frozen=True)
class ShopOrder:
    """The part of an order the ledger cares about, validated. Timestamps are aware UTC."""

    id: int
    status: str
    customer_id: int  # 0: a guest order
    billing_email: str | None
    billing_name: str | None
    date_paid: datetime | None
    date_modified: datetime
    lines: tuple[OrderLine, ...]
    refunds: tuple[tuple[int, str], ...]  # (refund id, total) as listed on the order
    date_paid_estimated: bool = False  # paid, but the shop gave no payment date (see above)

    @property
    def paid(self) -> bool:
        return self.status in PAID_STATUSES and self.date_paid is not None

    @property
    def guest(self) -> bool:
        return self.customer_id == 0

    @property
    def refund_ids(self) -> frozenset[int]:
        return frozenset(refund_id for refund_id, _ in self.refunds)

    @property
    def pack_lines(self) -> tuple[OrderLine, ...]:
        return tuple(line for line in self.lines if line.pack is not None)

    @property
    def skipped_lines(self) -> int:
        """Lines whose SKU is not a pack: they open nothing (counted by the sync)."""
        return sum(1 for line in self.lines if line.pack is None)

    def void_reason(self) -> str | None:
        """Why this order's lots must not count, or None when it is paid."""
        if self.paid:
            return None
        if self.status in VOID_STATUSES:
            return f"order {self.id} is {self.status}"
        return f"order {self.id} is {self.status} (not paid)"


@dataclass(frozen=True)
class RefundSummary:
    """What the refunds of one order take back: packs per line, and amount-only refund ids."""

    refunded: Mapping[int, int] = field(default_factory=dict)  # line id → packs refunded
    amount_only: tuple[int, ...] = ()


def parse_order(raw: object, catalog: Catalog) -> ShopOrder:
    """Validate one order payload. Raises MalformedOrder with the first problem found."""
    if not isinstance(raw, Mapping):
        raise MalformedOrder(None, f"expected a JSON object, got {type(raw).__name__}")
    order_id = raw.get("id")
    if not _is_int(order_id) or order_id <= 0:
        raise MalformedOrder(None, f"'id' must be a positive integer, got {order_id!r}")
    status = raw.get("status")
    if not isinstance(status, str) or not status:
        raise MalformedOrder(order_id, f"'status' must be a non-empty string, got {status!r}")
    customer_id = raw.get("customer_id")
    if not _is_int(customer_id) or customer_id < 0:
        raise MalformedOrder(order_id, f"'customer_id' must be an integer ≥ 0, got {customer_id!r}")
    date_modified = _utc(order_id, raw, "date_modified_gmt", required=True)
    assert date_modified is not None
    date_paid = _utc(order_id, raw, "date_paid_gmt", required=False)
    estimated = status in PAID_STATUSES and date_paid is None
    if estimated:
        completed = _utc(order_id, raw, "date_completed_gmt", required=False)
        date_paid = completed or date_modified
    email, name = _billing(order_id, raw.get("billing"))
    return ShopOrder(
        id=order_id,
        status=status,
        customer_id=customer_id,
        billing_email=email,
        billing_name=name,
        date_paid=date_paid,
        date_modified=date_modified,
        lines=_lines(order_id, raw.get("line_items"), catalog),
        refunds=_refund_refs(order_id, raw.get("refunds", [])),
        date_paid_estimated=estimated,
    )


def parse_refunds(order: ShopOrder, raw: object) -> RefundSummary:
    """Read ``GET /orders/<id>/refunds``: packs refunded per line and amount-only refunds.

    Raises MalformedOrder when a refund cannot be read (the order is then quarantined whole:
    a half-read refund would open time that was paid back).
    """
    if not isinstance(raw, list):
        raise MalformedOrder(order.id, "refunds: expected a JSON list")
    line_ids = {line.id for line in order.lines}
    refunded: dict[int, int] = {}
    amount_only: list[int] = []
    for refund in raw:
        if not isinstance(refund, Mapping) or not _is_int(refund.get("id")):
            raise MalformedOrder(order.id, "refunds: a refund without an integer 'id'")
        refund_id: int = refund["id"]
        items = refund.get("line_items", [])
        if not isinstance(items, list):
            raise MalformedOrder(order.id, f"refund {refund_id}: 'line_items' is not a list")
        took_back = False
        for item in items:
            line_id, packs = _refund_line(order.id, refund_id, item)
            if packs == 0:
                continue
            took_back = True
            if line_id in line_ids:
                refunded[line_id] = refunded.get(line_id, 0) + packs
        if not took_back:
            amount_only.append(refund_id)
    return RefundSummary(refunded=refunded, amount_only=tuple(sorted(amount_only)))


# --- helpers -------------------------------------------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _utc(order_id: int, raw: Mapping[str, Any], key: str, *, required: bool) -> datetime | None:
    """A ``*_gmt`` field as aware UTC. The shop sends naive UTC; an offset is honoured too."""
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise MalformedOrder(order_id, f"'{key}' is missing")
        return None
    if not isinstance(value, str):
        raise MalformedOrder(order_id, f"'{key}' must be a date string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedOrder(order_id, f"'{key}' is not a date: {value!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _billing(order_id: int, billing: object) -> tuple[str | None, str | None]:
    if billing is None:
        return None, None
    if not isinstance(billing, Mapping):
        raise MalformedOrder(order_id, "'billing' must be an object")
    email = billing.get("email")
    email = email.strip().lower() if isinstance(email, str) and email.strip() else None
    parts = [billing.get("first_name"), billing.get("last_name")]
    name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip()) or None
    return email, name


def _lines(order_id: int, items: object, catalog: Catalog) -> tuple[OrderLine, ...]:
    if not isinstance(items, list):
        raise MalformedOrder(order_id, "'line_items' must be a list")
    lines: list[OrderLine] = []
    seen: set[int] = set()
    for item in items:
        if not isinstance(item, Mapping):
            raise MalformedOrder(order_id, "a line item is not an object")
        line_id = item.get("id")
        if not _is_int(line_id) or line_id <= 0:
            raise MalformedOrder(order_id, f"a line item has no integer 'id' ({line_id!r})")
        if line_id in seen:
            raise MalformedOrder(order_id, f"line {line_id} is listed twice")
        seen.add(line_id)
        quantity = item.get("quantity")
        if not _is_int(quantity):
            raise MalformedOrder(
                order_id, f"line {line_id}: quantity {quantity!r} is not a whole number"
            )
        if quantity < 0:
            raise MalformedOrder(order_id, f"line {line_id}: negative quantity {quantity}")
        sku = item.get("sku")
        if sku is not None and not isinstance(sku, str):
            raise MalformedOrder(order_id, f"line {line_id}: 'sku' must be a string or null")
        lines.append(OrderLine(line_id, sku or None, quantity, catalog.pack(sku)))
    return tuple(lines)


def _refund_refs(order_id: int, refunds: object) -> tuple[tuple[int, str], ...]:
    if refunds is None:
        return ()
    if not isinstance(refunds, list):
        raise MalformedOrder(order_id, "'refunds' must be a list")
    refs: list[tuple[int, str]] = []
    for ref in refunds:
        if not isinstance(ref, Mapping) or not _is_int(ref.get("id")):
            raise MalformedOrder(order_id, "'refunds' holds an entry without an integer 'id'")
        refs.append((ref["id"], str(ref.get("total", ""))))
    return tuple(refs)


def _refund_line(order_id: int, refund_id: int, item: object) -> tuple[int | None, int]:
    """(original line id, packs taken back ≥ 0) of one refund line item."""
    if not isinstance(item, Mapping):
        raise MalformedOrder(order_id, f"refund {refund_id}: a line item is not an object")
    quantity = item.get("quantity", 0)
    if not _is_int(quantity):
        raise MalformedOrder(order_id, f"refund {refund_id}: quantity {quantity!r} is not whole")
    if quantity > 0:
        raise MalformedOrder(order_id, f"refund {refund_id}: positive quantity {quantity}")
    if quantity == 0:
        return None, 0
    original = _meta(item.get("meta_data"), REFUNDED_ITEM_KEY)
    try:
        line_id = int(str(original))
    except ValueError:
        message = f"refund {refund_id}: a refunded line has no usable {REFUNDED_ITEM_KEY}"
        raise MalformedOrder(order_id, message) from None
    return line_id, -quantity


def _meta(meta: object, key: str) -> object:
    if isinstance(meta, Iterable) and not isinstance(meta, (str, bytes, Mapping)):
        for entry in meta:
            if isinstance(entry, Mapping) and entry.get("key") == key:
                return entry.get("value")
    return None
