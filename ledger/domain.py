"""The ledger's vocabulary: small frozen values, no behaviour beyond what they mean.

Everything here is pure data. The engine (``ledger.engine.allocate``) turns a client's lots,
time entries and decisions into an ``Allocation``; persistence (``ledger.store``) loads and saves
these values. Timestamps are timezone-aware UTC ``datetime``s; minutes are ``int``; money is
``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, NewType
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")  # the agency's calendar, unless configured otherwise

Minutes = int
ClientId = NewType("ClientId", int)
LotId = NewType("LotId", str)
EntryId = NewType("EntryId", str)
TicketId = NewType("TicketId", str)


class EntryKind(StrEnum):
    """What a time entry was spent on. Only ``exchange`` is never deducted (rule 3)."""

    PRODUCTION = "production"
    CORRECTION = "correction"
    TRAINING = "training"
    EXCHANGE = "exchange"
    ADJUSTMENT = "adjustment"  # an admin debit: deducted like work, sourced to a reason

    @property
    def deducted(self) -> bool:
        return self is not EntryKind.EXCHANGE


class LotSource(StrEnum):
    ORDER_LINE = "order_line"  # opened by a paid shop order line (rule 1)
    ADJUSTMENT = "adjustment"  # an admin credit with its reason


class LotStatus(StrEnum):
    OPEN = "open"
    USED_UP = "used_up"
    EXPIRED = "expired"
    VOIDED = "voided"


class Choice(StrEnum):
    """The client's answer to an overrun warning (rule 6)."""

    BUY_PACK = "buy_pack"  # the next lot absorbs the uncovered time
    BILL = "bill"  # uncovered time of that ticket is billed at the held pack's hourly rate


@dataclass(frozen=True)
class Lot:
    """A time credit: one paid order line (or one admin credit).

    ``quantity`` packs of ``pack_minutes`` each were bought; ``refunded_quantity`` of them were
    refunded since; ``voided`` means the whole lot no longer counts (cancelled, refunded, failed or
    trashed order). A lot covers work performed in ``[opened_at, expires_at)``; ``expires_at`` None
    means it never expires (admin credits).
    """

    id: LotId
    client_id: ClientId
    opened_at: datetime
    expires_at: datetime | None
    quantity: int
    pack_minutes: Minutes
    hourly_rate: Decimal
    sku: str | None = None
    source: LotSource = LotSource.ORDER_LINE
    order_id: int | None = None
    order_line_id: int | None = None
    refunded_quantity: int = 0
    voided: bool = False
    reason: str | None = None

    @property
    def granted_minutes(self) -> Minutes:
        """What was bought, before refunds and voiding."""
        return self.quantity * self.pack_minutes

    @property
    def capacity_minutes(self) -> Minutes:
        """What the lot can still cover after refunds and voiding."""
        if self.voided:
            return 0
        return max(0, self.quantity - self.refunded_quantity) * self.pack_minutes


@dataclass(frozen=True)
class TimeEntry:
    """Time spent for a client, mirrored from the client area (or an admin debit)."""

    id: EntryId
    client_id: ClientId
    kind: EntryKind
    minutes: Minutes
    performed_at: datetime
    ticket_id: TicketId | None = None
    note: str = ""


@dataclass(frozen=True)
class Decision:
    """A client's overrun decision on a ticket, as recorded in the client area."""

    ticket_id: TicketId
    choice: Choice
    decided_at: datetime


@dataclass(frozen=True)
class Policy:
    """The configuration the engine needs, passed in so that the engine reads nothing itself.

    ``rounding_minutes`` rounds each deducted entry up to a multiple (1 = no rounding).
    ``unit_rates`` are ``(since, hourly rate)`` pairs used to bill overage when no pack is held;
    their days are calendar days in ``timezone`` (the agency's, like every date a client reads).
    """

    rounding_minutes: int = 1
    unit_rates: tuple[tuple[date, Decimal], ...] = ((date(2021, 1, 1), Decimal("65.00")),)
    timezone: ZoneInfo = PARIS


# --- what the engine returns -------------------------------------------------------------
# Named tuples, not dataclasses: an allocation makes a charge, a fact and often an event per
# entry; a tuple costs a third of a frozen dataclass to build, and one holding only plain
# values is left alone by the cyclic garbage collector once it has seen it.


class Charge(NamedTuple):
    """``minutes`` of entry ``entry_id`` drawn from lot ``lot_id``.

    ``absorbed`` is True when the lot was opened after the work and took it as uncovered time.
    """

    entry_id: EntryId
    lot_id: LotId
    minutes: Minutes
    absorbed: bool = False


class Uncovered(NamedTuple):
    """Minutes of an entry that no lot covers.

    ``billed`` is True when the ticket's decision is to bill them; ``amount`` is then the price
    at ``hourly_rate`` (the held pack's rate, or the unit rate when none is held).
    """

    entry_id: EntryId
    minutes: Minutes
    billed: bool = False
    hourly_rate: Decimal | None = None
    amount: Decimal | None = None


class LotBalance(NamedTuple):
    """Where a lot's minutes went. ``granted = used + expired + remaining + voided`` always."""

    lot_id: LotId
    granted: Minutes
    used: Minutes
    expired: Minutes
    remaining: Minutes
    voided: Minutes
    status: LotStatus


class Fact(StrEnum):
    """The kinds of derived quantity an event can change."""

    GRANT = "grant"  # capacity of a lot (opening, refunds, voiding)
    CHARGE = "charge"  # minutes of an entry drawn from a lot
    EXPIRY = "expiry"  # minutes of a lot lost at expiry
    UNCOVERED = "uncovered"  # minutes of an entry not covered and not billed (yet)
    BILLED = "billed"  # minutes of an entry billed as overage


FactKey = tuple[Fact, str, str]  # (fact, lot id or "", entry id or "")


class Event(NamedTuple):
    """One change to a client's credit, for the append-only log (rule 10).

    ``delta`` is the change of the fact's value and ``value`` its new value, so the log sums to
    the balances. ``at`` is when the change took effect in the client's story (payment, work,
    expiry), not when it was recorded.
    """

    fact: Fact
    lot_id: LotId | None
    entry_id: EntryId | None
    delta: Minutes
    value: Minutes
    at: datetime
    amount: Decimal | None = None

    @property
    def key(self) -> FactKey:
        return (self.fact, self.lot_id or "", self.entry_id or "")


@dataclass(frozen=True)
class Allocation:
    """The engine's answer for one client at ``now``."""

    client_id: ClientId
    now: datetime
    charges: tuple[Charge, ...]
    uncovered: tuple[Uncovered, ...]
    lots: tuple[LotBalance, ...]
    facts: dict[FactKey, Minutes] = field(hash=False, compare=True)
    events: tuple[Event, ...]

    @property
    def remaining_minutes(self) -> Minutes:
        return sum(lot.remaining for lot in self.lots)

    @property
    def uncovered_minutes(self) -> Minutes:
        """Uncovered time still owed (neither absorbed by a later lot nor billed)."""
        return sum(u.minutes for u in self.uncovered if not u.billed)

    @property
    def billed_minutes(self) -> Minutes:
        return sum(u.minutes for u in self.uncovered if u.billed)
