"""Literal scenario helpers: write a client's story in Paris wall time, read the engine's answer.

    lots = [lot("A", "2026-01-10 09:00", "3h")]          # a 3 h pack paid at 09:00 Paris
    entries = [work("e1", "2026-01-12 14:00", 45)]        # 45 min of production
    result = run(lots, entries, now="2026-02-01 00:00")
    assert used(result, "A") == 45

Times are Europe/Paris wall times unless they end in ``Z`` (UTC). Packs are the catalog's
defaults (docs/design.md §2.1): 3h/60 €/3 months, 5h/57 €/6 months, 10h/55 €/12 months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ledger.calendar import lot_expiry
from ledger.domain import (
    Allocation,
    Choice,
    ClientId,
    Decision,
    EntryId,
    EntryKind,
    FactKey,
    Lot,
    LotBalance,
    LotId,
    LotSource,
    Minutes,
    Policy,
    TicketId,
    TimeEntry,
)
from ledger.engine import allocate

PARIS = ZoneInfo("Europe/Paris")
CLIENT = ClientId(42)
BY_PACK = "by pack validity"

# pack name → (minutes, hourly rate, validity in months)
PACKS: dict[str, tuple[int, Decimal, int]] = {
    "3h": (180, Decimal("60.00"), 3),
    "5h": (300, Decimal("57.00"), 6),
    "10h": (600, Decimal("55.00"), 12),
}


def at(text: str) -> datetime:
    """``"2026-01-10 09:00"`` (Paris wall time) or ``"2026-01-10 08:00Z"`` (UTC) → aware UTC."""
    if text.endswith("Z"):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def lot(
    lot_id: str,
    opened: str,
    pack: str = "3h",
    *,
    quantity: int = 1,
    expires: str | None = BY_PACK,
    refunded: int = 0,
    voided: bool = False,
) -> Lot:
    """A shop lot: ``quantity`` packs paid at ``opened``, expiring after the pack's validity."""
    minutes, rate, months = PACKS[pack]
    opened_at = at(opened)
    if expires == BY_PACK:
        expires_at: datetime | None = lot_expiry(opened_at, months, PARIS)
    else:
        expires_at = None if expires is None else at(expires)
    return Lot(
        id=LotId(lot_id),
        client_id=CLIENT,
        opened_at=opened_at,
        expires_at=expires_at,
        quantity=quantity,
        pack_minutes=minutes,
        hourly_rate=rate,
        sku=f"ASSIST-{pack.upper()}",
        refunded_quantity=refunded,
        voided=voided,
    )


def credit(lot_id: str, opened: str, minutes: int, expires: str | None = None) -> Lot:
    """An admin credit of ``minutes`` (never expires unless told)."""
    return Lot(
        id=LotId(lot_id),
        client_id=CLIENT,
        opened_at=at(opened),
        expires_at=None if expires is None else at(expires),
        quantity=1,
        pack_minutes=minutes,
        hourly_rate=Decimal("0"),
        source=LotSource.ADJUSTMENT,
        reason="geste commercial",
    )


def work(
    entry_id: str,
    performed: str,
    minutes: int,
    kind: str = "production",
    ticket: str | None = None,
) -> TimeEntry:
    """A time entry of ``minutes`` performed at ``performed``."""
    return TimeEntry(
        id=EntryId(entry_id),
        client_id=CLIENT,
        kind=EntryKind(kind),
        minutes=minutes,
        performed_at=at(performed),
        ticket_id=None if ticket is None else TicketId(ticket),
    )


def decide(ticket: str, choice: str, decided: str = "2026-01-01 00:00") -> Decision:
    """The client's overrun decision on ``ticket``: ``"bill"`` or ``"buy_pack"``."""
    return Decision(TicketId(ticket), Choice(choice), at(decided))


def run(
    lots: Iterable[Lot],
    entries: Iterable[TimeEntry],
    decisions: Iterable[Decision] = (),
    *,
    now: str,
    policy: Policy = Policy(),  # noqa: B008 - frozen value
    previous: Mapping[FactKey, Minutes] | None = None,
) -> Allocation:
    return allocate(CLIENT, lots, entries, decisions, at(now), policy, previous)


def balance(result: Allocation, lot_id: str) -> LotBalance:
    (found,) = [b for b in result.lots if b.lot_id == lot_id]
    return found


def used(result: Allocation, lot_id: str) -> Minutes:
    return balance(result, lot_id).used


def charges(result: Allocation) -> list[tuple[str, str, int]]:
    """Charges as ``(entry, lot, minutes)``, absorbed ones marked with a ``+`` on the lot."""
    return [(c.entry_id, c.lot_id + ("+" if c.absorbed else ""), c.minutes) for c in result.charges]


def pending(result: Allocation) -> dict[str, int]:
    """Pending uncovered minutes by entry."""
    return {u.entry_id: u.minutes for u in result.uncovered if not u.billed}


def summed_events(result: Allocation) -> dict[FactKey, Minutes]:
    """What the event log sums to, zero keys dropped."""
    totals: dict[FactKey, Minutes] = {}
    for event in result.events:
        totals[event.key] = totals.get(event.key, 0) + event.delta
    return {key: value for key, value in totals.items() if value}
