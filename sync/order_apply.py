"""Apply a prepared batch of orders to the ledger, inside the caller's write transaction.

Quarantine the malformed (with their reason; released once they read fine), upsert orders and
their lots idempotently (lot id ``order-{order}-line-{line}``), void or restore lots on any
status change, reduce lots by refunded packs, raise an admin flag for amount-only refunds, void
the lots of orders the shop no longer knows, then recompute every client whose lots changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ledger.domain import ClientId, Lot, Policy
from ledger.records import Change, OrderRecord
from ledger.store import LedgerStore
from sync.order_batch import DELETED, QUARANTINE_SOURCE, Batch, Prepared
from sync.order_lots import plan_lots
from sync.order_parse import RefundSummary, ShopOrder

AMOUNT_ONLY_FLAG = "amount_only_refund"


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
