"""The allocation engine as it was before the sweep: the reference the engine must equal.

A verbatim copy of ``ledger/engine.py``'s walk (``allocate`` and what it needs, with the facts
and events of ``ledger/facts.py``) before they became linear. It walks every lot still valid,
used up or not, for each entry — quadratic when a client holds many lots — but it is the plain
statement of the rules, so ``test_engine_reference.py`` checks that ``ledger.engine.allocate``
returns exactly what this one returns, and ``bench/engine.py`` times both. Do not optimise or
"fix" it: change the rules in both engines, or in neither. It shares the input checks
(``ledger.checks``) and the vocabulary (``ledger.domain``) with the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ledger.checks import ENGINE_CHECKS, Inputs, InvalidLedgerInput, Problem, validate
from ledger.domain import (
    Allocation,
    Charge,
    Choice,
    ClientId,
    Decision,
    EntryId,
    EntryKind,
    Event,
    Fact,
    FactKey,
    Lot,
    LotBalance,
    LotId,
    LotSource,
    LotStatus,
    Minutes,
    Policy,
    TicketId,
    TimeEntry,
    Uncovered,
)

# --- ledger/facts.py, as it was -----------------------------------------------------------

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


# --- ledger/engine.py, as it was ----------------------------------------------------------

CENT = Decimal("0.01")
EXPIRY, OPENING, DECISION, WORK = 0, 1, 2, 3  # phases at one instant, in the order they happen


def lot_order(lot: Lot) -> tuple[bool, datetime, datetime, str]:
    """Rule 4's order: soonest expiry first (never-expiring last), then opened earliest, then id."""
    return (lot.expires_at is None, lot.expires_at or lot.opened_at, lot.opened_at, lot.id)


def entry_order(entry: TimeEntry) -> tuple[datetime, str]:
    """Entries in the order they were performed, ties broken by id."""
    return (entry.performed_at, entry.id)


