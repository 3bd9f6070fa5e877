"""The account payload of one literal story (tests/sync/ledger_story.py), and its content hash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config import Settings
from ledger.db import Database, open_database
from ledger.domain import LotSource
from ledger.store import LedgerStore
from sync.account_payload import RECENT_TASKS, account_payload, content_hash
from sync.labels import lot_label
from sync.policy import policy_from_settings
from tests.sync.ledger_story import CLIENT, Story, at, write_story

NOW = at(1, 15, year=2027)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


def payload_of(db: Database, settings: Settings) -> dict[str, object]:
    with db.read() as session:
        return account_payload(LedgerStore(session), CLIENT, settings, NOW)


def test_claires_account_as_her_page_shows_it(db: Database) -> None:
    settings = Settings(woo_url="https://boutique.example.fr")
    write_story(db, settings)
    payload = payload_of(db, settings)
    assert payload["synced_at"] == "2027-01-15T10:00:00"
    assert (payload["remaining_minutes"], payload["remaining_label"]) == (255, "4 h 15 min")
    assert payload["uncovered_minutes"] == 0
    assert payload["lots"] == [
        {
            "id": "order-13-line-9",
            "sku": "ASSIST-3H",
            "label": "Pack Assistance 3h",
            "opened_at": "2026-12-01T10:00:00",
            "expires_at": "2027-03-01T10:00:00",
            "granted_minutes": 180,
            "used_minutes": 180,
            "expired_minutes": 0,
            "remaining_minutes": 0,
            "status": "used_up",
            "status_label": "épuisé",
        },
        {
            "id": "order-20-line-1",
            "sku": "ASSIST-5H",
            "label": "Pack Assistance 5h",
            "opened_at": "2027-01-10T10:00:00",
            "expires_at": "2027-07-10T10:00:00",
            "granted_minutes": 300,
            "used_minutes": 45,
            "expired_minutes": 0,
            "remaining_minutes": 255,
            "status": "open",
            "status_label": "en cours",
        },
    ]
    assert payload["recent_tasks"] == [
        {
            "ticket_id": 15,
            "title": "Nouvelle bannière",
            "performed_at": "2026-12-20T10:00:00",
            "minutes_by_kind": {"production": 45},
            "deducted_minutes": 45,  # absorbed by the 5 h pack bought later
        },
        {
            "ticket_id": 14,
            "title": "Corriger le formulaire de contact",
            "performed_at": "2026-12-10T10:00:00",
            "minutes_by_kind": {"correction": 90},
            "deducted_minutes": 75,
            "uncovered_minutes": 15,  # billed at the pack's rate (Claire's decision)
        },
        {
            "ticket_id": 12,
            "title": "Ajouter une page Tarifs",
            "performed_at": "2026-12-05T10:00:00",
            "minutes_by_kind": {"production": 75, "training": 30, "exchange": 20},
            "deducted_minutes": 105,
        },
    ]
    warnings = payload["warnings"]
    assert isinstance(warnings, list)
    assert [w["key"] for w in warnings] == ["used_up:order-13-line-9"]
    assert "Votre Pack Assistance 3h acheté le 1er décembre 2026" in warnings[0]["message"]
    assert payload["reports"] == []


def test_an_admin_debit_is_a_task_of_its_own_and_tasks_are_capped(db: Database) -> None:
    settings = Settings()
    write_story(db, settings)
    with db.transaction() as session:
        store = LedgerStore(session)
        store.add_adjustment(CLIENT, -30, "Intervention par téléphone", NOW, "admin")
    tasks = payload_of(db, settings)["recent_tasks"]
    assert isinstance(tasks, list)
    assert tasks[0] == {
        "ticket_id": None,
        "title": "Ajustement : Intervention par téléphone",
        "performed_at": "2027-01-15T10:00:00",
        "minutes_by_kind": {"adjustment": 30},
        "deducted_minutes": 30,
    }
    assert len(tasks) == 4 <= RECENT_TASKS


def test_the_hash_ignores_synced_at_and_key_order_but_nothing_else(db: Database) -> None:
    settings = Settings()
    write_story(db, settings)
    payload = payload_of(db, settings)
    later = {**payload, "synced_at": "2030-01-01T00:00:00"}
    reordered = dict(reversed(list(payload.items())))
    assert content_hash(payload) == content_hash(later) == content_hash(reordered)
    assert len(content_hash(payload)) == 64
    changed = {**payload, "remaining_minutes": 254}
    assert content_hash(changed) != content_hash(payload)
    with db.read() as session:  # built twice from the same ledger: the same bytes
        again = account_payload(LedgerStore(session), CLIENT, settings, NOW)
    assert content_hash(again) == content_hash(payload)


def test_a_line_of_two_packs_is_named_with_its_quantity(db: Database) -> None:
    settings = Settings()
    with db.transaction() as session:
        store = LedgerStore(session)
        store.ensure_client(CLIENT, "claire@example.fr", "Claire Martin")
        Story(store, CLIENT).lot(30, 2, "ASSIST-10H", 10, at(12, 1), None, "55.00", quantity=2)
        store.recompute(CLIENT, NOW, policy_from_settings(settings))
    [lot] = payload_of(db, settings)["lots"]  # type: ignore[misc]
    assert (lot["label"], lot["granted_minutes"]) == ("2 × Pack Assistance 10h", 1200)


def test_one_pack_and_an_admin_credit_keep_their_plain_names() -> None:
    class Line:
        def __init__(self, sku: str | None, source: LotSource, quantity: int) -> None:
            self.sku, self.source, self.quantity = sku, source, quantity

    catalog = Settings().catalog
    assert lot_label(Line("ASSIST-3H", LotSource.ORDER_LINE, 1), catalog) == "Pack Assistance 3h"
    assert lot_label(Line(None, LotSource.ADJUSTMENT, 3), catalog) == "Crédit ajouté"
