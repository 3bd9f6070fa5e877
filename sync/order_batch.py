"""One batch of orders (a page, or orders fetched one by one), prepared then applied.

Two steps, so that no HTTP request runs while the ledger's write lock is held:

1. ``prepare_batch`` (a read session and the shop): validate every order, compare its
   fingerprint with what the ledger stored, fetch refund details only for paid orders whose
   refund ids differ from those their stored lots reflect, and match guest orders to a client
   by billing e-mail (a known ledger client first, then the shop's customers, ``role=all``);
2. ``apply_batch`` (one write transaction): quarantine the malformed, upsert orders and their
   lots idempotently (lot id ``order-{order}-line-{line}``), void or restore lots on status
   changes, raise admin flags for amount-only refunds, then recompute every touched client.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config import Catalog
from ledger.domain import ClientId, Lot, Policy
from ledger.records import Change, OrderRecord, OrderRow
from ledger.store import LedgerStore
from sync.order_lots import (
    MalformedOrder,
    OrderFingerprint,
    RefundSummary,
    ShopOrder,
    fingerprint,
    parse_order,
    parse_refunds,
    plan_lots,
)
from wp_client.errors import AuthenticationError

log = logging.getLogger("sync.orders")
QUARANTINE_SOURCE = "orders"
AMOUNT_ONLY_FLAG = "amount_only_refund"
DELETED = "deleted"  # the status the ledger gives an order the shop no longer knows
UNKNOWN = "-" * 32  # refunds part of a fingerprint: never read (the order was never paid)


@dataclass
class Tally:
    """Counters of one run, summed over its batches."""

    orders_read: int = 0
    lots_opened: int = 0
    lots_changed: int = 0
    lots_voided: int = 0
    skipped: int = 0
    quarantined: int = 0
    unassigned: int = 0
    flagged: int = 0
    vanished: int = 0


@dataclass(frozen=True)
class Customer:
    """The client an order belongs to, and what to create its ledger row with."""

    id: int
    email: str | None = None
    name: str | None = None


@dataclass
class Prepared:
    """One order of a batch after step 1."""

    raw: object
    order: ShopOrder | None = None
    problem: MalformedOrder | None = None
    stored: OrderRow | None = None
    stored_lots: list[Lot] = field(default_factory=list)
    unchanged: bool = False
    refunds: RefundSummary | None = None  # None: reuse what the stored lots say
    customer: Customer | None = None  # None: a guest nobody matched (held unassigned)
    fingerprint: str = ""  # what to store: content + the refunds the lots now reflect


@dataclass
class Batch:
    items: list[Prepared]
    vanished: list[int] = field(default_factory=list)  # ids the shop answers 404 for


class Shop:
    """What a batch needs from the shop (``WooClient`` fits); kept narrow for the tests."""

    def __init__(
        self,
        order_refunds: Callable[[int], list[dict[str, Any]]],
        customers_by_email: Callable[[str], list[dict[str, Any]]],
    ) -> None:
        self.order_refunds = order_refunds
        self.customers_by_email = customers_by_email
        self._customers: dict[str, Customer | None] = {}

    def customer_for(self, email: str) -> Customer | None:
        """The one shop customer with this e-mail (any role); None if none or several."""
        if email not in self._customers:
            try:
                answer = self.customers_by_email(email)
            except AuthenticationError as exc:
                # a key that may read orders but not customers: hold the order (doctor says so)
                log.warning("cannot look guest orders up among customers: %s", exc)
                answer = []
            found = [c for c in answer if isinstance(c.get("id"), int)]
            match = None
            if len(found) == 1 and found[0]["id"] > 0:
                one = found[0]
                name = " ".join(
                    str(one.get(k) or "").strip() for k in ("first_name", "last_name")
                ).strip()
                mail = one.get("email")
                address = mail.strip().lower() if isinstance(mail, str) else email
                match = Customer(one["id"], address, name or None)
            self._customers[email] = match
        return self._customers[email]


def prepare_batch(
    raws: Sequence[object],
    store: LedgerStore,
    shop: Shop,
    *,
    catalog: Catalog,
    tz: ZoneInfo,
    quarantined: set[str],
    lookup_guests: bool,
) -> Batch:
    """Step 1 (reads only, then the shop).

    A guest order is matched against the ledger's clients first; the shop's customers are
    asked (one request per e-mail and run) when the order is new or changed, or when
    ``lookup_guests`` (the full reconciliation) says to retry held orders.
    """
    items: list[Prepared] = []
    for raw in raws:
        item = Prepared(raw)
        items.append(item)
        try:
            item.order = parse_order(raw, catalog)
        except MalformedOrder as problem:
            item.problem = problem
            continue
        order = item.order
        item.stored = store.get_order(order.id)
        fp = fingerprint(order, tz)
        stored_fp = OrderFingerprint.decode(item.stored.content_hash if item.stored else None)
        # Refund details only matter to a paid order; an unpaid one keeps the refund state its
        # lots reflect, so they are fetched if it is ever paid again (none: nothing to reflect).
        refunds_seen = fp.refunds
        if order.refunds and not order.paid:
            refunds_seen = stored_fp.refunds if stored_fp is not None else UNKNOWN
        item.fingerprint = OrderFingerprint(fp.content, refunds_seen).encode()
        same = (
            item.stored is not None
            and item.stored.content_hash == item.fingerprint
            and str(order.id) not in quarantined
        )
        if same and item.stored is not None and item.stored.client_id is not None:
            item.unchanged = True
            continue
        item.customer = _customer(order, item.stored, store)
        if (
            item.customer is None
            and order.guest
            and order.billing_email
            and (lookup_guests or not same)
        ):
            item.customer = shop.customer_for(order.billing_email)
        if same and item.customer is None:
            item.unchanged = True  # a guest order still held: nothing new to write
            continue
        # a lot is stored only after its order: a new order has none
        item.stored_lots = store.lots_of_order(order.id) if item.stored is not None else []
        if not order.refunds:
            item.refunds = RefundSummary()
        elif order.paid and _refunds_needed(order, stored_fp, fp, item.stored_lots):
            try:
                item.refunds = parse_refunds(order, shop.order_refunds(order.id))
            except MalformedOrder as problem:
                item.problem = problem
    return Batch(items)


def _refunds_needed(
    order: ShopOrder, stored: OrderFingerprint | None, fp: OrderFingerprint, lots: list[Lot]
) -> bool:
    """Fetch the refund details of a paid order unless the stored lots already reflect these
    very refund ids (the fingerprint stored with them says so) for every pack line."""
    if stored is None or stored.refunds != fp.refunds:
        return True
    lines = {lot.order_line_id for lot in lots}
    return any(line.id not in lines for line in order.pack_lines)


def _ledger_match(store: LedgerStore, order: ShopOrder) -> Customer | None:
    if not order.billing_email:
        return None
    client = store.find_client(order.billing_email)
    return None if client is None else Customer(client.id)


def _customer(order: ShopOrder, stored: OrderRow | None, store: LedgerStore) -> Customer | None:
    if not order.guest:
        return Customer(order.customer_id, order.billing_email, order.billing_name)
    if stored is not None and stored.client_id is not None:
        return Customer(stored.client_id)  # a guest order once matched stays with its client
    return _ledger_match(store, order)


def apply_batch(
    batch: Batch,
    store: LedgerStore,
    tally: Tally,
    *,
    tz: ZoneInfo,
    policy: Policy,
    now: datetime,
    quarantined: set[str],
) -> None:
    """Step 2, inside the caller's write transaction."""
    touched: set[int] = set()
    known = set(store.client_ids())  # one query, not one per order
    for item in batch.items:
        tally.orders_read += 1
        if item.problem is not None:
            record_id = _record_id(item)
            store.quarantine(QUARANTINE_SOURCE, record_id, item.problem.reason, item.raw, now)
            quarantined.add(record_id)
            tally.quarantined += 1
            continue
        if item.unchanged:
            continue
        assert item.order is not None
        touched |= _apply_order(item, item.order, store, tally, known, tz=tz, now=now)
        if str(item.order.id) in quarantined:
            store.release_quarantine(QUARANTINE_SOURCE, str(item.order.id))
            quarantined.discard(str(item.order.id))
    for order_id in batch.vanished:
        touched |= _void_vanished(order_id, store, tally, now)
    for client_id in sorted(touched):
        store.recompute(client_id, now, policy)


