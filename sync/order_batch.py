"""One batch of orders (a page, or orders fetched one by one): what the ledger must do with it.

Prepared from a read session and the shop, so that no HTTP request runs while the ledger's
write lock is held (``sync.order_apply`` then applies the batch in one write transaction):
validate every order, compare its fingerprint with what the ledger stored, fetch refund details
only for paid orders whose refund ids differ from those their stored lots reflect, and match
guest orders to a client by billing e-mail (a known ledger client first, then the shop's
customers, ``role=all``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from config import Catalog
from ledger.domain import Lot
from ledger.records import OrderRow
from ledger.store import LedgerStore
from sync.order_lots import OrderFingerprint, fingerprint
from sync.order_parse import MalformedOrder, RefundSummary, ShopOrder, parse_order, parse_refunds
from wp_client.errors import AuthenticationError

log = logging.getLogger("sync.orders")
QUARANTINE_SOURCE = "orders"
DELETED = "deleted"  # the status the ledger gives an order the shop no longer knows
UNKNOWN = "-" * 32  # refunds part of a fingerprint: never read (the order was never paid)


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
        if order.date_paid_estimated and item.stored is not None and item.stored.date_paid:
            # no payment date in the shop: the one first stored stays (see order_parse)
            order = item.order = replace(order, date_paid=item.stored.date_paid)
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
