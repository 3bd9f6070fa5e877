"""The engine's sweep returns exactly what the reference walk returns (``reference_engine.py``).

Exactly means the whole ``Allocation``: charges in order, uncovered and billed parts with their
rates and amounts, lot balances and statuses, facts in canonical order and events in order —
compared through ``repr``, so that a ``Decimal`` with another exponent or a plain string where a
``Fact`` is expected would show. Stories are random (hypothesis), denser than in
``test_engine_properties.py`` so that lots pile up, run out, expire and absorb while others wait,
on instants that straddle the clock changes, some written in a fixed UTC offset; and large
seeded stories of a busy client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.calendar import lot_expiry
from ledger.checks import InvalidLedgerInput
from ledger.domain import (
    PARIS,
    Allocation,
    Choice,
    ClientId,
    Decision,
    EntryId,
    EntryKind,
    Fact,
    FactKey,
    Lot,
    LotId,
    LotSource,
    Policy,
    TicketId,
    TimeEntry,
)
from ledger.engine import allocate
from tests.ledger import reference_engine
from tests.ledger.busy_client import CLIENT as BUSY_CLIENT
from tests.ledger.busy_client import NOW, POLICY, busy_story

CLIENT = ClientId(3)
# Where stories start: an ordinary day, and an hour before each of Paris's two clock changes.
ORIGINS = (
    datetime(2026, 2, 10, 8, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 0, tzinfo=UTC),  # 02:00 Paris → 03:00 at 01:00 UTC
    datetime(2026, 10, 25, 0, 0, tzinfo=UTC),  # 03:00 Paris → 02:00 at 01:00 UTC
)
STEPS = (timedelta(minutes=10), timedelta(minutes=1), timedelta(days=9))  # ties … months
OFFSET = timezone(timedelta(hours=2))  # the same instants, written in another offset
TICKETS = [None, TicketId("T1"), TicketId("T2"), TicketId("T3")]
MANY = settings(max_examples=2000, deadline=None)


@dataclass(frozen=True)
class Story:
    lots: tuple[Lot, ...]
    entries: tuple[TimeEntry, ...]
    decisions: tuple[Decision, ...]
    now: datetime
    policy: Policy


@st.composite
def stories(draw: st.DrawFn) -> Story:
    origin = draw(st.sampled_from(ORIGINS))
    step = draw(st.sampled_from(STEPS))

    def instant(low: int, high: int) -> datetime:
        moment = origin + step * draw(st.integers(low, high))
        return moment.astimezone(OFFSET) if draw(st.booleans()) else moment

    lots: list[Lot] = []
    for index in range(draw(st.integers(0, 12))):
        opened = instant(-6, 30)
        expiry = draw(st.sampled_from(["never", "ticks", "months"]))
        if expiry == "never":
            expires_at = None
        elif expiry == "ticks":
            expires_at = opened + step * draw(st.integers(1, 20))
        else:
            expires_at = lot_expiry(opened, draw(st.integers(1, 12)), PARIS)
        quantity = draw(st.integers(0, 3))
        lots.append(
            Lot(
                id=LotId(f"L{draw(st.integers(0, 99)):02}-{index}"),  # ids out of lot order
                client_id=CLIENT,
                opened_at=opened,
                expires_at=expires_at,
                quantity=quantity,
                pack_minutes=draw(st.sampled_from([15, 30, 60, 180])),
                hourly_rate=draw(
                    st.sampled_from([Decimal("55.00"), Decimal("57.00"), Decimal("60")])
                ),
                source=draw(st.sampled_from(LotSource)),
                refunded_quantity=draw(st.integers(0, quantity + 1)),
                voided=draw(st.integers(0, 5)) == 0,
            )
        )
    entries = [
        TimeEntry(
            id=EntryId(f"E{draw(st.integers(0, 99)):02}-{index}"),
            client_id=CLIENT,
            kind=draw(st.sampled_from(EntryKind)),
            minutes=draw(st.integers(-10, 200)),
            performed_at=instant(-8, 36),
            ticket_id=draw(st.sampled_from(TICKETS)),
        )
        for index in range(draw(st.integers(0, 30)))
    ]
    decisions = [
        Decision(
            draw(st.sampled_from(TICKETS[1:])),
            draw(st.sampled_from(Choice)),
            instant(-8, 36),
        )
        for _ in range(draw(st.integers(0, 6)))
    ]
    rates = draw(
        st.lists(
            st.tuples(
                st.dates(date(2025, 6, 1), date(2027, 1, 1)),
                st.sampled_from([Decimal("65.00"), Decimal("70.5"), Decimal("0")]),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda rate: rate[0],
        )
    )
    return Story(
        lots=tuple(lots),
        entries=tuple(entries),
        decisions=tuple(decisions),
        now=instant(-10, 60),
        policy=Policy(
            rounding_minutes=draw(st.sampled_from([1, 5, 7, 15, 60])), unit_rates=tuple(rates)
        ),
    )


def both(story: Story, previous: dict[FactKey, int] | None = None) -> Allocation:
    """The engine's answer, after checking that it is the reference's, to the last digit."""
    args = (CLIENT, story.lots, story.entries, story.decisions, story.now, story.policy, previous)
    expected = reference_engine.allocate(*args)
    actual = allocate(*args)
    assert repr(actual) == repr(expected)
    assert actual == expected
    assert all(type(event.fact) is Fact for event in actual.events)
    return actual


@MANY
@given(stories())
def test_the_sweep_allocates_exactly_like_the_reference_walk(story: Story) -> None:
    both(story)


@settings(max_examples=500, deadline=None)
@given(stories(), stories(), st.booleans())
def test_the_sweep_reports_the_same_events_from_any_previous_facts(
    first: Story, second: Story, as_stored: bool
) -> None:
    # Previous facts of another story (ids shared: edits, deletions, new rows), read back from
    # storage with plain string kinds or not, with a zero and a stale key thrown in.
    previous: dict[FactKey, int] = dict(
        reference_engine.allocate(
            CLIENT, first.lots, first.entries, first.decisions, first.now, first.policy
        ).facts
    )
    previous[(Fact.CHARGE, "gone-lot", "gone-entry")] = 0
    previous[(Fact.UNCOVERED, "", "deleted-entry")] = 12
    if as_stored:
        previous = {(str(k[0]), k[1], k[2]): v for k, v in previous.items()}  # type: ignore[misc]
    both(second, previous)


@settings(max_examples=200, deadline=None)
@given(stories(), st.data())
def test_the_sweep_refuses_what_the_reference_refuses(story: Story, data: st.DataObject) -> None:
    lots, entries = list(story.lots), list(story.entries)
    if entries and data.draw(st.booleans()):
        entries.append(entries[0])  # a duplicate id
    if lots and data.draw(st.booleans()):
        naive = lots[0].opened_at.replace(tzinfo=None)
        lots[0] = Lot(**{**lots[0].__dict__, "opened_at": naive})
    args = (CLIENT, lots, entries, story.decisions, story.now, story.policy)
    try:
        expected = reference_engine.allocate(*args)
    except InvalidLedgerInput as refused:
        with pytest.raises(InvalidLedgerInput) as raised:
            allocate(*args)
        assert raised.value.problems == refused.problems
        return
    assert repr(allocate(*args)) == repr(expected)


@pytest.mark.parametrize(
    ("entries", "seed", "longest"),
    [(500, 1, 95), (2_000, 2, 95), (5_000, 3, 120), (12_000, 4, 95), (12_000, 5, 120)],
)
def test_a_busy_client_is_allocated_exactly_like_the_reference_walk(
    entries: int, seed: int, longest: int
) -> None:
    # longest 95: the client mostly holds credit; 120: a backlog every new lot absorbs
    story = busy_story(entries, seed, longest)
    args = (BUSY_CLIENT, story.lots, story.entries, story.decisions, NOW, POLICY)
    expected = reference_engine.allocate(*args)
    actual = allocate(*args)
    assert repr(actual) == repr(expected)
    assert len(actual.charges) > entries // 2  # a story where lots are drawn, and absorb
    assert any(charge.absorbed for charge in actual.charges)
    again = allocate(*args, previous=dict(expected.facts))
    assert again.events == () and repr(again.facts) == repr(expected.facts)
