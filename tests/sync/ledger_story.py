"""One client's literal story, written into a real ledger database for report and sweep tests.

Claire Martin (client 5) buys a 3 h pack on 1 December 2026 (order 13, line 9):

* ticket 12 "Ajouter une page Tarifs": a 20 min video brief (exchange, not deducted), 1 h 15 min
  of production, 30 min of training;
* ticket 14 "Corriger le formulaire de contact": 1 h 30 min of correction — only 1 h 15 min is
  left, so 15 min are uncovered; Claire chose to be billed (60,00 € HT/h → 15,00 €). The pack is
  used up.
* ticket 15 "Nouvelle bannière": 45 min of production on 20 December with no credit left and no
  decision; the 5 h pack bought on 10 January 2027 (order 20, line 1) absorbs it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from config import Settings
from ledger.db import Database
from ledger.domain import (
    Choice,
    ClientId,
    EntryId,
    EntryKind,
    Lot,
    LotId,
    TicketId,
    TimeEntry,
)
from ledger.records import OrderRecord, TicketRecord
from ledger.store import LedgerStore
from sync.policy import policy_from_settings

CLIENT = 5
LOT_3H = "order-13-line-9"
LOT_5H = "order-20-line-1"


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


class Story:
    """Writes one client's rows through a store (ids of tickets and entries are global)."""

    def __init__(self, store: LedgerStore, client: int) -> None:
        self.store = store
        self.client = client

    def lot(
        self,
        order_id: int,
        line: int,
        sku: str,
        hours: int,
        paid: datetime,
        expires: datetime | None,
        rate: str,
        quantity: int = 1,
    ) -> str:
        self.store.upsert_order(
            OrderRecord(
                id=order_id,
                status="completed",
                date_modified=paid,
                content_hash=f"h{order_id}",
                seen_at=paid,
                client_id=self.client,
                date_paid=paid,
            )
        )
        lot_id = f"order-{order_id}-line-{line}"
        self.store.upsert_lot(
            Lot(
                id=LotId(lot_id),
                client_id=ClientId(self.client),
                opened_at=paid,
                expires_at=expires,
                quantity=quantity,
                pack_minutes=hours * 60,
                hourly_rate=Decimal(rate),
                sku=sku,
                order_id=order_id,
                order_line_id=line,
            )
        )
        return lot_id

    def ticket(
        self,
        ticket_id: str,
        title: str,
        *,
        estimate: int | None = None,
        status: str = "done",
        decision: Choice | None = None,
        decided: datetime | None = None,
    ) -> None:
        self.store.upsert_ticket(
            TicketRecord(
                id=ticket_id,
                client_id=self.client,
                title=title,
                status=status,
                modified_at=decided or at(12, 1),
                estimate_minutes=estimate,
                decision=decision,
                decided_at=decided,
            )
        )

    def entry(
        self,
        entry_id: str,
        ticket: str,
        kind: EntryKind,
        minutes: int,
        when: datetime,
        note: str,
    ) -> None:
        entry = TimeEntry(
            EntryId(entry_id), ClientId(self.client), kind, minutes, when, TicketId(ticket), note
        )
        self.store.upsert_entry(entry, when)


def write_story(
    db: Database, settings: Settings, *, client: int = CLIENT, with_second_pack: bool = True
) -> None:
    """Claire's story as of 15 January 2027, recomputed at that date."""
    with db.transaction() as session:
        store = LedgerStore(session)
        store.ensure_client(client, "claire@example.fr", "Claire Martin")
        story = Story(store, client)
        story.lot(13, 9, "ASSIST-3H", 3, at(12, 1), at(3, 1, year=2027), "60.00")
        story.ticket("12", "Ajouter une page Tarifs", estimate=120)
        story.entry("wp-41", "12", EntryKind.EXCHANGE, 20, at(12, 3, 9), "Visio de cadrage")
        story.entry("wp-40", "12", EntryKind.PRODUCTION, 75, at(12, 3, 14), "Mise en page")
        story.entry("wp-42", "12", EntryKind.TRAINING, 30, at(12, 5), "Prise en main")
        story.ticket(
            "14", "Corriger le formulaire de contact", decision=Choice.BILL, decided=at(12, 9)
        )
        story.entry("wp-43", "14", EntryKind.CORRECTION, 90, at(12, 10), "Validation")
        story.ticket("15", "Nouvelle bannière")
        story.entry("wp-44", "15", EntryKind.PRODUCTION, 45, at(12, 20), "Bannière")
        if with_second_pack:
            story.lot(20, 1, "ASSIST-5H", 5, at(1, 10, year=2027), at(7, 10, year=2027), "57.00")
        store.recompute(client, at(1, 15, year=2027), policy_from_settings(settings))
