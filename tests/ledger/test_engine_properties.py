"""Invariants of the engine over random small stories (hypothesis).

Instants are drawn on a coarse 10-minute grid over a few hours so that ties (same-minute openings,
expiries and work) happen often; quantities are small so that lots run out, overrun and absorb.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain import (
    Allocation,
    Choice,
    ClientId,
    Decision,
    EntryId,
    EntryKind,
    FactKey,
    Lot,
    LotId,
    LotSource,
    Policy,
    TicketId,
    TimeEntry,
)
from ledger.engine import allocate, lot_order

CLIENT = ClientId(7)
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
RATES = ((date(2021, 1, 1), Decimal("65.00")), (date(2026, 3, 1), Decimal("70.00")))
EXAMPLES = settings(max_examples=200, deadline=None)


def tick(n: int) -> datetime:
    return T0 + timedelta(minutes=10 * n)


@dataclass(frozen=True)
class Story:
    lots: tuple[Lot, ...]
    entries: tuple[TimeEntry, ...]
    decisions: tuple[Decision, ...]
    now: datetime
    policy: Policy

    def allocate(self, previous: dict[FactKey, int] | None = None) -> Allocation:
        return allocate(
            CLIENT, self.lots, self.entries, self.decisions, self.now, self.policy, previous
        )


@st.composite
def a_lot(draw: st.DrawFn, index: int) -> Lot:
    opened = draw(st.integers(-6, 24))
    length = draw(st.none() | st.integers(1, 18))
    quantity = draw(st.integers(0, 3))
    return Lot(
        id=LotId(f"L{index}"),
        client_id=CLIENT,
        opened_at=tick(opened),
        expires_at=None if length is None else tick(opened + length),
        quantity=quantity,
        pack_minutes=draw(st.sampled_from([15, 30, 60])),
        hourly_rate=draw(st.sampled_from([Decimal("55.00"), Decimal("57.00"), Decimal("60.00")])),
        source=draw(st.sampled_from(LotSource)),
        refunded_quantity=draw(st.integers(0, quantity)),
        voided=draw(st.booleans()),
    )


@st.composite
def an_entry(draw: st.DrawFn, index: int) -> TimeEntry:
    return TimeEntry(
        id=EntryId(f"E{index}"),
        client_id=CLIENT,
        kind=draw(st.sampled_from(EntryKind)),
        minutes=draw(st.integers(-10, 120)),
        performed_at=tick(draw(st.integers(-4, 30))),
        ticket_id=draw(st.sampled_from([None, TicketId("T1"), TicketId("T2")])),
    )


@st.composite
def stories(draw: st.DrawFn) -> Story:
    lots = [draw(a_lot(i)) for i in range(draw(st.integers(0, 4)))]
    entries = [draw(an_entry(i)) for i in range(draw(st.integers(0, 6)))]
    decisions = [
        Decision(
            draw(st.sampled_from([TicketId("T1"), TicketId("T2")])),
            draw(st.sampled_from(Choice)),
            tick(draw(st.integers(0, 30))),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Story(
        lots=tuple(lots),
        entries=tuple(entries),
        decisions=tuple(decisions),
        now=tick(draw(st.integers(-2, 40))),
        policy=Policy(rounding_minutes=draw(st.sampled_from([1, 5, 15])), unit_rates=RATES),
    )


def deducted(entry: TimeEntry, rounding: int) -> int:
    """Rule 3, restated independently of the engine."""
    if entry.kind is EntryKind.EXCHANGE or entry.minutes <= 0:
        return 0
    if entry.kind is EntryKind.ADJUSTMENT:  # an admin debit is taken as typed
        return entry.minutes
    return math.ceil(entry.minutes / rounding) * rounding


def covers(lot: Lot, moment: datetime) -> bool:
    return lot.opened_at <= moment and (lot.expires_at is None or moment < lot.expires_at)


@EXAMPLES
@given(stories())
def test_every_lot_balances_and_nothing_is_negative(story: Story) -> None:
    result = story.allocate()
    assert [b.lot_id for b in result.lots] == [lot.id for lot in sorted(story.lots, key=lot_order)]
    for lot, b in zip(sorted(story.lots, key=lot_order), result.lots, strict=True):
        assert b.granted == b.used + b.expired + b.remaining + b.voided
        assert min(b.used, b.expired, b.remaining, b.voided) >= 0
        assert b.used + b.expired + b.remaining == lot.capacity_minutes
        lapsed = lot.expires_at is not None and lot.expires_at <= story.now
        assert b.remaining == 0 if lapsed else b.expired == 0


@EXAMPLES
@given(stories())
def test_every_deducted_minute_is_charged_pending_or_billed_exactly_once(story: Story) -> None:
    result = story.allocate()
    rounding = story.policy.rounding_minutes
    for entry in story.entries:
        charged = sum(c.minutes for c in result.charges if c.entry_id == entry.id)
        owed = sum(u.minutes for u in result.uncovered if u.entry_id == entry.id)
        assert charged + owed == deducted(entry, rounding)
    total_deducted = sum(deducted(e, rounding) for e in story.entries)
    total_charged = sum(c.minutes for c in result.charges)
    assert total_charged == total_deducted - result.uncovered_minutes - result.billed_minutes
    assert all(c.minutes > 0 for c in result.charges)
    assert all(u.minutes > 0 for u in result.uncovered)


@EXAMPLES
@given(stories(), st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_input_order(story: Story, rng: random.Random) -> None:
    lots, entries, decisions = list(story.lots), list(story.entries), list(story.decisions)
    rng.shuffle(lots)
    rng.shuffle(entries)
    rng.shuffle(decisions)
    shuffled = allocate(CLIENT, lots, entries, decisions, story.now, story.policy)
    assert shuffled == story.allocate()
    assert list(shuffled.facts) == list(story.allocate().facts)


@EXAMPLES
@given(stories())
def test_events_from_nothing_sum_to_the_facts_and_recomputing_adds_none(story: Story) -> None:
    result = story.allocate()
    totals: dict[FactKey, int] = {}
    for event in result.events:
        totals[event.key] = totals.get(event.key, 0) + event.delta
        assert event.value == result.facts[event.key]
    assert totals == result.facts
    assert 0 not in result.facts.values()
    assert list(result.events) == sorted(result.events, key=lambda e: e.at)
    assert story.allocate(previous=dict(result.facts)).events == ()


@EXAMPLES
@given(stories(), stories())
def test_the_log_of_successive_recomputes_sums_to_the_latest_facts(
    first: Story, second: Story
) -> None:
    # The second story reuses the first one's ids (L0…, E0…): lots and entries change, vanish
    # or appear, exactly like edits and deletions mirrored from the shop and the client area.
    before = first.allocate()
    after = second.allocate(previous=dict(before.facts))
    totals: dict[FactKey, int] = {}
    for event in before.events + after.events:
        totals[event.key] = totals.get(event.key, 0) + event.delta
    assert {k: v for k, v in totals.items() if v} == after.facts
    for event in after.events:
        assert event.delta != 0
        assert event.delta == after.facts.get(event.key, 0) - before.facts.get(event.key, 0)


@EXAMPLES
@given(stories())
def test_charges_fall_inside_the_lot_validity_unless_absorbed_later(story: Story) -> None:
    result = story.allocate()
    lots = {lot.id: lot for lot in story.lots}
    entries = {entry.id: entry for entry in story.entries}
    for charge in result.charges:
        lot, entry = lots[charge.lot_id], entries[charge.entry_id]
        if charge.absorbed:
            assert entry.performed_at < lot.opened_at
        else:
            assert covers(lot, entry.performed_at)


@EXAMPLES
@given(stories())
def test_lots_are_drawn_greedily_soonest_expiry_first(story: Story) -> None:
    """Nothing is left uncovered, or drawn from a later lot, while a better lot had minutes."""
    result = story.allocate()
    order = sorted(story.lots, key=lot_order)
    left = {b.lot_id: b.remaining + b.expired for b in result.lots}
    entries = {entry.id: entry for entry in story.entries}
    short = {u.entry_id for u in result.uncovered} | {
        c.entry_id for c in result.charges if c.absorbed
    }
    for entry_id in short:  # an entry not fully covered when performed
        moment = entries[entry_id].performed_at
        assert all(left[lot.id] == 0 for lot in order if covers(lot, moment))
    for charge in result.charges:
        if charge.absorbed:
            continue
        moment = entries[charge.entry_id].performed_at
        ahead = order[: [lot.id for lot in order].index(charge.lot_id)]
        assert all(left[lot.id] == 0 for lot in ahead if covers(lot, moment))
    for part in result.uncovered:
        if not part.billed:  # still owed: every lot paid since was emptied absorbing it
            moment = entries[part.entry_id].performed_at
            assert all(left[lot.id] == 0 for lot in order if lot.opened_at > moment)


@EXAMPLES
@given(stories())
def test_billed_minutes_are_priced_in_cents_at_a_known_rate(story: Story) -> None:
    result = story.allocate()
    known = {lot.hourly_rate for lot in story.lots} | {rate for _, rate in RATES}
    for part in result.uncovered:
        if not part.billed:
            assert part.hourly_rate is None and part.amount is None
            continue
        assert part.hourly_rate in known
        assert part.amount is not None and part.hourly_rate is not None
        expected = (part.minutes * part.hourly_rate / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert part.amount == expected
