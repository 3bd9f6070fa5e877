"""Where each change of a client's credit came from, in words, for the event log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.domain import EntryKind, Event, Fact, LotSource
from ledger.models import LotModel, TimeEntryModel


class EventSources:
    """Where each event's change came from, in words: "order 13 line 9", "time entry wp-40",
    "admin adjustment: <reason>". Looks up lots and entries, deleted ones included."""

    def __init__(self, session: Session, events: tuple[Event, ...]) -> None:
        lot_ids = {e.lot_id for e in events if e.lot_id}
        entry_ids = {e.entry_id for e in events if e.entry_id}
        self.lots = {
            r.id: r for r in session.scalars(select(LotModel).where(LotModel.id.in_(lot_ids)))
        }
        self.entries = {
            r.id: r
            for r in session.scalars(select(TimeEntryModel).where(TimeEntryModel.id.in_(entry_ids)))
        }

    def of(self, event: Event) -> str:
        if event.entry_id:
            entry = self.entries.get(event.entry_id)
            if entry is not None and entry.kind == EntryKind.ADJUSTMENT.value:
                return f"admin adjustment: {entry.note}"
            deleted = " (deleted)" if entry is not None and entry.deleted else ""
            return f"time entry {event.entry_id}{deleted}"
        lot = self.lots.get(event.lot_id or "")
        if lot is None:
            return f"lot {event.lot_id}"
        if lot.source == LotSource.ADJUSTMENT.value:
            return f"admin adjustment: {lot.reason or ''}".rstrip()
        if lot.order_id is not None:
            return f"order {lot.order_id} line {lot.order_line_id}"
        return f"lot {lot.id}"

    def reason(self, event: Event) -> str | None:
        """Why a lot's grant changed, when the shop side said so (a voided or reduced lot)."""
        lot = self.lots.get(event.lot_id or "")
        if event.fact is Fact.GRANT and lot is not None and lot.source != LotSource.ADJUSTMENT:
            return lot.reason
        return None
