"""Facts and events: the auditable quantities of an allocation and how they change (rules 9–10).

A fact is one number under a key ``(fact, lot id or "", entry id or "")``:

* ``(GRANT, lot, "")`` — the lot's capacity (after refunds and voiding);
* ``(CHARGE, lot, entry)`` — minutes of the entry charged to the lot (absorbed or not);
* ``(EXPIRY, lot, "")`` — minutes of the lot lost at expiry;
* ``(UNCOVERED, "", entry)`` — minutes of the entry no lot covers, still pending;
* ``(BILLED, "", entry)`` — minutes of the entry billed as overage.

Zero-valued facts are left out. Events are the differences between two sets of facts, so the
append-only log always sums to the facts of the latest allocation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from ledger.domain import (
    Charge,
    EntryId,
    Event,
    Fact,
    FactKey,
    Lot,
    LotBalance,
    LotId,
    Minutes,
    TimeEntry,
    Uncovered,
)

# The order of events at one instant: what was granted, then how it was used, then what is left.
FACT_ORDER = (Fact.GRANT, Fact.CHARGE, Fact.UNCOVERED, Fact.BILLED, Fact.EXPIRY)
NO_AMOUNT = Decimal("0.00")


def fact_key_order(key: FactKey) -> tuple[int, str, str]:
    """The canonical order of fact keys: by kind (``FACT_ORDER``), then lot id, then entry id."""
    return (FACT_ORDER.index(Fact(key[0])), key[1], key[2])


def facts_of(
    balances: Iterable[LotBalance], charges: Iterable[Charge], uncovered: Iterable[Uncovered]
) -> dict[FactKey, Minutes]:
    """The non-zero facts of one allocation, in canonical key order."""
    facts: dict[FactKey, Minutes] = {}

    def add(key: FactKey, minutes: Minutes) -> None:
        facts[key] = facts.get(key, 0) + minutes

    for balance in balances:
        add((Fact.GRANT, balance.lot_id, ""), balance.granted - balance.voided)
        add((Fact.EXPIRY, balance.lot_id, ""), balance.expired)
    for charge in charges:
        add((Fact.CHARGE, charge.lot_id, charge.entry_id), charge.minutes)
    for part in uncovered:
        add((Fact.BILLED if part.billed else Fact.UNCOVERED, "", part.entry_id), part.minutes)
    return {key: facts[key] for key in sorted(facts, key=fact_key_order) if facts[key]}


def effective_at(
    key: FactKey,
    lots: Mapping[str, Lot],
    entries: Mapping[str, TimeEntry],
    now: datetime,
) -> datetime:
    """When a change of the fact ``key`` took effect in the client's story.

    GRANT: the lot's opening; CHARGE: the work, or the lot's opening when it absorbed the work
    later; EXPIRY: the lot's expiry; UNCOVERED and BILLED: the work. A fact whose lot or entry is
    gone (a deleted entry, a lot no longer loaded) changes ``now``.
    """
    fact, lot_id, entry_id = Fact(key[0]), key[1], key[2]
    lot, entry = lots.get(lot_id), entries.get(entry_id)
    if fact is Fact.GRANT and lot is not None:
        return lot.opened_at
    if fact is Fact.CHARGE and lot is not None and entry is not None:
        return max(entry.performed_at, lot.opened_at)
    if fact is Fact.EXPIRY and lot is not None and lot.expires_at is not None:
        return lot.expires_at
    if fact in (Fact.UNCOVERED, Fact.BILLED) and entry is not None:
        return entry.performed_at
    return now


def events_between(
    previous: Mapping[FactKey, Minutes],
    facts: Mapping[FactKey, Minutes],
    lots: Sequence[Lot],
    entries: Sequence[TimeEntry],
    uncovered: Iterable[Uncovered],
    now: datetime,
) -> tuple[Event, ...]:
    """One event per key whose value differs between ``previous`` (missing = 0) and ``facts``.

    Events come in canonical order: ``(at, FACT_ORDER, lot id, entry id)``. A BILLED event carries
    the billed amount after the change (``0.00`` when the billing disappeared).
    """
    lots_by_id: dict[str, Lot] = {lot.id: lot for lot in lots}
    entries_by_id: dict[str, TimeEntry] = {entry.id: entry for entry in entries}
    amounts = {part.entry_id: part.amount for part in uncovered if part.billed}
    old = {(Fact(k[0]), k[1], k[2]): v for k, v in previous.items()}
    events: list[Event] = []
    for key in set(old) | set(facts):
        before, after = old.get(key, 0), facts.get(key, 0)
        if before == after:
            continue
        fact, lot_id, entry_id = key
        amount = None
        if fact is Fact.BILLED:
            amount = amounts.get(EntryId(entry_id)) or NO_AMOUNT
        events.append(
            Event(
                fact=fact,
                lot_id=LotId(lot_id) if lot_id else None,
                entry_id=EntryId(entry_id) if entry_id else None,
                delta=after - before,
                value=after,
                at=effective_at(key, lots_by_id, entries_by_id, now),
                amount=amount,
            )
        )
    events.sort(key=lambda e: (e.at, *fact_key_order(e.key)))
    return tuple(events)
