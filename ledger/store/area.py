"""The client-area side of the store: mirrored tickets and time entries, with tombstones.

A record read again with an older ``modified_at`` than the stored one is stale (an overlapping
window, a retried page) and changes nothing. Deleting keeps the row as a tombstone: the engine
no longer sees it, the audit log still names it, and a later, newer version brings it back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ledger.domain import Choice, Decision, TicketId, TimeEntry
from ledger.models import ChargeModel, TicketModel, TimeEntryModel
from ledger.records import Change, TicketRecord
from ledger.store.base import StoreBase, entry_from_model

TICKET_FIELDS = (
    "client_id",
    "title",
    "status",
    "estimate_minutes",
    "decision",
    "decided_at",
    "modified_at",
    "deleted",
)
ENTRY_FIELDS = (
    "client_id",
    "ticket_id",
    "kind",
    "minutes",
    "performed_at",
    "note",
    "modified_at",
    "deleted",
)


class AreaRepository(StoreBase):
    # --- tickets -------------------------------------------------------------------------

    def upsert_ticket(self, ticket: TicketRecord) -> Change:
        """Store a ticket (its estimate and decision); stale versions change nothing."""
        self._touch_client(ticket.client_id)
        values: dict[str, object] = {
            "client_id": ticket.client_id,
            "title": ticket.title,
            "status": ticket.status,
            "estimate_minutes": ticket.estimate_minutes,
            "decision": ticket.decision.value if ticket.decision is not None else None,
            "decided_at": ticket.decided_at,
            "modified_at": ticket.modified_at,
            "deleted": ticket.deleted,
        }
        row = self.session.get(TicketModel, ticket.id)
        if row is None:
            deleted_at = ticket.modified_at if ticket.deleted else None
            self.session.add(TicketModel(id=ticket.id, deleted_at=deleted_at, **values))
            self.session.flush()
            return Change.OPENED
        if ticket.modified_at < row.modified_at:
            return Change.UNCHANGED
        return self._apply(row, values, TICKET_FIELDS, ticket.modified_at)

    def delete_ticket(self, ticket_id: str, now: datetime) -> bool:
        """Tombstone the ticket; True if it existed and was not deleted yet."""
        return self._tombstone(self.session.get(TicketModel, ticket_id), now)

    def tickets_of_client(
        self, client_id: int, *, include_deleted: bool = False
    ) -> list[TicketRecord]:
        query = select(TicketModel).where(TicketModel.client_id == client_id)
        if not include_deleted:
            query = query.where(TicketModel.deleted.is_(False))
        rows = self.session.scalars(query.order_by(TicketModel.id))
        return [
            TicketRecord(
                id=r.id,
                client_id=r.client_id,
                title=r.title,
                status=r.status,
                modified_at=r.modified_at,
                estimate_minutes=r.estimate_minutes,
                decision=Choice(r.decision) if r.decision is not None else None,
                decided_at=r.decided_at,
                deleted=r.deleted,
            )
            for r in rows
        ]

    def decisions_of_client(self, client_id: int) -> list[Decision]:
        """The overrun decisions of the client's live tickets, for the engine."""
        return [
            Decision(TicketId(t.id), t.decision, t.decided_at)
            for t in self.tickets_of_client(client_id)
            if t.decision is not None and t.decided_at is not None
        ]

    # --- time entries --------------------------------------------------------------------

    def upsert_entry(
        self, entry: TimeEntry, modified_at: datetime, *, author: str | None = None
    ) -> Change:
        """Store a time entry; a newer version of a deleted one brings it back."""
        self._touch_client(entry.client_id)
        values: dict[str, object] = {
            "client_id": entry.client_id,
            "ticket_id": entry.ticket_id,
            "kind": entry.kind.value,
            "minutes": entry.minutes,
            "performed_at": entry.performed_at,
            "note": entry.note,
            "modified_at": modified_at,
            "deleted": False,
        }
        row = self.session.get(TimeEntryModel, entry.id)
        if row is None:
            self.session.add(TimeEntryModel(id=entry.id, author=author, **values))
            self.session.flush()
            return Change.OPENED
        if modified_at < row.modified_at or (row.deleted and modified_at == row.modified_at):
            return Change.UNCHANGED
        if author is not None:
            row.author = author
        return self._apply(row, values, ENTRY_FIELDS, modified_at)

    def delete_entry(self, entry_id: str, now: datetime) -> bool:
        """Tombstone the entry (the engine stops seeing it); True if it was live."""
        return self._tombstone(self.session.get(TimeEntryModel, entry_id), now)

    def get_entry(self, entry_id: str) -> TimeEntry | None:
        row = self.session.get(TimeEntryModel, entry_id)
        return None if row is None or row.deleted else entry_from_model(row)

    def entries_of_client(self, client_id: int) -> list[TimeEntry]:
        """The client's live entries in the order they were performed."""
        rows = self.session.scalars(
            select(TimeEntryModel)
            .where(TimeEntryModel.client_id == client_id, TimeEntryModel.deleted.is_(False))
            .order_by(TimeEntryModel.performed_at, TimeEntryModel.id)
        )
        return [entry_from_model(r) for r in rows]

    def charges_of_lot(self, lot_id: str) -> list[tuple[TimeEntry, int, bool]]:
        """``(entry, minutes, absorbed)`` drawn from the lot (as of the last recompute)."""
        rows = self.session.execute(
            select(TimeEntryModel, ChargeModel.minutes, ChargeModel.absorbed)
            .join(ChargeModel, ChargeModel.entry_id == TimeEntryModel.id)
            .where(ChargeModel.lot_id == lot_id)
            .order_by(TimeEntryModel.performed_at, TimeEntryModel.id)
        )
        return [(entry_from_model(e), minutes, absorbed) for e, minutes, absorbed in rows]

    # --- shared --------------------------------------------------------------------------

    def _apply(
        self,
        row: TicketModel | TimeEntryModel,
        values: dict[str, object],
        fields: tuple[str, ...],
        modified_at: datetime,
    ) -> Change:
        differs = [name for name in fields if getattr(row, name) != values[name]]
        if not differs or differs == ["modified_at"]:
            if differs:
                row.modified_at = modified_at
                self.session.flush()
            return Change.UNCHANGED
        for name in differs:
            setattr(row, name, values[name])
        if "deleted" in differs:
            row.deleted_at = modified_at if row.deleted else None
        self.session.flush()
        return Change.CHANGED

    def _tombstone(self, row: TicketModel | TimeEntryModel | None, now: datetime) -> bool:
        if row is None or row.deleted:
            return False
        row.deleted = True
        row.deleted_at = now
        self.session.flush()
        return True
