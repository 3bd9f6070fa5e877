"""What every part of the store shares: the session, row ↔ value conversions, insert-or-ignore."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ledger.domain import (
    ClientId,
    EntryId,
    EntryKind,
    Lot,
    LotId,
    LotSource,
    LotStatus,
    TicketId,
    TimeEntry,
)
from ledger.models import Base, Client, LotModel, TimeEntryModel
from ledger.records import LotRow


class UnknownClient(LookupError):
    """No client with that id (or e-mail) is in the ledger."""

    def __init__(self, client: int | str) -> None:
        super().__init__(f"no client {client} in the ledger")
        self.client = client


class StoreBase:
    """A repository bound to one Session. It flushes, it never commits: the caller's
    ``Database.transaction()`` decides, so a cursor and the rows it covers commit together."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _insert_ignore(self, model: type[Base], values: dict[str, Any], keys: list[str]) -> bool:
        """INSERT unless a row with the same ``keys`` exists; True if a row was inserted.

        One statement (``ON CONFLICT DO NOTHING``), so two writers racing cannot both insert.
        """
        table = model.__table__
        # The backend's own module, imported now: importing both at start-up cost every command
        # ~0.1 s (PostgreSQL's pulls in each of its drivers) for nothing.
        dialect = importlib.import_module(f"sqlalchemy.dialects.{self.dialect}")
        statement = (
            dialect.insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=keys)
            .returning(*inspect(model).primary_key)
        )
        # RETURNING rather than rowcount: psycopg reports -1 for ON CONFLICT inserts.
        return self.session.execute(statement).first() is not None

    def _client_model(self, client_id: int) -> Client:
        client = self.session.get(Client, client_id)
        if client is None:
            raise UnknownClient(client_id)
        return client

    def _touch_client(self, client_id: int) -> Client:
        """The client's row, created bare when the first order or entry of a user arrives."""
        self._create_client(client_id)
        client = self.session.get(Client, client_id)
        assert client is not None  # it exists now: created here or by a concurrent writer
        return client

    def _create_client(
        self, client_id: int, email: str | None = None, name: str | None = None
    ) -> bool:
        """Create the client's row unless it exists; True if this call created it.

        One INSERT ... ON CONFLICT DO NOTHING: on PostgreSQL a concurrent writer creating the
        same client (the daemon and an admin's hand sync) waits for the other one and then
        finds its row, instead of failing on the primary key.
        """
        if self.session.get(Client, client_id) is not None:
            return False
        values = {
            "id": client_id,
            "email": email,
            "name": name,
            "remaining_minutes": 0,
            "uncovered_minutes": 0,
            "billed_minutes": 0,
        }
        return self._insert_ignore(Client, values, ["id"])


def lot_from_model(row: LotModel) -> Lot:
    return Lot(
        id=LotId(row.id),
        client_id=ClientId(row.client_id),
        opened_at=row.opened_at,
        expires_at=row.expires_at,
        quantity=row.quantity,
        pack_minutes=row.pack_minutes,
        hourly_rate=row.hourly_rate,
        sku=row.sku,
        source=LotSource(row.source),
        order_id=row.order_id,
        order_line_id=row.order_line_id,
        refunded_quantity=row.refunded_quantity,
        voided=row.voided,
        reason=row.reason,
    )


def lot_row_from_model(row: LotModel) -> LotRow:
    return LotRow(
        id=row.id,
        client_id=row.client_id,
        source=LotSource(row.source),
        sku=row.sku,
        order_id=row.order_id,
        order_line_id=row.order_line_id,
        quantity=row.quantity,
        pack_minutes=row.pack_minutes,
        refunded_quantity=row.refunded_quantity,
        voided=row.voided,
        hourly_rate=row.hourly_rate,
        opened_at=row.opened_at,
        expires_at=row.expires_at,
        reason=row.reason,
        granted_minutes=row.quantity * row.pack_minutes,
        used_minutes=row.used_minutes,
        expired_minutes=row.expired_minutes,
        remaining_minutes=row.remaining_minutes,
        voided_minutes=row.voided_minutes,
        status=LotStatus(row.status),
    )


def entry_from_model(row: TimeEntryModel) -> TimeEntry:
    return TimeEntry(
        id=EntryId(row.id),
        client_id=ClientId(row.client_id),
        kind=EntryKind(row.kind),
        minutes=row.minutes,
        performed_at=row.performed_at,
        ticket_id=TicketId(row.ticket_id) if row.ticket_id is not None else None,
        note=row.note,
    )
