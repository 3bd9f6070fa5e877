"""How a run reads the shop and moves its cursor: requests made, the frozen window, --full,
--since, --client, --dry-run and the recorded outcome. Real sandbox, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.store import LedgerStore
from sync.order_cursor import CursorError, OrderCursor
from tests.sync.orders_world import (  # noqa: F401 - fixtures
    World,
    seeded_world_fixture,
    world_fixture,
)

pytestmark = pytest.mark.timeout(60)


def test_no_change_incremental_sync_makes_exactly_one_request(seeded_world: World) -> None:
    first = seeded_world.sync()
    assert first.orders_read > 30 and first.lots_opened > 0
    before = len(seeded_world.sandbox.requests)
    lists = seeded_world.list_requests()
    again = seeded_world.sync()
    assert again.requests == 1 and again.orders_read == 0
    assert len(seeded_world.sandbox.requests) == before + 1
    assert seeded_world.list_requests() == lists + 1
    query = seeded_world.last_list_query()
    assert query["dates_are_gmt"] == "true" and query["orderby"] == "id" and query["order"] == "asc"
    assert "modified_after" in query and "modified_before" in query


def test_no_change_within_the_overlap_window_still_makes_one_request(world: World) -> None:
    # orders modified a moment ago are read again (overlap) but nothing else is asked
    client = world.customer("helene.simon@orange.fr", "Hélène", "Simon")
    order = world.order(client.id, [("ASSIST-3H", 1)])
    world.shop.refund(order.id, {order.lines[0].id: 1})
    world.order(0, [("ASSIST-5H", 1)], billing_email="inconnue@example.fr")  # held guest
    world.sync()
    before = len(world.sandbox.requests)
    again = world.sync()
    assert again.orders_read == 2 and again.requests == 1
    assert len(world.sandbox.requests) == before + 1


def test_the_cursor_is_the_frozen_bound_minus_the_overlap(world: World) -> None:
    now = datetime.now(UTC).replace(microsecond=250_000) + timedelta(seconds=1)
    world.sync(now=now)
    expected = now.replace(microsecond=0) - timedelta(seconds=world.settings.overlap_seconds)
    assert world.cursor() == OrderCursor(expected)
    query = world.last_list_query()
    assert query["modified_before"] == now.strftime("%Y-%m-%dT%H:%M:%S")
    assert "modified_after" not in query  # first run: everything up to the bound
    world.sync(now=now + timedelta(minutes=10))
    query = world.last_list_query()
    assert query["modified_after"] == expected.strftime("%Y-%m-%dT%H:%M:%S")


def test_since_and_client_narrow_one_run_and_never_move_the_cursor(world: World) -> None:
    ana = world.customer("ana.garcia@free.fr", "Ana", "Garcia")
    bob = world.customer("bob.morel@free.fr", "Bob", "Morel")
    mine = world.order(ana.id, [("ASSIST-3H", 1)])
    theirs = world.order(bob.id, [("ASSIST-5H", 1)])
    summary = world.sync(client_id=ana.id)
    assert summary.lots_opened == 1 and world.lots(mine.id) and world.lots(theirs.id) == []
    assert world.last_list_query()["customer"] == str(ana.id)
    assert world.cursor() is None
    since = datetime.now(UTC) - timedelta(days=1)
    assert world.sync(since=since).lots_opened == 1
    assert world.last_list_query()["modified_after"] == since.strftime("%Y-%m-%dT%H:%M:%S")
    assert world.cursor() is None
    world.sync()
    assert world.cursor() is not None


def test_full_catches_an_edit_that_did_not_move_date_modified(world: World) -> None:
    marc = world.customer("marc.david@laposte.net", "Marc", "David")
    order = world.order(marc.id, [("ASSIST-3H", 1)])
    world.sync()
    later = datetime.now(UTC) + timedelta(minutes=30)  # past the overlap window
    world.sync(now=later)
    world.shop.edit_order(order.id, quantities={order.lines[0].id: 2}, touch=False)
    assert world.sync(now=later + timedelta(minutes=1)).lots_changed == 0  # invisible
    assert world.lots(order.id)[0].quantity == 1
    full = world.sync(now=later + timedelta(minutes=2), full=True)
    assert full.lots_changed == 1 and world.lots(order.id)[0].quantity == 2
    assert world.balance(marc.id).remaining_minutes == 360


def test_full_gives_back_the_packs_of_a_deleted_refund(world: World) -> None:
    """WooCommerce keeps the order's date_modified when a refund is deleted (checked in the
    real shop by the contract suite): the nightly full pass restores the packs."""
    ines = world.customer("ines.robin@free.fr", "Inès", "Robin")
    order = world.order(ines.id, [("ASSIST-5H", 2)])
    refund = world.shop.refund(order.id, {order.lines[0].id: 1})
    world.sync()
    assert world.balance(ines.id).remaining_minutes == 300
    later = datetime.now(UTC) + timedelta(minutes=30)  # past the overlap window
    world.sync(now=later)
    world.shop.delete_refund(order.id, refund.id)
    assert world.sync(now=later + timedelta(minutes=1)).lots_changed == 0  # invisible
    full = world.sync(now=later + timedelta(minutes=2), full=True)
    assert full.lots_changed == 1 and world.lots(order.id)[0].refunded_quantity == 0
    assert world.balance(ines.id).remaining_minutes == 600


def test_full_voids_a_hard_deleted_order_with_one_request_for_it(world: World) -> None:
    emma = world.customer("emma.petit@gmail.com", "Emma", "Petit")
    kept = world.order(emma.id, [("ASSIST-3H", 1)])
    gone = world.order(emma.id, [("ASSIST-10H", 1)])
    world.sync()
    world.shop.delete(gone.id)
    assert world.sync().lots_voided == 0  # an incremental run cannot see a deletion
    full = world.sync(full=True)
    assert (full.vanished, full.lots_voided) == (1, 1)
    (lot,) = world.lots(gone.id)
    assert lot.voided and lot.reason == f"order {gone.id} no longer exists in the shop"
    assert not world.lots(kept.id)[0].voided
    assert world.balance(emma.id).remaining_minutes == 180
    route = f"/wc/v3/orders/{gone.id}"
    assert world.requests_to(route) == [route]
    again = world.sync(full=True)
    assert again.vanished == 0 and world.requests_to(route) == [route]
    with world.db.read() as session:
        assert LedgerStore(session).get_order(gone.id).status == "deleted"  # type: ignore[union-attr]


def test_full_reads_trash_and_reconciles_every_status(seeded_world: World) -> None:
    seeded_world.sync()
    full = seeded_world.sync(full=True)
    statuses = [
        r.query.get("status") for r in seeded_world.sandbox.requests if r.route == "/wc/v3/orders"
    ]
    assert statuses[-2:] == ["any", "trash"]
    assert full.lots_opened == 0 and full.lots_changed == 0
    trashed = [o.id for o in seeded_world.shop.orders.values() if o.status == "trash"]
    assert full.orders_read >= len(seeded_world.shop.orders) - 1 and trashed


def test_dry_run_reports_and_writes_nothing(world: World) -> None:
    zoe = world.customer("zoe.faure@sfr.fr", "Zoé", "Faure")
    order = world.order(zoe.id, [("ASSIST-5H", 2)])
    preview = world.sync(dry_run=True)
    assert (preview.lots_opened, preview.dry_run) == (1, True)
    assert world.lots(order.id) == [] and world.cursor() is None
    with world.db.read() as session:
        store = LedgerStore(session)
        assert store.last_runs() == {} and store.client_ids() == []
    real = world.sync()
    assert real.lots_opened == 1 and world.lots(order.id)


def test_runs_are_recorded_with_their_summary(world: World) -> None:
    client = world.customer("paul.roux@free.fr", "Paul", "Roux")
    world.order(client.id, [("ASSIST-3H", 1)])
    summary = world.sync()
    run = world.last_run()
    assert (run.job, run.outcome, run.error) == ("orders", "ok", None)
    assert run.summary["lots_opened"] == 1 == summary.lots_opened
    assert set(summary.as_dict()) == {
        "orders_read",
        "lots_opened",
        "lots_changed",
        "lots_voided",
        "skipped",
        "quarantined",
        "requests",
        "seconds",
    }


def test_progress_reports_orders_committed(seeded_world: World) -> None:
    calls: list[tuple[int, int | None]] = []
    summary = seeded_world.sync(
        per_page=10, progress=lambda done, total: calls.append((done, total))
    )
    assert len(calls) >= 4 and calls[-1][0] == summary.orders_read
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[0][1] is not None


def test_an_unreadable_cursor_fails_incremental_runs_and_a_full_run_rebuilds_it(
    world: World,
) -> None:
    with world.db.transaction() as session:
        LedgerStore(session).save_cursor("orders", "2026-11-01 (edited by hand)", datetime.now(UTC))
    with pytest.raises(CursorError):
        world.sync()
    assert world.last_run().outcome == "failed"
    world.sync(full=True)
    assert isinstance(world.cursor(), OrderCursor)
    assert world.sync().requests == 1


def test_a_key_that_cannot_read_customers_holds_guests_instead_of_failing(world: World) -> None:
    # a firewall in front of the shop refuses /customers (403): guests are held, not a failure
    world.sandbox.faults.server_error(5, status=403, path="/wc/v3/customers")
    guest = world.order(0, [("ASSIST-3H", 1)], billing_email="sans.compte@example.fr")
    summary = world.sync()
    assert summary.unassigned == 1 and world.lots(guest.id) == []


def test_the_seeded_shop_never_opens_a_lot_twice_whatever_runs(seeded_world: World) -> None:
    first = seeded_world.sync(per_page=7)
    assert first.lots_opened > 10 and first.quarantined == 0
    lots = seeded_world.all_lots()
    clients = {client for client, *_ in lots.values()}
    events = {client: seeded_world.events(client) for client in clients}
    for options in ({"full": True}, {}, {"full": True, "per_page": 100}, {"dry_run": True}, {}):
        again = seeded_world.sync(**options)
        assert (again.lots_opened, again.lots_changed, again.lots_voided) == (0, 0, 0), options
    assert seeded_world.all_lots() == lots
    assert {client: seeded_world.events(client) for client in clients} == events
