"""Seeding is deterministic and realistic; the shop's mutators behave like WooCommerce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sandbox import Sandbox
from sandbox.seed import NON_PACK_SKU, PACK_SKUS, VARIATION_SKUS

ANCHOR = datetime(2026, 11, 26, tzinfo=UTC)


def snapshot(sb: Sandbox) -> tuple[object, ...]:
    orders = [sb.shop.order_json(i) for i in sorted(sb.shop.orders)]
    customers = [(c.id, c.email, c.first_name, c.role) for c in sb.shop.customers.values()]
    tickets = [t.as_json() for t in sb.area.tickets.values()]
    entries = [e.as_json() for e in sb.area.entries.values()]
    return orders, customers, tickets, entries, sb.consumer_key, sb.wp_app_password


def test_same_seed_same_data_and_credentials() -> None:
    first = Sandbox(seed=42, clients=15, orders=80, anchor=ANCHOR)
    second = Sandbox(seed=42, clients=15, orders=80, anchor=ANCHOR)
    assert snapshot(first) == snapshot(second)
    other = Sandbox(seed=43, clients=15, orders=80, anchor=ANCHOR)
    assert snapshot(other) != snapshot(first)


def test_seeded_shop_is_realistic() -> None:
    sb = Sandbox(seed=8, clients=60, orders=600, anchor=ANCHOR)
    orders = list(sb.shop.orders.values())
    assert len(orders) == 600
    created = [o.created for o in sorted(orders, key=lambda o: o.id)]
    assert created == sorted(created)  # ids follow creation, like a real shop
    assert min(created) >= ANCHOR - timedelta(days=548) and max(created) < ANCHOR
    assert all(o.modified >= o.created and o.modified <= ANCHOR for o in orders)
    skus = {line.sku for o in orders for line in o.lines}
    assert set(PACK_SKUS) | set(VARIATION_SKUS) | {NON_PACK_SKU} == skus
    assert any(line.quantity > 1 for o in orders for line in o.lines)
    assert any(len(o.lines) > 1 for o in orders)
    variation = next(line for o in orders for line in o.lines if line.sku in VARIATION_SKUS)
    assert variation.variation_id and variation.parent_name == "Pack Assistance Agence"
    guests = [o for o in orders if o.customer_id == 0]
    emails = {c.email for c in sb.shop.customers.values()}
    assert any(o.billing["email"] in emails for o in guests)
    assert any(o.billing["email"] not in emails for o in guests)
    for o in orders:  # paid means a payment date, and only then
        if o.status in ("processing", "completed", "refunded"):
            assert o.paid is not None
        if o.status in ("pending", "failed", "cancelled", "checkout-draft", "on-hold"):
            assert o.paid is None
    refunds = [r for o in orders for r in o.refunds]
    assert any(r.lines and r.amount < sb.shop.order(r.order_id).total for r in refunds)
    assert any(not r.lines for r in refunds)  # amount only
    assert any(o.status == "refunded" and any(r.lines for r in o.refunds) for o in orders)
    assert any(o.status == "completed" and o.refunds for o in orders)  # partial keeps status
    first_names = {c.first_name for c in sb.shop.customers.values()}
    assert first_names & {"Léa", "Chloé", "Inès", "Émilie", "Hélène", "Sébastien", "François"}


def test_client_area_seed_has_tickets_entries_and_overruns() -> None:
    sb = Sandbox(seed=8, clients=60, orders=600, anchor=ANCHOR)
    tickets, entries = sb.area.tickets.values(), sb.area.entries.values()
    assert {e.kind for e in entries} == {"production", "correction", "training", "exchange"}
    assert any(t.estimate_minutes and t.status == "open" for t in tickets)
    assert any(t.decision for t in tickets)
    assert "Mise à jour de la page d'accueil" in {t.title for t in tickets}
    holders = {o.customer_id for o in sb.shop.orders.values() if o.paid and o.customer_id}
    assert {t.client_id for t in tickets} <= holders
    assert all(e.client_id == sb.area.tickets[e.ticket_id].client_id for e in entries)
    used: dict[int, int] = {}
    for e in entries:
        if e.kind != "exchange":
            used[e.client_id] = used.get(e.client_id, 0) + e.minutes
    bought: dict[int, int] = {}
    minutes = {"ASSIST-3H": 180, "ASSIST-5H": 300, "ASSIST-10H": 600}
    for o in sb.shop.orders.values():
        if o.customer_id and o.status in ("processing", "completed"):
            for line in o.lines:
                bought[o.customer_id] = (
                    bought.get(o.customer_id, 0) + minutes.get(line.sku, 0) * line.quantity
                )
    assert any(used[c] > bought.get(c, 0) for c in used)  # some clients overrun
    assert any(used[c] < bought.get(c, 0) for c in used)


def test_mutators_bump_date_modified_unless_told_not_to(empty_sandbox: Sandbox) -> None:
    shop = empty_sandbox.shop
    client = shop.customer_ids()[0]
    t0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    order = shop.add_order(client, [("ASSIST-3H", 1)], status="pending", created_at=t0)
    assert order.paid is None and order.modified == t0
    paid_at = t0 + timedelta(hours=1)
    shop.set_status(order.id, "processing", at=paid_at)
    assert order.paid == paid_at and order.modified == paid_at
    body = shop.order_json(order.id)
    assert body["date_paid_gmt"] == "2026-10-01T10:00:00"
    assert body["date_paid"] == "2026-10-01T12:00:00"  # Berlin, summer time
    quiet = t0 + timedelta(days=1)
    shop.edit_order(order.id, quantities={order.lines[0].id: 2}, touch=False, at=quiet)
    body = shop.order_json(order.id)
    assert body["line_items"][0]["quantity"] == 2 and body["total"] == "360.00"
    assert body["date_modified_gmt"] == "2026-10-01T10:00:00"  # not bumped (#28969)
    shop.refund(order.id, {order.lines[0].id: 1}, touch=False, at=quiet)
    assert shop.order_json(order.id)["date_modified_gmt"] == "2026-10-01T10:00:00"
    shop.touch(order.id, at=quiet)
    assert shop.order_json(order.id)["date_modified_gmt"] == "2026-10-02T09:00:00"


def test_refunds_and_statuses(empty_sandbox: Sandbox) -> None:
    shop = empty_sandbox.shop
    client = shop.customer_ids()[0]
    order = shop.add_order(client, [("ASSIST-5H", 2), ("ASSIST-3H", 1)], status="completed")
    assert order.completed is not None and order.paid is not None
    five, three = order.lines
    shop.refund(order.id, {five.id: 1})
    assert order.status == "completed"  # partial
    shop.refund(order.id, {five.id: 1, three.id: 1})
    assert order.status == "refunded"  # everything refunded
    assert [r["total"] for r in shop.order_json(order.id)["refunds"]] == ["-465.00", "-285.00"]

    by_hand = shop.add_order(client, [("ASSIST-10H", 1)], status="processing")
    shop.refund(by_hand.id, amount="50.00", reason="Geste commercial")
    assert by_hand.status == "processing" and by_hand.refunds[0].lines == []
    shop.set_status(by_hand.id, "refunded")
    assert by_hand.refunds[0].amount == Decimal("500.00")
    assert by_hand.refunds[0].reason == "Order fully refunded."
    assert by_hand.refunds[0].lines == []

    guest = shop.add_order(0, [("ASSIST-3H", 1)], status="on-hold", billing_email="x@y.fr")
    body = shop.order_json(guest.id)
    assert body["customer_id"] == 0 and body["billing"]["email"] == "x@y.fr"
    assert "customer" not in body["_links"]
    shop.trash(guest.id)
    assert shop.order_json(guest.id)["status"] == "trash"
    shop.delete(guest.id)
    with pytest.raises(KeyError):
        shop.order(guest.id)


def test_unknown_sku_or_customer_is_a_test_mistake(empty_sandbox: Sandbox) -> None:
    with pytest.raises(KeyError):
        empty_sandbox.shop.add_order(0, [("NOPE", 1)])
    with pytest.raises(KeyError):
        empty_sandbox.shop.add_order(99999, [("ASSIST-3H", 1)])
