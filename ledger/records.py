"""What the store hands out and takes in besides the domain values: frozen rows and records.

These are plain values so that callers never hold an ORM object (no lazy loading, no session
bound to them). Timestamps are timezone-aware UTC; minutes are ``int``; money is ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.domain import Choice, LotSource, LotStatus


class Change(StrEnum):
    """What an upsert did: created the row, changed it, or found it identical."""

    OPENED = "opened"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


def order_lot_id(order_id: int, line_id: int) -> str:
    """The lot id of one shop order line: the same line always gives the same lot."""
    return f"order-{order_id}-line-{line_id}"


def adjustment_id(number: int) -> str:
    """The id of the admin lot or entry created by adjustment ``number``."""
    return f"adjust-{number}"


@dataclass(frozen=True)
class OrderRecord:
    """A shop order as the ledger keeps it. ``client_id`` None: a guest order not matched yet.

    ``content_hash`` is a digest of the fields the sync cares about (a change of it is a change
    of the order); ``seen_at`` is when the sync read it.
    """

    id: int
    status: str
    date_modified: datetime
    content_hash: str
    seen_at: datetime
    client_id: int | None = None
    billing_email: str | None = None
    date_paid: datetime | None = None


@dataclass(frozen=True)
class OrderRow:
    """A stored order, with when it was first and last read."""

    id: int
    client_id: int | None
    billing_email: str | None
    status: str
    date_paid: datetime | None
    date_modified: datetime
    content_hash: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class ProductPageRow:
    """A pack's product in the shop as last read (``url`` None: missing or not published)."""

    sku: str
    product_id: int | None
    status: str  # the product's status, or MISSING_PRODUCT
    url: str | None
    fetched_at: datetime


MISSING_PRODUCT = "missing"


@dataclass(frozen=True)
class TicketRecord:
    """A client-area ticket: its estimate and the client's overrun decision, if any."""

    id: str
    client_id: int
    title: str
    status: str
    modified_at: datetime
    estimate_minutes: int | None = None
    decision: Choice | None = None
    decided_at: datetime | None = None
    deleted: bool = False


RUNNING = "running"  # the outcome of a run's marker while it is under way


@dataclass(frozen=True)
class RunRecord:
    """One run of a job. ``outcome`` is ``ok``, ``failed`` or ``skipped`` — or ``running``
    for the marker of a run under way (``finished_at`` None), removed once it is recorded."""

    job: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class LotRow:
    """A lot with its cached balance (as of the client's last recompute)."""

    id: str
    client_id: int
    source: LotSource
    sku: str | None
    order_id: int | None
    order_line_id: int | None
    quantity: int
    pack_minutes: int
    refunded_quantity: int
    voided: bool
    hourly_rate: Decimal
    opened_at: datetime
    expires_at: datetime | None
    reason: str | None
    granted_minutes: int
    used_minutes: int
    expired_minutes: int
    remaining_minutes: int
    voided_minutes: int  # granted minutes the lot no longer holds: refunded packs, or all if voided
    status: LotStatus

    @property
    def refunded_minutes(self) -> int:
        """Minutes of the packs refunded from a lot that still counts (0 once it is voided)."""
        return 0 if self.voided else self.voided_minutes

    @property
    def cancelled_minutes(self) -> int:
        """Minutes a voided lot no longer holds (its whole grant); 0 for a lot that counts.

        ``granted = used + expired + remaining + refunded + cancelled``, always.
        """
        return self.voided_minutes if self.voided else 0


@dataclass(frozen=True)
class ClientBalance:
    """A client's cached balance and lots, oldest lot first. ``recomputed_at`` None: never."""

    client_id: int
    email: str | None
    name: str | None
    remaining_minutes: int
    uncovered_minutes: int
    billed_minutes: int
    recomputed_at: datetime | None
    lots: tuple[LotRow, ...]

    @property
    def open_lots(self) -> tuple[LotRow, ...]:
        return tuple(lot for lot in self.lots if lot.status is LotStatus.OPEN)


@dataclass(frozen=True)
class ClientRow:
    """One line of the client list."""

    id: int
    email: str | None
    name: str | None
    remaining_minutes: int
    uncovered_minutes: int
    open_lots: int
    recomputed_at: datetime | None


@dataclass(frozen=True)
class EventRow:
    """One entry of the append-only log. ``source`` says where the change came from."""

    id: int
    client_id: int
    fact: str
    lot_id: str | None
    entry_id: str | None
    delta: int
    value: int
    amount: Decimal | None
    effective_at: datetime
    recorded_at: datetime
    source: str
    reason: str | None
    actor: str


@dataclass(frozen=True)
class OutboxItem:
    """A write-back waiting to be sent (or sent, or failed and waiting for ``next_attempt_at``)."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    content_hash: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class ReportRow:
    """A report put on a client's account."""

    id: int
    client_id: int
    lot_id: str
    sha256: str
    remote_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class QuarantineRow:
    """A record the sync could not take, with why, how often and since when."""

    source: str
    record_id: str
    reason: str
    payload: Any
    first_seen: datetime
    last_seen: datetime
    count: int


@dataclass(frozen=True)
class FlagRow:
    """Something an admin must look at (an amount-only refund, an unassigned order...)."""

    id: int
    kind: str
    ref: str
    message: str
    created_at: datetime
    resolved_at: datetime | None
