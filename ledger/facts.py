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
FACT_RANK: dict[str, int] = {fact: rank for rank, fact in enumerate(FACT_ORDER)}
NO_AMOUNT = Decimal("0.00")


def fact_key_order(key: FactKey) -> tuple[int, str, str]:
    """The canonical order of fact keys: by kind (``FACT_ORDER``), then lot id, then entry id.

    A kind read back from storage as a plain string sorts like its ``Fact``.
    """
    return (FACT_RANK[key[0]], key[1], key[2])


def facts_of(
    balances: Iterable[LotBalance], charges: Iterable[Charge], uncovered: Iterable[Uncovered]
) -> dict[FactKey, Minutes]:
    """The non-zero facts of one allocation, in canonical key order.

    Each kind's ``(lot id, entry id, minutes)`` rows are sorted, then summed where ids repeat:
    kinds in ``FACT_ORDER``, each by ids, is the canonical order, without a key function per
    fact nor a table of every key.
    """
    rows: dict[Fact, list[tuple[str, str, Minutes]]] = {fact: [] for fact in FACT_ORDER}
    for balance in balances:
        rows[Fact.GRANT].append((balance.lot_id, "", balance.granted - balance.voided))
        rows[Fact.EXPIRY].append((balance.lot_id, "", balance.expired))
    rows[Fact.CHARGE] = [(charge.lot_id, charge.entry_id, charge.minutes) for charge in charges]
    for part in uncovered:
        kind = Fact.BILLED if part.billed else Fact.UNCOVERED
        rows[kind].append(("", part.entry_id, part.minutes))
    facts: dict[FactKey, Minutes] = {}
    for fact in FACT_ORDER:
        lot_id, entry_id, total = "", "", 0
        for row_lot, row_entry, minutes in sorted(rows[fact]):
            if row_lot == lot_id and row_entry == entry_id:
                total += minutes
                continue
            if total:
                facts[(fact, lot_id, entry_id)] = total
            lot_id, entry_id, total = row_lot, row_entry, minutes
        if total:
            facts[(fact, lot_id, entry_id)] = total
    return facts


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
    fact, lot_id, entry_id = key
    lot, entry = lots.get(lot_id), entries.get(entry_id)
    if fact == Fact.GRANT and lot is not None:
        return lot.opened_at
    if fact == Fact.CHARGE and lot is not None and entry is not None:
        return max(entry.performed_at, lot.opened_at)
    if fact == Fact.EXPIRY and lot is not None and lot.expires_at is not None:
        return lot.expires_at
    if (fact == Fact.UNCOVERED or fact == Fact.BILLED) and entry is not None:
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
    the billed amount after the change (``0.00`` when the billing disappeared). ``previous`` may
    spell kinds as plain strings (as read back from storage); an unknown kind is a ValueError.

    The cost is one look-up per fact; lots and entries are indexed only when something changed.
    """
    for kind in {key[0] for key in previous}:
        Fact(kind)  # a kind the ledger does not know is refused, even with a zero sum
    changes: list[tuple[FactKey, Minutes, Minutes]] = []
    before_of = previous.get
    kept = 0  # keys of ``facts`` that ``previous`` holds with a non-zero value
    for key, after in facts.items():
        before = before_of(key, 0)
        kept += before != 0
        if before != after:
            changes.append((key, before, after))
    if kept != sum(before != 0 for before in previous.values()):  # some non-zero fact is gone
        for key, before in previous.items():
            if before and key not in facts:
                changes.append((key, before, 0))
    if not changes:
        return ()
    lots_by_id: dict[str, Lot] = {lot.id: lot for lot in lots}
    entries_by_id: dict[str, TimeEntry] = {entry.id: entry for entry in entries}
    amounts = {part.entry_id: part.amount for part in uncovered if part.billed}
    ordered: list[tuple[datetime, int, str, str, Event]] = []
    for (kind, lot_id, entry_id), before, after in changes:
        fact = kind if type(kind) is Fact else Fact(kind)
        amount = None
        if fact is Fact.BILLED:
            amount = amounts.get(EntryId(entry_id)) or NO_AMOUNT
        at = effective_at((fact, lot_id, entry_id), lots_by_id, entries_by_id, now)
        event = Event(
            fact=fact,
            lot_id=LotId(lot_id) if lot_id else None,
            entry_id=EntryId(entry_id) if entry_id else None,
            delta=after - before,
            value=after,
            at=at,
            amount=amount,
        )
        ordered.append((at, FACT_RANK[fact], lot_id, entry_id, event))
    ordered.sort()  # (fact, lot, entry) is unique: events themselves are never compared
    return tuple(item[-1] for item in ordered)
