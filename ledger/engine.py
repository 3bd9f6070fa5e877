"""The allocation engine: one client's lots, time entries and decisions → an ``Allocation``.

Pure: no database, no clock, no I/O. The same input (in any order) always gives the same answer,
which is how edits and deletions stay exact: the caller recomputes from scratch and the engine
reports, as events, what changed since the facts it was given as ``previous``.

The story is one walk along a timeline (docs/design.md §2.2–2.7):

* a lot covers work performed in ``[opened_at, expires_at)``;
* at one instant, expiries come first, then openings, then decisions, then work (so a lot
  expiring at ``t`` does not cover work at ``t``, and a lot opening at ``t`` does);
* an entry draws from the valid lots soonest-expiring first (``lot_order``), possibly several;
* what no lot covers is billed if the ticket's decision in force says so, else stays pending;
* a lot, as it opens, first absorbs pending minutes of earlier entries, oldest first;
* a decision to bill, when it is taken, bills the ticket's minutes still pending; what a lot
  bought before it already absorbed stays absorbed (a later decision never rewrites the past);
* at expiry a lot's leftover minutes are lost if ``expires_at <= now``; otherwise they remain.

The walk is a sweep (``_Sweep``): each lot, decision and entry is met once, the lots that can
still give minutes wait in a heap and the pending minutes in a queue, so an allocation costs
time in proportion to the client's rows (a log factor for the heap), not rows × lots held.
``tests/ledger/reference_engine.py`` keeps the plain walk it replaced, which the tests compare
it with.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from heapq import heappop, heappush
from operator import attrgetter

from ledger.checks import ENGINE_CHECKS, Inputs, InvalidLedgerInput, Problem, validate
from ledger.domain import (
    Allocation,
    Charge,
    Choice,
    ClientId,
    Decision,
    EntryKind,
    FactKey,
    Lot,
    LotBalance,
    LotSource,
    LotStatus,
    Minutes,
    Policy,
    TicketId,
    TimeEntry,
    Uncovered,
)
from ledger.facts import events_between, facts_of

CENT = Decimal("0.01")
# Phases at one instant, in the order they happen (expiries come before all three: see replay).
OPENING, DECISION, WORK = 0, 1, 2


def lot_order(lot: Lot) -> tuple[bool, datetime, datetime, str]:
    """Rule 4's order: soonest expiry first (never-expiring last), then opened earliest, then id."""
    return (lot.expires_at is None, lot.expires_at or lot.opened_at, lot.opened_at, lot.id)


# Entries in the order they were performed, ties broken by id: ``(performed_at, id)``.
entry_order: Callable[[TimeEntry], tuple[datetime, str]] = attrgetter("performed_at", "id")
DEDUCTED_KINDS = frozenset(kind for kind in EntryKind if kind.deducted)


