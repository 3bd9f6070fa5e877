"""Opening, cancellation and refunds (docs/design.md §2.2–2.3) end to end: the sandbox shop
over loopback → ``sync_orders`` → the ledger, on SQLite and on PostgreSQL. One literal scenario
per case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from config.catalog import parse_catalog
from ledger.store import LedgerStore
from tests.sync.orders_world import PAID_AT, World, world_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.timeout(60)


def test_a_paid_order_opens_once_however_often_any_sync_runs(world: World) -> None:
    camille = world.customer("camille.martin@orange.fr")
    order = world.order(camille.id, [("ASSIST-5H", 1)])
    first = world.sync()
    assert (first.orders_read, first.lots_opened, first.skipped) == (1, 1, 0)
    (lot,) = world.lots(order.id)
    assert lot.id == f"order-{order.id}-line-{order.lines[0].id}"
    assert (lot.client_id, lot.quantity, lot.pack_minutes, lot.sku) == (
        camille.id,
        1,
        300,
        "ASSIST-5H",
    )
    assert lot.opened_at == PAID_AT and lot.expires_at == datetime(2027, 4, 5, 9, 30, tzinfo=UTC)
    assert world.balance(camille.id).remaining_minutes == 300
    events = world.events(camille.id)
    for options in ({}, {}, {"full": True}, {"full": True}, {"since": PAID_AT}, {}):
        again = world.sync(**options)
        assert (again.lots_opened, again.lots_changed, again.lots_voided) == (0, 0, 0)
    assert len(world.all_lots()) == 1
    assert world.balance(camille.id).remaining_minutes == 300
    assert world.events(camille.id) == events  # nothing appended to the log either


def test_quantity_two_and_two_lines(world: World) -> None:
    lea = world.customer("lea.bernard@free.fr", "Léa", "Bernard")
    order = world.order(lea.id, [("ASSIST-3H", 2), ("ASSIST-10H", 1)])
    summary = world.sync()
    assert summary.lots_opened == 2
    three, ten = world.lots(order.id)
    assert (three.quantity, three.granted_minutes) == (2, 360)
    assert (ten.quantity, ten.granted_minutes) == (1, 600)
    assert world.balance(lea.id).remaining_minutes == 960


def test_pending_then_processing_opens_at_the_payment_date(world: World) -> None:
    hugo = world.customer("hugo.petit@gmail.com", "Hugo", "Petit")
    order = world.order(hugo.id, [("ASSIST-3H", 1)], status="pending")
    assert world.sync().lots_opened == 0
    assert world.lots(order.id) == []
    paid = world.shop.set_status(order.id, "processing")
    summary = world.sync()
    assert summary.lots_opened == 1
    (lot,) = world.lots(order.id)
    assert lot.opened_at == paid.paid.replace(microsecond=0)
    assert world.balance(hugo.id).remaining_minutes == 180


@pytest.mark.parametrize("status", ["cancelled", "refunded", "failed", "trash"])
def test_cancel_refund_fail_or_trash_voids_the_lots(world: World, status: str) -> None:
    ines = world.customer("ines.durand@laposte.net", "Inès", "Durand")
    order = world.order(ines.id, [("ASSIST-10H", 1)], status="completed")
    world.sync()
    world.shop.set_status(order.id, status)
    # ``status=any`` leaves trashed orders out, as in WooCommerce: the full pass reads them
    summary = world.sync(full=status == "trash")
    assert summary.lots_voided == 1
    (lot,) = world.lots(order.id)
    assert lot.voided and lot.reason == f"order {order.id} is {status}"
    assert world.balance(ines.id).remaining_minutes == 0
    assert world.sync(full=True).lots_voided == 0


def test_back_to_processing_restores_the_lot(world: World) -> None:
    remi = world.customer("remi.roux@sfr.fr", "Rémi", "Roux")
    order = world.order(remi.id, [("ASSIST-5H", 1)])
    world.sync()
    world.shop.set_status(order.id, "cancelled")
    assert world.sync().lots_voided == 1
    world.shop.set_status(order.id, "processing")
    restored = world.sync()
    assert (restored.lots_changed, restored.lots_voided, restored.lots_opened) == (1, 0, 0)
    (lot,) = world.lots(order.id)
    assert not lot.voided and lot.reason is None and lot.opened_at == PAID_AT
    assert world.balance(remi.id).remaining_minutes == 300


def test_partial_line_refund_reduces_the_lot_and_refunds_are_fetched_once(world: World) -> None:
    anais = world.customer("anais.morel@wanadoo.fr", "Anaïs", "Morel")
    order = world.order(anais.id, [("ASSIST-3H", 3)])
    world.sync()
    world.shop.refund(order.id, {order.lines[0].id: 1}, reason="une heure non utilisée")
    refunds_route = f"/wc/v3/orders/{order.id}/refunds"
    summary = world.sync()
    assert summary.lots_changed == 1
    (lot,) = world.lots(order.id)
    assert (lot.quantity, lot.refunded_quantity, lot.capacity_minutes) == (3, 1, 360)
    assert world.balance(anais.id).remaining_minutes == 360
    assert world.requests_to(refunds_route) == [refunds_route]
    world.shop.touch(order.id)  # saved again, same refunds: no new refund request
    world.sync()
    world.sync(full=True)
    assert world.requests_to(refunds_route) == [refunds_route]


def test_amount_only_refund_is_flagged_and_changes_no_lot(world: World) -> None:
    loic = world.customer("loic.faure@orange.fr", "Loïc", "Faure")
    order = world.order(loic.id, [("ASSIST-10H", 1)], status="completed")
    world.sync()
    refund = world.shop.refund(order.id, amount="50.00", reason="geste commercial")
    summary = world.sync()
    assert (summary.flagged, summary.lots_changed, summary.lots_voided) == (1, 0, 0)
    (lot,) = world.lots(order.id)
    assert lot.refunded_quantity == 0 and not lot.voided
    with world.db.read() as session:
        flags = LedgerStore(session).open_flags()
    assert [(f.kind, f.ref) for f in flags] == [
        ("amount_only_refund", f"order-{order.id}-refund-{refund.id}")
    ]
    assert "no credit was changed" in flags[0].message
    world.shop.touch(order.id)
    assert world.sync(full=True).flagged == 0  # raised once


def test_unknown_sku_is_skipped_and_counted(world: World) -> None:
    gael = world.customer("gael.vincent@free.fr", "Gaël", "Vincent")
    order = world.order(gael.id, [("MAINT-ANNUELLE", 1), ("ASSIST-3H", 1), ("ASSIST-20H", 1)])
    summary = world.sync()
    assert (summary.skipped, summary.lots_opened) == (2, 1)
    assert [lot.sku for lot in world.lots(order.id)] == ["ASSIST-3H"]


def test_guest_order_matched_to_a_known_client_by_billing_email(world: World) -> None:
    sophie = world.customer("sophie.leroy@gmail.com", "Sophie", "Leroy")
    world.order(sophie.id, [("ASSIST-3H", 1)])
    world.sync()
    guest = world.order(0, [("ASSIST-5H", 1)], billing_email="Sophie.Leroy@GMAIL.com")
    summary = world.sync()
    assert summary.lots_opened == 1 and summary.unassigned == 0
    assert world.lots(guest.id)[0].client_id == sophie.id
    assert world.requests_to("/wc/v3/customers") == []  # the ledger knew her: no request


def test_guest_order_matched_through_the_shops_customers(world: World) -> None:
    julien = world.customer("julien.girard@orange.fr", "Julien", "Girard")  # not in the ledger
    guest = world.order(0, [("ASSIST-10H", 1)], billing_email="julien.girard@orange.fr")
    summary = world.sync()
    assert summary.lots_opened == 1
    assert world.lots(guest.id)[0].client_id == julien.id
    queries = [r.query for r in world.sandbox.requests if r.route == "/wc/v3/customers"]
    assert queries and queries[0]["role"] == "all"
    assert world.balance(julien.id).email == "julien.girard@orange.fr"


def test_unmatched_guest_is_held_then_matched_once_the_client_is_known(world: World) -> None:
    guest = world.order(0, [("ASSIST-3H", 1)], billing_email="nathalie.dupont@free.fr")
    summary = world.sync()
    assert (summary.unassigned, summary.lots_opened) == (1, 0)
    with world.db.read() as session:
        store = LedgerStore(session)
        assert [o.id for o in store.unassigned_orders()] == [guest.id]
        assert store.status_counts()["unassigned_orders"] == 1
    # she creates her account and buys a pack: the held order is read again and matched
    nathalie = world.customer("nathalie.dupont@free.fr", "Nathalie", "Dupont")
    world.order(nathalie.id, [("ASSIST-5H", 1)])
    summary = world.sync()
    assert summary.lots_opened == 2
    assert world.lots(guest.id)[0].client_id == nathalie.id
    assert world.balance(nathalie.id).remaining_minutes == 480
    with world.db.read() as session:
        assert LedgerStore(session).unassigned_orders() == []


def test_malformed_order_is_quarantined_while_the_batch_goes_on(world: World) -> None:
    cedric = world.customer("cedric.mercier@sfr.fr", "Cédric", "Mercier")
    good = world.order(cedric.id, [("ASSIST-3H", 1)])
    bad = world.order(cedric.id, [("ASSIST-5H", 1)])
    line = bad.lines[0]
    world.shop.edit_order(bad.id, quantities={line.id: -1})  # a payload that cannot be trusted
    later = world.order(cedric.id, [("ASSIST-10H", 1)])
    summary = world.sync()
    assert (summary.orders_read, summary.quarantined, summary.lots_opened) == (3, 1, 2)
    assert world.lots(good.id) and world.lots(later.id) and world.lots(bad.id) == []
    with world.db.read() as session:
        (held,) = LedgerStore(session).quarantined("orders")
    assert held.record_id == str(bad.id)
    assert held.reason == f"line {line.id}: negative quantity -1"
    assert world.cursor() is not None  # the run succeeded: the cursor moved
    world.shop.edit_order(bad.id, quantities={line.id: 1})  # fixed in the shop: reads fine now
    fixed = world.sync()
    assert (fixed.quarantined, fixed.lots_opened) == (0, 1)
    with world.db.read() as session:
        assert LedgerStore(session).quarantined("orders") == []


def test_reassigned_order_moves_its_lot_to_the_new_client(world: World) -> None:
    first = world.customer("olivier.lambert@gmail.com", "Olivier", "Lambert")
    second = world.customer("chloe.bonnet@gmail.com", "Chloé", "Bonnet")
    order = world.order(first.id, [("ASSIST-5H", 1)])
    world.sync()
    world.shop.edit_order(order.id, customer_id=second.id)
    assert world.sync().lots_changed == 1
    assert world.lots(order.id)[0].client_id == second.id
    assert world.balance(first.id).remaining_minutes == 0
    assert world.balance(second.id).remaining_minutes == 300


def test_a_refund_made_while_cancelled_counts_once_the_order_is_paid_again(world: World) -> None:
    mael = world.customer("mael.chevalier@orange.fr", "Maël", "Chevalier")
    order = world.order(mael.id, [("ASSIST-3H", 2)])
    world.sync()
    world.shop.set_status(order.id, "cancelled")
    world.shop.refund(order.id, {order.lines[0].id: 1})
    refunds_route = f"/wc/v3/orders/{order.id}/refunds"
    assert world.sync().lots_voided == 1
    assert world.requests_to(refunds_route) == []  # a void order's refunds change nothing
    world.shop.set_status(order.id, "processing")
    world.sync()
    (lot,) = world.lots(order.id)
    assert not lot.voided and lot.refunded_quantity == 1
    assert world.balance(mael.id).remaining_minutes == 180
    assert world.requests_to(refunds_route) == [refunds_route]


def test_a_catalog_or_zone_change_applies_to_new_sales_only(world: World) -> None:
    yann = world.customer("yann.rousseau@free.fr", "Yann", "Rousseau")
    five = world.order(yann.id, [("ASSIST-5H", 1)])
    three = world.order(yann.id, [("ASSIST-3H", 1)])
    world.sync()
    bought = {lot.id: lot for o in (five, three) for lot in world.lots(o.id)}
    # the agency now sells 5 h packs as 6 h at another rate, stops selling 3 h packs, and
    # moves to another time zone: nothing bought before may change
    catalog = parse_catalog(
        {"pack": [{"sku": "ASSIST-5H", "hours": 6, "price": "330.00", "validity_months": 6}]}
    )
    world.settings = replace(world.settings, catalog=catalog, timezone=ZoneInfo("America/Cayenne"))
    full = world.sync(full=True)
    assert (full.lots_opened, full.lots_changed, full.lots_voided) == (0, 0, 0)
    assert {lot.id: lot for o in (five, three) for lot in world.lots(o.id)} == bought
    assert world.balance(yann.id).remaining_minutes == 480
    later = world.order(yann.id, [("ASSIST-5H", 1)])
    assert world.sync().lots_opened == 1
    (new,) = world.lots(later.id)
    assert (new.pack_minutes, new.hourly_rate) == (360, Decimal("55.00"))


def test_an_order_the_shop_left_without_payment_date_opens_once_and_stays_put(
    world: World,
) -> None:
    """Packs sold as virtual and downloadable: WooCommerce completes paid orders at once, and an
    order an admin moves to processing by hand (a bank transfer received) keeps no date_paid.
    It is paid all the same: it opens at its modification time as first read, kept after."""
    world.shop.add_product("Pack téléchargeable 2h", "ASSIST-DL2", "100.00", downloadable=True)
    catalog = parse_catalog(
        {"pack": [{"sku": "ASSIST-DL2", "hours": 2, "price": "100.00", "validity_months": 3}]}
    )
    world.settings = replace(world.settings, catalog=catalog)
    lina = world.customer("lina.faure@free.fr", "Lina", "Faure")
    order = world.order(lina.id, [("ASSIST-DL2", 1)], status="on-hold")
    received = datetime.now(UTC).replace(microsecond=0)
    world.shop.set_status(order.id, "processing", at=received)
    assert world.shop.order_json(order.id)["date_paid_gmt"] is None  # as the real shop sends it
    first = world.sync()
    assert (first.lots_opened, first.quarantined) == (1, 0)
    (lot,) = world.lots(order.id)
    assert lot.opened_at == received and world.balance(lina.id).remaining_minutes == 120
    world.shop.touch(order.id, at=received.replace(second=0) + timedelta(minutes=3))
    edited = world.sync(now=received + timedelta(minutes=4))
    assert (edited.orders_read, edited.lots_changed) == (1, 0)
    assert world.lots(order.id) == [lot]
    assert world.sync(full=True, now=received + timedelta(minutes=5)).lots_changed == 0


def test_an_account_deleted_in_the_shop_keeps_its_credit(world: World) -> None:
    """WooCommerce turns the orders of a deleted user into guest orders: the credit they opened
    stays with the client it was opened for (the e-mail matches nobody any more)."""
    paul = world.customer("paul.garnier@free.fr", "Paul", "Garnier")
    order = world.order(paul.id, [("ASSIST-5H", 1)])
    world.sync()
    world.shop.delete_customer(paul.id)
    assert world.shop.order_json(order.id)["customer_id"] == 0
    after = world.sync()
    assert (after.orders_read, after.lots_changed, after.lots_voided, after.unassigned) == (
        1,
        0,
        0,
        0,
    )
    assert world.lots(order.id)[0].client_id == paul.id
    assert world.balance(paul.id).remaining_minutes == 300
