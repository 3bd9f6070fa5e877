"""Ledger → account pages against the real sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sync.account_payload import content_hash
from sync.accounts import OUTBOX_KIND, retry_delay
from tests.sync.area_world import (  # noqa: F401 - fixtures
    AreaWorld,
    area_world_fixture,
    empty_area_world_fixture,
)
from wp_client.errors import TransientError

BATCH_ROUTE = "/assist/v1/accounts/batch"


def posts(world: AreaWorld) -> int:
    return world.sandbox.count(BATCH_ROUTE, "POST")


def client_with_story(world: AreaWorld) -> tuple[int, int]:
    """A client holding a 3 h pack: 75 min production, 30 training, 20 exchange on one ticket,
    and an open ticket estimated at 2 h (more than the 1 h 15 min left)."""
    shop, area = world.sandbox.shop, world.sandbox.area
    customer = shop.add_customer("claire@exemple.fr", "Claire", "Martin", at=world.at(-50))
    shop.add_order(customer.id, [("ASSIST-3H", 1)], paid_at=world.at(-40), created_at=world.at(-40))
    ticket = area.add_ticket(customer.id, "Ajouter une page Tarifs", status="done", at=world.at(1))
    for kind, minutes in (("production", 75), ("training", 30), ("exchange", 20)):
        area.add_entry(ticket.id, kind, minutes, at=world.at(2), performed_at=world.at(2))
    big = area.add_ticket(
        customer.id, "Refonte de la boutique", estimate_minutes=120, at=world.at(3)
    )
    world.orders(0)
    world.pull(5)
    return int(customer.id), big.id


def test_the_payload_says_it_in_french(empty_area_world: AreaWorld) -> None:
    w = empty_area_world
    client, big = client_with_story(w)
    summary = w.push(6)
    assert (summary.accounts_pushed, summary.failed, summary.requests) == (1, 0, 1)
    account = w.sandbox.area.accounts[client]
    payload = account.payload
    assert account.hash == content_hash(payload)
    assert payload["synced_at"] == w.at(6).strftime("%Y-%m-%dT%H:%M:%S")
    assert (payload["remaining_minutes"], payload["remaining_label"]) == (75, "1 h 15 min")
    assert payload["uncovered_minutes"] == 0
    [lot] = payload["lots"]
    assert lot["label"] == "Pack Assistance 3h" and lot["sku"] == "ASSIST-3H"
    assert (lot["granted_minutes"], lot["used_minutes"], lot["remaining_minutes"]) == (180, 105, 75)
    assert (lot["status"], lot["status_label"]) == ("open", "en cours")
    assert lot["opened_at"] == w.at(-40).strftime("%Y-%m-%dT%H:%M:%S")
    [task] = payload["recent_tasks"]
    assert task["title"] == "Ajouter une page Tarifs"
    assert task["minutes_by_kind"] == {"production": 75, "training": 30, "exchange": 20}
    assert task["deducted_minutes"] == 105 and "uncovered_minutes" not in task
    [warning] = payload["warnings"]
    assert warning["key"] == f"overrun:{big}" and warning["ticket_id"] == big
    assert warning["hourly_rate"] == "60.00" and warning["estimate_minutes"] == 120
    assert "Refonte de la boutique" in warning["message"] and "1 h 15 min" in warning["message"]
    assert payload["reports"] == []


def test_reports_uploaded_are_listed_with_a_french_title(empty_area_world: AreaWorld) -> None:
    w = empty_area_world
    client, _ = client_with_story(w)
    lot_id = w.store_value(lambda s: s.balance(client).lots[0].id)
    with w.db.transaction() as session:
        from ledger.store import LedgerStore

        LedgerStore(session).record_report(client, lot_id, "ab" * 32, 7, w.at(5))
        LedgerStore(session).record_report(client, lot_id, "cd" * 32, None, w.at(5))
    w.push(6)
    reports = w.sandbox.area.accounts[client].payload["reports"]
    opened = (w.at(-40) + timedelta(hours=1)).strftime("%d/%m/%Y")  # Europe/Paris
    assert reports == [
        {
            "id": 7,
            "title": f"Rapport d'intervention – Pack Assistance 3h du {opened}",
            "created_at": w.at(5).strftime("%Y-%m-%dT%H:%M:%S"),
        }
    ]


def test_only_changed_accounts_are_sent_and_a_quiet_run_sends_nothing(
    area_world: AreaWorld,
) -> None:
    w = area_world
    w.orders()
    w.pull(1)
    clients = w.store_value(lambda s: s.client_ids())
    first = w.push(2)
    assert first.accounts_pushed == len(clients) and first.failed == 0
    assert set(w.sandbox.area.accounts) == set(clients)
    sent = posts(w)

    quiet = w.push(3)  # nothing changed: not one request
    assert (quiet.accounts_pushed, quiet.unchanged, quiet.requests) == (0, len(clients), 0)
    assert posts(w) == sent

    entry = next(e for e in w.sandbox.area.entries.values() if not e.deleted)
    w.sandbox.area.edit_entry(entry.id, minutes=entry.minutes + 5, at=w.at(4))
    w.pull(5)
    one = w.push(6)
    assert (one.accounts_pushed, one.unchanged, one.requests) == (1, len(clients) - 1, 1)
    assert w.sandbox.area.accounts[entry.client_id].writes == 2
    assert all(a.writes == 1 for c, a in w.sandbox.area.accounts.items() if c != entry.client_id)
    assert w.store_value(lambda s: s.account_hash(entry.client_id)) == (
        w.sandbox.area.accounts[entry.client_id].hash
    )


def test_a_failed_push_is_retried_later_and_never_written_twice(
    empty_area_world: AreaWorld,
) -> None:
    w = empty_area_world
    client, _ = client_with_story(w)
    w.sandbox.faults.server_error(count=1, path=BATCH_ROUTE)
    with pytest.raises(TransientError):
        w.push(6)
    [item] = w.store_value(lambda s: s.due(OUTBOX_KIND, w.at(6) + retry_delay(0)))
    assert item.status == "failed" and item.attempts == 1 and "503" in (item.last_error or "")
    runs = w.store_value(lambda s: s.last_runs())
    assert runs["accounts"].outcome == "failed"
    assert client not in w.sandbox.area.accounts

    early = w.push(6)  # not due yet: waits for its retry time, sends nothing
    assert (early.requests, early.unchanged) == (0, 1)
    later = w.push(8)
    assert (later.accounts_pushed, later.requests) == (1, 1)
    assert w.sandbox.area.accounts[client].writes == 1
    assert w.push(9).requests == 0


def test_an_item_refused_by_the_client_area_is_retried_with_a_growing_delay(
    empty_area_world: AreaWorld,
) -> None:
    w = empty_area_world
    client, _ = client_with_story(w)
    with w.db.transaction() as session:
        from ledger.store import LedgerStore

        LedgerStore(session).ensure_client(9999, "parti@exemple.fr")  # no such WordPress user
    first = w.push(6)
    assert (first.accounts_pushed, first.failed) == (1, 1)
    assert first.errors == ("client 9999: assist_unknown_client: Aucun utilisateur 9999.",)
    assert client in w.sandbox.area.accounts
    second = w.push(6 + 2)
    assert (second.failed, second.requests) == (1, 1)
    [item] = w.store_value(lambda s: s.due(OUTBOX_KIND, w.at(6 + 2) + timedelta(days=1)))
    assert item.attempts == 2
    assert item.next_attempt_at == w.at(8) + retry_delay(1)


def test_a_crash_between_sending_and_marking_is_harmless(empty_area_world: AreaWorld) -> None:
    w = empty_area_world
    client, _ = client_with_story(w)
    real_push = w.area.push_accounts

    def push_then_crash(items: Any) -> Any:
        real_push(items)
        raise RuntimeError("the process died here")

    w.area.push_accounts = push_then_crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        w.push(6)
    assert w.sandbox.area.accounts[client].writes == 1
    w.area.push_accounts = real_push  # type: ignore[method-assign]
    again = w.push(7)
    assert (again.accounts_pushed, again.requests) == (1, 1)  # the server said "unchanged"
    assert w.sandbox.area.accounts[client].writes == 1
    assert w.push(8).requests == 0


def test_more_than_a_hundred_accounts_go_in_batches_of_a_hundred(
    empty_area_world: AreaWorld,
) -> None:
    w = empty_area_world
    from ledger.store import LedgerStore

    with w.db.transaction() as session:
        store = LedgerStore(session)
        for n in range(130):
            customer = w.sandbox.shop.add_customer(f"client{n}@exemple.fr", "Client", str(n))
            store.ensure_client(customer.id, customer.email)
    summary = w.push(1)
    assert (summary.accounts_pushed, summary.requests) == (130, 2)
    assert len(w.sandbox.area.accounts) == 130
    assert w.sandbox.area.accounts[max(w.sandbox.area.accounts)].payload["remaining_label"] == (
        "0 min"
    )


def test_full_pushes_every_account_again_and_dry_run_sends_nothing(
    area_world: AreaWorld,
) -> None:
    w = area_world
    w.orders()
    w.pull(1)
    clients = w.store_value(lambda s: s.client_ids())
    dry = w.push(2, dry_run=True)
    assert (dry.queued, dry.requests, dry.accounts_pushed) == (len(clients), 0, 0)
    assert w.sandbox.area.accounts == {} and "accounts" not in w.store_value(
        lambda s: s.last_runs()
    )
    w.push(2)
    full = w.push(3, full=True)
    assert full.accounts_pushed == len(clients) and full.requests == -(-len(clients) // 100)
    assert all(a.writes == 1 for a in w.sandbox.area.accounts.values())  # server: unchanged
    assert w.push(4).requests == 0
