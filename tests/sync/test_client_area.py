"""Client area → ledger against the real sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ledger.domain import Choice, EntryKind
from ledger.store import LedgerStore
from sync.client_area import ENTRIES, TICKETS, VANISHED_FLAG
from sync.order_cursor import CursorError, OrderCursor
from tests.sync.area_world import (  # noqa: F401 - fixtures
    AreaWorld,
    area_world_fixture,
    empty_area_world_fixture,
)
from wp_client.errors import TransientError


def cursor_of(world: AreaWorld, name: str) -> OrderCursor | None:
    with world.db.read() as session:
        return OrderCursor.decode(LedgerStore(session).cursor(name))


def new_client_with_pack(world: AreaWorld, hours: str = "ASSIST-3H") -> int:
    customer = world.sandbox.shop.add_customer("lea@exemple.fr", "Léa", "Roux", at=world.at(-50))
    world.sandbox.shop.add_order(
        customer.id, [(hours, 1)], paid_at=world.at(-40), created_at=world.at(-40)
    )
    return int(customer.id)


def test_the_first_run_mirrors_every_ticket_and_entry(area_world: AreaWorld) -> None:
    area = area_world.sandbox.area
    area_world.orders()
    summary = area_world.pull(1)
    assert summary.tickets_read == len(area.tickets)
    assert summary.entries_read == len(area.entries)
    assert summary.records_read == len(area.tickets) + len(area.entries)
    assert summary.changed == summary.records_read and summary.quarantined == 0
    pages = -(-len(area.tickets) // 100) + -(-len(area.entries) // 100)
    assert summary.requests == pages
    for client in {e.client_id for e in area.entries.values()}:
        mirrored = area_world.entries(client)
        remote = area_world.live_remote_entries(client)
        assert set(mirrored) == set(remote)
        for key, row in remote.items():
            assert (mirrored[key].minutes, mirrored[key].kind.value) == (row.minutes, row.kind)
            assert mirrored[key].ticket_id == str(row.ticket_id)
        balance = area_world.balance(client)
        assert balance.recomputed_at == area_world.at(1)
        # Every deducted minute is drawn from a lot, or uncovered, or billed; exchange never.
        drawn = sum(lot.used_minutes for lot in balance.lots)
        deducted = sum(e.minutes for e in remote.values() if e.kind != "exchange")
        assert drawn + balance.uncovered_minutes + balance.billed_minutes == deducted
    both = [cursor_of(area_world, TICKETS), cursor_of(area_world, ENTRIES)]
    expected = area_world.at(1).replace(microsecond=0) - timedelta(seconds=300)
    assert [c.modified_after if c else None for c in both] == [expected, expected]
    runs = area_world.store_value(lambda s: s.last_runs())
    assert runs["client_area"].outcome == "ok"
    assert runs["client_area"].summary["records_read"] == summary.records_read


def test_staff_entries_then_an_edit_then_a_delete_are_reflected(
    empty_area_world: AreaWorld,
) -> None:
    w = empty_area_world
    client = new_client_with_pack(w)
    w.orders()
    ticket = w.sandbox.area.add_ticket(client, "Ajouter une page Tarifs", at=w.at(2))
    work = w.sandbox.area.add_entry(ticket.id, "production", 75, at=w.at(3), performed_at=w.at(3))
    w.sandbox.area.add_entry(ticket.id, "training", 30, at=w.at(3), performed_at=w.at(3))
    w.sandbox.area.add_entry(ticket.id, "exchange", 20, at=w.at(3), performed_at=w.at(3))
    first = w.pull(5)
    assert first.changed == 4 and first.recomputed == 2  # after the tickets, after the entries
    assert w.balance(client).remaining_minutes == 180 - 105

    w.sandbox.area.edit_entry(work.id, minutes=45, at=w.at(10))
    edited = w.pull(12)
    assert (edited.changed, edited.deleted) == (1, 0)
    assert w.entries(client)[f"wp-{work.id}"].minutes == 45
    assert w.balance(client).remaining_minutes == 180 - 75

    w.sandbox.area.delete_entry(work.id, at=w.at(20))
    deleted = w.pull(22)
    assert (deleted.changed, deleted.deleted) == (0, 1)
    assert f"wp-{work.id}" not in w.entries(client)
    assert w.balance(client).remaining_minutes == 180 - 30
    sources = [e.source for e in w.store_value(lambda s: s.events(client))]
    assert f"time entry wp-{work.id} (deleted)" in sources


def test_a_ticket_tombstone_deletes_the_ticket(empty_area_world: AreaWorld) -> None:
    w = empty_area_world
    client = new_client_with_pack(w)
    ticket = w.sandbox.area.add_ticket(client, "Page à supprimer", at=w.at(1))
    w.pull(2)
    assert [t.id for t in w.store_value(lambda s: s.tickets_of_client(client))] == [str(ticket.id)]
    w.sandbox.area.delete_ticket(ticket.id, at=w.at(3))
    summary = w.pull(4)
    assert summary.deleted == 1
    assert w.store_value(lambda s: s.tickets_of_client(client)) == []


def test_the_overlap_is_read_again_without_doubling_anything(area_world: AreaWorld) -> None:
    w = area_world
    w.orders()
    w.pull(1)
    events_before = w.store_value(lambda s: {c: len(s.events(c)) for c in s.client_ids()})
    ticket = next(iter(w.sandbox.area.tickets.values()))
    w.sandbox.area.add_entry(ticket.id, "correction", 15, at=w.at(0), performed_at=w.at(0))
    again = w.pull(2)
    last_query = [r.query for r in w.sandbox.requests if r.route == "/assist/v1/time-entries"][-1]
    assert last_query["modified_after"] == (w.at(1) - timedelta(seconds=300)).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    assert again.entries_read == 1 and again.changed == 1  # the new one only
    third = w.pull(3)  # the same entry is still inside the overlap window
    assert third.entries_read == 1 and third.changed == 0 and third.recomputed == 0
    events_after = w.store_value(lambda s: {c: len(s.events(c)) for c in s.client_ids()})
    changed = {c for c in events_after if events_after[c] != events_before.get(c)}
    assert changed == {ticket.client_id}


def test_a_failing_page_keeps_the_cursor_and_the_next_run_resumes(
    area_world: AreaWorld,
) -> None:
    w = area_world
    w.orders()
    real_pages = w.area.iter_entry_pages

    def failing_after_three(**kwargs: Any) -> Any:
        for number, page in enumerate(real_pages(**kwargs), start=1):
            yield page
            if number == 3:
                w.sandbox.faults.server_error(count=1, path="/assist/v1/time-entries")

    w.area.iter_entry_pages = failing_after_three  # type: ignore[method-assign]
    with pytest.raises(TransientError):
        w.pull(1, per_page=10)
    assert cursor_of(w, ENTRIES) is None  # never past a failed page
    assert cursor_of(w, TICKETS) is not None  # the tickets stream had finished
    mirrored = sum(len(w.entries(c)) for c in w.store_value(lambda s: s.client_ids()))
    assert 0 < mirrored < len(w.sandbox.area.entries)  # pages before the failure committed
    runs = w.store_value(lambda s: s.last_runs())
    assert runs["client_area"].outcome == "failed" and "503" in (runs["client_area"].error or "")

    w.area.iter_entry_pages = real_pages  # type: ignore[method-assign]
    resumed = w.pull(2, per_page=10)
    assert resumed.entries_read == len(w.sandbox.area.entries)  # from the same point
    mirrored = sum(len(w.entries(c)) for c in w.store_value(lambda s: s.client_ids()))
    assert mirrored == len(w.live_remote_entries())
    assert cursor_of(w, ENTRIES) is not None


def test_malformed_rows_are_quarantined_and_the_batch_goes_on(
    empty_area_world: AreaWorld,
) -> None:
    w = empty_area_world
    client = new_client_with_pack(w)
    area = w.sandbox.area
    ticket = area.add_ticket(client, "Refonte du menu", at=w.at(1))
    good = area.add_entry(ticket.id, "production", 30, at=w.at(1), performed_at=w.at(1))
    bad_kind = area.add_entry(ticket.id, "production", 30, at=w.at(1), performed_at=w.at(1))
    zero = area.add_entry(ticket.id, "training", 10, at=w.at(1), performed_at=w.at(1))
    area.edit_entry(bad_kind.id, kind="réunion", at=w.at(1))
    area.edit_entry(zero.id, minutes=0, at=w.at(1))
    summary = w.pull(2)
    assert summary.quarantined == 2 and summary.changed == 2  # the ticket and the good entry
    assert set(w.entries(client)) == {f"wp-{good.id}"}
    held = {q.record_id: q for q in w.store_value(lambda s: s.quarantined(ENTRIES))}
    assert set(held) == {f"wp-{bad_kind.id}", f"wp-{zero.id}"}
    assert "kind 'réunion'" in held[f"wp-{bad_kind.id}"].reason
    assert "minutes must be at least 1" in held[f"wp-{zero.id}"].reason
    assert held[f"wp-{zero.id}"].payload["id"] == zero.id

    area.edit_entry(bad_kind.id, kind="correction", at=w.at(5))  # fixed in the client area
    fixed = w.pull(6)
    assert fixed.released == 1
    assert f"wp-{bad_kind.id}" in w.entries(client)
    assert [q.record_id for q in w.store_value(lambda s: s.quarantined(ENTRIES))] == [
        f"wp-{zero.id}"
    ]


def test_an_entry_whose_ticket_is_not_known_yet_is_taken_once_it_arrives(
    empty_area_world: AreaWorld,
) -> None:
    w = empty_area_world
    client = new_client_with_pack(w)
    area = w.sandbox.area
    ticket = area.add_ticket(client, "Nouvelle bannière", at=w.at(1))
    entry = area.add_entry(ticket.id, "production", 40, at=w.at(1), performed_at=w.at(1))
    area.edit_ticket(ticket.id, status="in_progress", at=w.at(10))  # after the first bound
    first = w.pull(5)
    assert first.tickets_read == 0 and first.quarantined == 1
    [held] = w.store_value(lambda s: s.quarantined(ENTRIES))
    assert held.reason == f"unknown ticket {ticket.id} for client {client}"
    second = w.pull(15)
    assert second.released == 1 and second.requests == 2
    assert w.entries(client)[f"wp-{entry.id}"].minutes == 40
    assert w.store_value(lambda s: s.quarantined(ENTRIES)) == []


def test_decisions_change_the_allocation_bill_or_absorb(empty_area_world: AreaWorld) -> None:
    w = empty_area_world
    shop, area = w.sandbox.shop, w.sandbox.area
    billed = new_client_with_pack(w)
    absorbing = int(shop.add_customer("max@exemple.fr", "Max", "Blanc", at=w.at(-50)).id)
    shop.add_order(absorbing, [("ASSIST-3H", 1)], paid_at=w.at(-40), created_at=w.at(-40))
    w.orders(0)
    tickets = {}
    for client in (billed, absorbing):
        tickets[client] = area.add_ticket(client, "Boutique", estimate_minutes=200, at=w.at(1))
        area.add_entry(tickets[client].id, "production", 200, at=w.at(2), performed_at=w.at(2))
    w.pull(3)
    for client in (billed, absorbing):
        assert (w.balance(client).uncovered_minutes, w.balance(client).billed_minutes) == (20, 0)

    area.decide(tickets[billed].id, "bill", at=w.at(4))
    area.decide(tickets[absorbing].id, "buy_pack", at=w.at(4))
    w.pull(5)
    decided = w.store_value(lambda s: s.decisions_of_client(billed))
    assert [d.choice for d in decided] == [Choice.BILL]
    assert (w.balance(billed).uncovered_minutes, w.balance(billed).billed_minutes) == (0, 20)
    assert w.balance(absorbing).uncovered_minutes == 20  # waits for the new pack

    shop.add_order(absorbing, [("ASSIST-5H", 1)], paid_at=w.at(6), created_at=w.at(6))
    w.orders(7)
    balance = w.balance(absorbing)
    assert balance.uncovered_minutes == 0 and balance.remaining_minutes == 300 - 20


def test_client_filter_and_dry_run_move_no_cursor(area_world: AreaWorld) -> None:
    w = area_world
    w.orders()
    client = next(iter(w.sandbox.area.entries.values())).client_id
    dry = w.pull(1, dry_run=True)
    assert dry.changed > 0 and dry.dry_run
    assert sum(len(w.entries(c)) for c in w.store_value(lambda s: s.client_ids())) == 0
    assert cursor_of(w, ENTRIES) is None and "client_area" not in w.store_value(
        lambda s: s.last_runs()
    )
    narrow = w.pull(2, client_id=client)
    assert narrow.entries_read == sum(
        1 for e in w.sandbox.area.entries.values() if e.client_id == client
    )
    queries = [r.query for r in w.sandbox.requests if r.route.startswith("/assist/v1/")]
    assert all(q.get("client") == str(client) for q in queries[-2:])
    assert set(w.entries(client)) == set(w.live_remote_entries(client))
    assert cursor_of(w, ENTRIES) is None and cursor_of(w, TICKETS) is None


def test_a_full_run_reports_entries_gone_without_a_tombstone(area_world: AreaWorld) -> None:
    w = area_world
    w.orders()
    w.pull(1)
    victim = next(e for e in w.sandbox.area.entries.values() if not e.deleted)
    del w.sandbox.area.entries[victim.id]  # a hard delete: no tombstone
    incremental = w.pull(2)
    assert incremental.vanished == 0
    full = w.pull(3, full=True)
    assert full.vanished == 1 and full.vanished_ids == (f"wp-{victim.id}",)
    assert full.changed == 0 and full.records_read == len(w.sandbox.area.entries) + len(
        w.sandbox.area.tickets
    )
    assert f"wp-{victim.id}" in w.entries(victim.client_id)  # kept, not deleted silently
    flags = w.store_value(lambda s: s.open_flags())
    assert [(f.kind, f.ref) for f in flags] == [(VANISHED_FLAG, f"wp-{victim.id}")]
    assert EntryKind(victim.kind) in EntryKind


def test_an_unreadable_cursor_fails_a_run_and_a_full_run_rewrites_it(
    area_world: AreaWorld,
) -> None:
    w = area_world
    w.orders()
    with w.db.transaction() as session:
        LedgerStore(session).save_cursor(ENTRIES, "edited by hand", w.at(0))
    with pytest.raises(CursorError, match="not readable"):
        w.pull(1)
    full = w.pull(2, full=True)
    assert full.entries_read == len(w.sandbox.area.entries)
    assert cursor_of(w, ENTRIES) is not None
    assert w.pull(3).entries_read <= full.entries_read  # incremental again
