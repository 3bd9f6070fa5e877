"""The ledger's tables (SQLAlchemy 2 typed models). Only ``ledger.store`` queries them.

Portable on SQLite and PostgreSQL: timestamps go through ``UTCDateTime`` (stored UTC, read back
timezone-aware UTC), money is ``Numeric(12, 2)`` read as ``Decimal``, enumerations are plain
text (no database enum types to migrate), JSON columns use the generic ``JSON`` type.
The Alembic migrations in ``ledger/migrations`` must match these models exactly (a test runs
the autogenerate comparison on both databases).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC ``datetime`` on every backend.

    Writing a naive datetime is a bug (whose clock?), so it raises. SQLite keeps the UTC wall
    time as text (sortable); PostgreSQL keeps a ``timestamptz``. Both read back aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the ledger: use UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Money = Numeric(12, 2, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: Money,
        dict[str, Any]: JSON,
    }


class Client(Base):
    """A WordPress user who buys packs. Balances are a cache of the last recompute."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    remaining_minutes: Mapped[int] = mapped_column(default=0)
    uncovered_minutes: Mapped[int] = mapped_column(default=0)
    billed_minutes: Mapped[int] = mapped_column(default=0)
    recomputed_at: Mapped[datetime | None]


class Order(Base):
    """A shop order as last read. ``client_id`` None: a guest order waiting for an admin."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    billing_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(40))
    date_paid: Mapped[datetime | None]
    date_modified: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class OrderStatusChange(Base):
    """Every status an order was seen in, in the order it was seen."""

    __tablename__ = "order_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    previous_status: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime]  # the order's date_modified when the new status was read
    recorded_at: Mapped[datetime]


class LotModel(Base):
    """A time credit: one paid order line or one admin credit, with its cached balance."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("order_id", "order_line_id"),
        CheckConstraint("quantity >= 0", name="quantity"),
        CheckConstraint("pack_minutes >= 0", name="pack_minutes"),
        CheckConstraint("refunded_quantity >= 0", name="refunded_quantity"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    sku: Mapped[str | None] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    order_line_id: Mapped[int | None]
    quantity: Mapped[int]
    pack_minutes: Mapped[int]
    hourly_rate: Mapped[Decimal]
    opened_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    used_minutes: Mapped[int] = mapped_column(default=0)
    expired_minutes: Mapped[int] = mapped_column(default=0)
    remaining_minutes: Mapped[int] = mapped_column(default=0)
    voided_minutes: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")


class TicketModel(Base):
    """A client-area ticket; its decision feeds the engine (rule 6)."""

    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40))
    estimate_minutes: Mapped[int | None]
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None]
    modified_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None]


class TimeEntryModel(Base):
    """Time spent for a client. Deleted rows stay as tombstones; the engine never sees them."""

    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes"),
        Index("ix_time_entries_client_id_deleted", "client_id", "deleted"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    ticket_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int]
    performed_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(200))
    modified_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None]


class ChargeModel(Base):
    """The current allocation: which lot covers which entry. Replaced when it changes."""

    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("time_entries.id"), index=True)
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    minutes: Mapped[int]
    absorbed: Mapped[bool] = mapped_column(Boolean, default=False)


class EventModel(Base):
    """The append-only log: every change to a client's credit, with its source (rule 10).

    Summing ``delta`` per (fact, lot_id, entry_id) gives the current value of each fact.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_client_id_id", "client_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    fact: Mapped[str] = mapped_column(String(20))
    lot_id: Mapped[str | None] = mapped_column(String(64))
    entry_id: Mapped[str | None] = mapped_column(String(64))
    delta: Mapped[int]
    value: Mapped[int]
    amount: Mapped[Decimal | None]
    effective_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))


class AdjustmentModel(Base):
    """An admin credit or debit; its id numbers the lot or entry it created ("adjust-<id>")."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    minutes: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class AdminFlag(Base):
    """Something an admin must look at, raised once per (kind, ref)."""

    __tablename__ = "admin_flags"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    ref: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class ProductPage(Base):
    """Where a pack is sold in the shop, as last read: its product and page (``url`` only for a
    published product; ``status`` ``missing`` when no product has the SKU)."""

    __tablename__ = "product_pages"

    sku: Mapped[str] = mapped_column(String(100), primary_key=True)
    product_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime]


class SyncCursor(Base):
    """Where an incremental sync resumes. Saved in the transaction of the rows it covers."""

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class SyncRun(Base):
    """One run of a job and how it ended."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_job_started_at", "job", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)


class QuarantinedRecord(Base):
    """A remote record the sync could not take, kept with its reason until it is fixed."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[Any] = mapped_column(JSON)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    count: Mapped[int] = mapped_column(default=1)


class OutboxModel(Base):
    """A write-back to a remote, one row per (kind, key): the latest content to deliver."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_outbox_kind_status_next_attempt_at", "kind", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class AccountState(Base):
    """The hash of the account payload last pushed, so that only changes are sent."""

    __tablename__ = "account_state"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    pushed_at: Mapped[datetime]


class WarningSent(Base):
    """A warning sent to a client: once and only once per (client, key), across restarts."""

    __tablename__ = "warnings_sent"
    __table_args__ = (UniqueConstraint("client_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class ReportModel(Base):
    """A report put on a client's account; the same content is never uploaded twice."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("client_id", "lot_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    lot_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[int | None]
    created_at: Mapped[datetime]