def deducted_minutes(entry: TimeEntry, rounding: int) -> Minutes:
    """Rule 3: the minutes an entry takes from the credit (exchange and ≤ 0 take none).

    Logged work is rounded up to a multiple of ``rounding``; an admin debit is taken exactly as
    typed (the admin chose the number, and the CLI confirms that number).
    """
    minutes = entry.minutes
    if minutes <= 0 or entry.kind not in DEDUCTED_KINDS:
        return 0
    if entry.kind is EntryKind.ADJUSTMENT:
        return minutes
    return -(-minutes // rounding) * rounding


def decision_order(decision: Decision) -> tuple[datetime, str, str]:
    """Decisions in the order they were taken; at one instant, ``bill`` before ``buy_pack``."""
    return (decision.decided_at, decision.choice.value, decision.ticket_id)


def unit_rate_on(policy: Policy, day: date) -> Decimal:
    """The unit rate in force on ``day``: the latest ``since <= day``, else the oldest one."""
    rates = sorted(policy.unit_rates)
    in_force = [rate for since, rate in rates if since <= day]
    return in_force[-1] if in_force else rates[0][1]


class _HeldPacks:
    """Rule 6's held pack at any instant, found by bisection instead of a scan of every lot.

    The pack held at ``at`` is the most recently opened non-voided shop lot opened at or before
    ``at`` (used up or expired or not); admin credits are not packs. Sorted by
    ``(opened_at, id)``, it is the last of those opened at or before ``at``.
    """

    def __init__(self, lots: Sequence[Lot], policy: Policy) -> None:
        packs = sorted(
            (lot.opened_at, lot.id, lot.hourly_rate)
            for lot in lots
            if lot.source is LotSource.ORDER_LINE and lot.capacity_minutes > 0
        )
        self.opened = [opened for opened, _, _ in packs]
        self.rates = [rate for _, _, rate in packs]
        self.policy = policy

    def rate_at(self, at: datetime) -> Decimal:
        """The held pack's hourly rate at ``at``, else the unit rate of that day."""
        held = bisect_right(self.opened, at)
        if held:
            return self.rates[held - 1]
        return unit_rate_on(self.policy, at.astimezone(self.policy.timezone).date())


class _Sweep:
    """One sweep along the timeline of a client's lots and entries; private to ``allocate``.

    Each step costs what it changes, not what the client holds:

    * the lots that can still give minutes wait in a heap in ``lot_order`` (by rank); a lot
      leaves it when used up, or, expired, when it reaches the front (the front expires
      soonest, so every expired lot is at the front before any valid one);
    * the pending minutes wait in a queue in entry order, which is the order a new lot absorbs
      them; each ticket lists its pending entries for a decision to bill;
    * an entry absorbed or billed is not searched for: it is skipped when the queue or its
      ticket's list reaches it (its pending minutes are then 0).

    Entries are known by their rank in ``entry_order``, lots by their rank in ``lot_order``.
    """

    def __init__(self, lots: Sequence[Lot], entries: Sequence[TimeEntry], rounding: int) -> None:
        self.lots = lots
        self.entries = entries
        self.rounding = rounding
        self.left: list[Minutes] = [0] * len(lots)  # by lot rank, set when the lot opens
        self.valid: list[int] = []  # heap of the ranks of opened lots with minutes left
        self.billing: set[TicketId | None] = set()  # tickets whose decision in force is to bill
        self.owed: list[Minutes] = [0] * len(entries)  # pending minutes, by entry rank
        self.billed: list[Minutes] = [0] * len(entries)  # billed minutes, by entry rank
        self.queue: deque[int] = deque()  # ranks of pending entries, oldest first
        self.pending_of: dict[TicketId | None, list[int]] = {}  # pending ranks, by ticket
        self.short: list[int] = []  # ranks of the entries not covered when performed, in order
        self.charges: list[Charge] = []

    def replay(self, decisions: Sequence[Decision]) -> None:
        """Visit every instant once, in order; at one instant: expiries, openings, decisions,
        then work. ``decisions`` come sorted (``decision_order``): their index breaks ties,
        like the lots' and the entries' ranks.

        Openings and decisions are few: they are sorted together and merged into the entries,
        which come sorted; an opening or decision at ``t`` happens before work at ``t``.
        Expiries need no point of their own: only work draws from the lots (see ``work``).
        """
        points = [(lot.opened_at, OPENING, rank) for rank, lot in enumerate(self.lots)]
        points.extend((d.decided_at, DECISION, rank) for rank, d in enumerate(decisions))
        points.sort()
        pending_points = iter(points)
        point = next(pending_points, None)
        rounding = self.rounding
        for rank, entry in enumerate(self.entries):
            while point is not None and point[0] <= entry.performed_at:
                self._happen(point, decisions)
                point = next(pending_points, None)
            need = deducted_minutes(entry, rounding)
            if need:  # work that takes nothing changes nothing
                self.work(rank, need)
        while point is not None:
            self._happen(point, decisions)
            point = next(pending_points, None)

    def _happen(self, point: tuple[datetime, int, int], decisions: Sequence[Decision]) -> None:
        _, phase, rank = point
        if phase == OPENING:
            self.open(rank)
        else:
            self.decide(decisions[rank])

    def open(self, rank: int) -> None:
        """Rule 6: a lot first absorbs the pending minutes of earlier work, oldest first."""
        lot = self.lots[rank]
        left = lot.capacity_minutes
        queue, owed = self.queue, self.owed
        while left and queue:
            entry = queue[0]
            minutes = owed[entry]
            if not minutes:  # billed by a decision since it was queued
                queue.popleft()
                continue
            take = min(minutes, left)
            self.charges.append(Charge(self.entries[entry].id, lot.id, take, True))
            left -= take
            owed[entry] = minutes - take
            if take == minutes:
                queue.popleft()
        self.left[rank] = left
        if left:
            heappush(self.valid, rank)

    def decide(self, decision: Decision) -> None:
        """Rule 6: from now on the ticket's overrun is billed (its pending minutes at once), or
        left pending for the next lot to absorb."""
        if decision.choice is not Choice.BILL:
            self.billing.discard(decision.ticket_id)
            return
        self.billing.add(decision.ticket_id)
        owed, billed = self.owed, self.billed
        for entry in self.pending_of.pop(decision.ticket_id, ()):
            billed[entry] += owed[entry]
            owed[entry] = 0

    def work(self, rank: int, need: Minutes) -> None:
        """Rule 4: draw from the valid lots in lot order; bill or keep pending what is left.

        A lot expiring at or before the work covers nothing: it is dropped from the front of
        the heap (rule 5: at one instant, expiries come first).
        """
        entry = self.entries[rank]
        valid, left, lots = self.valid, self.left, self.lots
        while need and valid:
            lot = lots[valid[0]]
            if lot.expires_at is not None and lot.expires_at <= entry.performed_at:
                heappop(valid)
                continue
            take = min(need, left[valid[0]])
            self.charges.append(Charge(entry.id, lot.id, take, False))
            need -= take
            left[valid[0]] -= take
            if not left[valid[0]]:
                heappop(valid)
        if need == 0:
            return
        self.short.append(rank)
        ticket = entry.ticket_id
        if ticket is not None and ticket in self.billing:
            self.billed[rank] = need
            return
        self.owed[rank] = need
        self.queue.append(rank)
        self.pending_of.setdefault(ticket, []).append(rank)

    def uncovered(self, held: _HeldPacks) -> list[Uncovered]:
        """The minutes still pending, and those billed with their price, in entry order."""
        uncovered: list[Uncovered] = []
        for rank in self.short:
            entry = self.entries[rank]
            if self.owed[rank]:
                uncovered.append(Uncovered(entry.id, self.owed[rank]))
            minutes = self.billed[rank]
            if minutes:
                rate = held.rate_at(entry.performed_at)
                amount = (minutes * rate / 60).quantize(CENT, ROUND_HALF_UP)
                uncovered.append(Uncovered(entry.id, minutes, True, rate, amount))
        return uncovered


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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (if it runs), then resume it.

    An allocation builds a few small immutable values per entry (charges, fact keys, events)
    and no reference cycle, so the collector can free nothing it makes; but every ~70,000 new
    objects it would trace the whole heap, the caller's rows included — for a client with
    100,000 entries, half the allocation's time, and more than linear in the client's size.
    Reference counting still frees everything as usual; another thread's cycles wait until the
    block ends.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
    with _collector_paused():
        return _allocate(client_id, lots, entries, decisions, now, policy, previous)


def _allocate(
    client_id: ClientId,
    lots: Iterable[Lot],
    entries: Iterable[TimeEntry],
    decisions: Iterable[Decision],
    now: datetime,
    policy: Policy,
    previous: Mapping[FactKey, Minutes] | None,
) -> Allocation:
    inputs = Inputs(client_id, tuple(lots), tuple(entries), tuple(decisions), policy)
    problems = validate(inputs, ENGINE_CHECKS)
    if now.utcoffset() is None:
        problems.append(Problem("aware_datetimes", "now: naive datetime", now))
    if problems:
        raise InvalidLedgerInput(problems)
    sorted_lots = tuple(sorted(inputs.lots, key=lot_order))
    sorted_entries = tuple(sorted(inputs.entries, key=entry_order))

    decisions = tuple(sorted(inputs.decisions, key=decision_order))
    walk = _Sweep(sorted_lots, sorted_entries, policy.rounding_minutes)
    walk.replay(decisions)
    balances = tuple(
        _balance(lot, left, now) for lot, left in zip(sorted_lots, walk.left, strict=True)
    )
    uncovered = walk.uncovered(_HeldPacks(sorted_lots, policy))

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