def _apply_order(
    item: Prepared,
    order: ShopOrder,
    store: LedgerStore,
    tally: Tally,
    known: set[int],
    *,
    tz: ZoneInfo,
    now: datetime,
) -> set[int]:
    tally.skipped += order.skipped_lines
    customer = item.customer
    if customer is not None and customer.id not in known:  # e-mail and name only when new
        store.ensure_client(customer.id, customer.email, customer.name)
        known.add(customer.id)
    refunds = item.refunds
    if refunds is None:  # refund ids unchanged: the stored lots hold the refunded packs
        refunded = {lot.order_line_id: lot.refunded_quantity for lot in item.stored_lots}
        refunds = RefundSummary({k: v for k, v in refunded.items() if k is not None})
    store.upsert_order(
        OrderRecord(
            id=order.id,
            status=order.status,
            date_modified=order.date_modified,
            content_hash=item.fingerprint,
            seen_at=now,
            client_id=customer.id if customer else None,
            billing_email=order.billing_email,
            date_paid=order.date_paid,
        )
    )
    if customer is None:
        tally.unassigned += 1
        return set()
    old = {lot.id: lot for lot in item.stored_lots}
    touched: set[int] = set()  # clients whose lots changed: only they are recomputed
    reason = order.void_reason()
    if reason is None:
        planned = plan_lots(order, tz, refunds.refunded).for_client(customer.id)
        for lot in planned:
            before = old.pop(lot.id, None)
            touched |= _upsert(store, tally, before, _bought_terms(lot, before))
        skus = {line.id: line.sku for line in order.lines}
        for gone in old.values():
            if gone.order_line_id in skus and skus[gone.order_line_id] == gone.sku:
                # the catalog no longer sells this SKU: what was bought stays bought
                kept = replace(gone, voided=False, reason=None, client_id=ClientId(customer.id))
                packs = refunds.refunded.get(gone.order_line_id or 0, gone.refunded_quantity)
                touched |= _upsert(store, tally, gone, replace(kept, refunded_quantity=packs))
                continue
            why = f"line {gone.order_line_id} is no longer a pack line of order {order.id}"
            touched |= _upsert(store, tally, gone, replace(gone, voided=True, reason=why))
        for refund_id in refunds.amount_only:
            message = (
                f"order {order.id}: refund {refund_id} gives money back without returning any "
                "pack quantity; no credit was changed — adjust it by hand if needed"
            )
            if store.flag(AMOUNT_ONLY_FLAG, f"order-{order.id}-refund-{refund_id}", message, now):
                tally.flagged += 1
    else:
        for lot in old.values():
            packs = lot.refunded_quantity
            if item.refunds is not None and lot.order_line_id is not None:
                # refunds read now are kept even on a void lot: if the order is paid again,
                # the stored lots must say what was refunded (their ids are in the fingerprint)
                packs = item.refunds.refunded.get(lot.order_line_id, 0)
            voided = replace(lot, voided=True, reason=reason, refunded_quantity=packs)
            touched |= _upsert(store, tally, lot, voided)
    return touched