def deducted_minutes(entry: TimeEntry, rounding: int) -> Minutes:
    """Rule 3: the minutes an entry takes from the credit (exchange and ≤ 0 take none).

    Logged work is rounded up to a multiple of ``rounding``; an admin debit is taken exactly as
    typed (the admin chose the number, and the CLI confirms that number).
    """
    if not entry.kind.deducted or entry.minutes <= 0:
        return 0
    if entry.kind is EntryKind.ADJUSTMENT:
        return entry.minutes
    return -(-entry.minutes // rounding) * rounding


def decision_order(decision: Decision) -> tuple[datetime, str, str]:
    """Decisions in the order they were taken; at one instant, ``bill`` before ``buy_pack``."""
    return (decision.decided_at, decision.choice.value, decision.ticket_id)


def unit_rate_on(policy: Policy, day: date) -> Decimal:
    """The unit rate in force on ``day``: the latest ``since <= day``, else the oldest one."""
    rates = sorted(policy.unit_rates)
    in_force = [rate for since, rate in rates if since <= day]
    return in_force[-1] if in_force else rates[0][1]


def overage_rate(lots: Sequence[Lot], policy: Policy, at: datetime) -> Decimal:
    """Rule 6: the hourly rate of the pack held at ``at``, else the unit rate of that day.

    The pack held is the most recently opened non-voided shop lot opened at or before ``at``,
    even if it is used up or expired by then (admin credits are not packs).
    """
    held = [
        lot
        for lot in lots
        if lot.source is LotSource.ORDER_LINE and lot.capacity_minutes > 0 and lot.opened_at <= at
    ]
    if held:
        return max(held, key=lambda lot: (lot.opened_at, lot.id)).hourly_rate
    return unit_rate_on(policy, at.astimezone(policy.timezone).date())


class _Walk:
    """One walk along the timeline of a client's lots and entries; private to ``allocate``."""

    def __init__(self, lots: Sequence[Lot]) -> None:
        self.lots = lots  # in lot_order: a lot's rank is its index here
        self.billing: set[TicketId] = set()  # tickets whose decision in force is to bill
        self.ticket_of: dict[EntryId, TicketId | None] = {}
        self.left: dict[LotId, Minutes] = {}
        self.valid: set[int] = set()  # ranks of the lots covering the current instant
        self.pending: dict[EntryId, Minutes] = {}  # insertion order = oldest entry first
        self.billed: dict[EntryId, Minutes] = {}
        self.charges: list[Charge] = []

    def replay(
        self, entries: Sequence[TimeEntry], decisions: Sequence[Decision], rounding: int
    ) -> None:
        """Visit every instant once, in order; at one instant: expiries, openings, decisions,
        then work. ``entries`` and ``decisions`` come sorted (``entry_order``,
        ``decision_order``): their index breaks ties."""
        points: list[tuple[datetime, int, int]] = []
        for rank, lot in enumerate(self.lots):
            points.append((lot.opened_at, OPENING, rank))
            if lot.expires_at is not None:
                points.append((lot.expires_at, EXPIRY, rank))
        points.extend((d.decided_at, DECISION, rank) for rank, d in enumerate(decisions))
        points.extend((entry.performed_at, WORK, rank) for rank, entry in enumerate(entries))
        for _, phase, rank in sorted(points):
            if phase == EXPIRY:
                self.valid.discard(rank)
            elif phase == OPENING:
                self.open(rank)
            elif phase == DECISION:
                self.decide(decisions[rank])
            else:
                self.work(entries[rank], deducted_minutes(entries[rank], rounding))

    def open(self, rank: int) -> None:
        """Rule 6: a lot first absorbs the pending minutes of earlier work, oldest first."""
        lot = self.lots[rank]
        self.left[lot.id] = lot.capacity_minutes
        for entry_id, minutes in list(self.pending.items()):
            take = min(minutes, self.left[lot.id])
            if take == 0:
                break
            self._charge(entry_id, lot, take, absorbed=True)
            if take == minutes:
                del self.pending[entry_id]
            else:
                self.pending[entry_id] = minutes - take
        self.valid.add(rank)

    def decide(self, decision: Decision) -> None:
        """Rule 6: from now on the ticket's overrun is billed (its pending minutes at once), or
        left pending for the next lot to absorb."""
        if decision.choice is not Choice.BILL:
            self.billing.discard(decision.ticket_id)
            return
        self.billing.add(decision.ticket_id)
        for entry_id, minutes in list(self.pending.items()):
            if self.ticket_of[entry_id] == decision.ticket_id:
                del self.pending[entry_id]
                self.billed[entry_id] = self.billed.get(entry_id, 0) + minutes

    def work(self, entry: TimeEntry, need: Minutes) -> None:
        """Rule 4: draw from the valid lots in lot order; bill or keep pending what is left."""
        for rank in sorted(self.valid):
            lot = self.lots[rank]
            take = min(need, self.left[lot.id])
            if take:
                self._charge(entry.id, lot, take, absorbed=False)
                need -= take
        if need == 0:
            return
        self.ticket_of[entry.id] = entry.ticket_id
        if entry.ticket_id is not None and entry.ticket_id in self.billing:
            self.billed[entry.id] = need
        else:
            self.pending[entry.id] = need

    def _charge(self, entry_id: EntryId, lot: Lot, minutes: Minutes, *, absorbed: bool) -> None:
        self.left[lot.id] -= minutes
        self.charges.append(Charge(entry_id, lot.id, minutes, absorbed))


def _balance(lot: Lot, left: Minutes, now: datetime) -> LotBalance:
    """Rules 5 and 7: where the lot's minutes went, and its status at ``now``."""
    capacity = lot.capacity_minutes
    lapsed = lot.expires_at is not None and lot.expires_at <= now
    expired, remaining = (left, 0) if lapsed else (0, left)
    if capacity == 0 and lot.granted_minutes > 0:
        status = LotStatus.VOIDED
    elif capacity > 0 and remaining == 0 and expired == 0:
        status = LotStatus.USED_UP
    elif lapsed:
        status = LotStatus.EXPIRED
    else:
        status = LotStatus.OPEN
    return LotBalance(
        lot_id=lot.id,
        granted=lot.granted_minutes,
        used=capacity - left,
        expired=expired,
        remaining=remaining,
        voided=lot.granted_minutes - capacity,
        status=status,
    )


def allocate(
    client_id: ClientId,
    lots: Iterable[Lot],
    entries: Iterable[TimeEntry],
    decisions: Iterable[Decision],
    now: datetime,
    policy: Policy = Policy(),  # noqa: B008 - a frozen value, safe as a default
    previous: Mapping[FactKey, Minutes] | None = None,
) -> Allocation:
    """Allocate one client's time entries to their lots, as of ``now``.

    ``lots``, ``entries`` and ``decisions`` are that client's rows, in any order. ``previous`` is
    the facts the event log already sums to (None: nothing yet); the returned ``events`` are the
    changes from it to the new ``facts``. Raises ``InvalidLedgerInput`` (a ``ValueError``) listing
    every problem when the input has no meaning (see ``ledger.checks.ENGINE_CHECKS``).
    """
    inputs = Inputs(client_id, tuple(lots), tuple(entries), tuple(decisions), policy)
    problems = validate(inputs, ENGINE_CHECKS)
    if now.utcoffset() is None:
        problems.append(Problem("aware_datetimes", "now: naive datetime", now))
    if problems:
        raise InvalidLedgerInput(problems)
    sorted_lots = tuple(sorted(inputs.lots, key=lot_order))
    sorted_entries = tuple(sorted(inputs.entries, key=entry_order))

    walk = _Walk(sorted_lots)
    decisions = tuple(sorted(inputs.decisions, key=decision_order))
    walk.replay(sorted_entries, decisions, policy.rounding_minutes)

    balances = tuple(_balance(lot, walk.left[lot.id], now) for lot in sorted_lots)
    uncovered: list[Uncovered] = []
    for entry in sorted_entries:
        if entry.id in walk.pending:
            uncovered.append(Uncovered(entry.id, walk.pending[entry.id]))
        if entry.id in walk.billed:
            minutes = walk.billed[entry.id]
            rate = overage_rate(sorted_lots, policy, entry.performed_at)
            amount = (minutes * rate / 60).quantize(CENT, ROUND_HALF_UP)
            uncovered.append(Uncovered(entry.id, minutes, True, rate, amount))

    facts = facts_of(balances, walk.charges, uncovered)
    events = events_between(previous or {}, facts, sorted_lots, sorted_entries, uncovered, now)
    return Allocation(
        client_id=client_id,
        now=now,
        charges=tuple(walk.charges),
        uncovered=tuple(uncovered),
        lots=balances,
        facts=facts,
        events=events,
    )