def _bought_terms(planned: Lot, before: Lot | None) -> Lot:
    """A lot keeps the catalog terms it was opened with (minutes per pack, hourly rate,
    expiry): a later change of the catalog or of the time zone applies to new sales only. The
    expiry moves only if the payment date itself changed."""
    if before is None:
        return planned
    expires_at = before.expires_at if before.opened_at == planned.opened_at else planned.expires_at
    return replace(
        planned,
        pack_minutes=before.pack_minutes,
        hourly_rate=before.hourly_rate,
        expires_at=expires_at,
    )


def _void_vanished(order_id: int, store: LedgerStore, tally: Tally, now: datetime) -> set[int]:
    stored = store.get_order(order_id)
    if stored is None:
        return set()
    tally.vanished += 1
    store.upsert_order(
        OrderRecord(
            id=order_id,
            status=DELETED,
            date_modified=stored.date_modified,
            content_hash=stored.content_hash,
            seen_at=now,
            client_id=stored.client_id,
            billing_email=stored.billing_email,
            date_paid=stored.date_paid,
        )
    )
    touched: set[int] = set()
    for lot in store.lots_of_order(order_id):
        why = f"order {order_id} no longer exists in the shop"
        touched |= _upsert(store, tally, lot, replace(lot, voided=True, reason=why))
    return touched


def _upsert(store: LedgerStore, tally: Tally, before: Lot | None, after: Lot) -> set[int]:
    """Store ``after``; the clients to recompute (the lot's, and its former client's)."""
    if before is not None and before == after:
        return set()
    change = store.upsert_lot(after)
    if change is Change.UNCHANGED:
        return set()
    if change is Change.OPENED:
        tally.lots_opened += 0 if after.voided else 1
    elif change is Change.CHANGED:
        if after.voided and (before is None or not before.voided):
            tally.lots_voided += 1
        else:
            tally.lots_changed += 1
    return {after.client_id} | ({before.client_id} if before is not None else set())


def _record_id(item: Prepared) -> str:
    """The quarantine key: the order id, or a digest of a payload that has none."""
    assert item.problem is not None
    if item.problem.order_id is not None:
        return str(item.problem.order_id)
    digest = hashlib.sha256(json.dumps(item.raw, sort_keys=True, default=str).encode()).hexdigest()
    return f"unknown-{digest[:16]}"
