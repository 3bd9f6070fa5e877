"""A busy client's story, seeded: thousands of entries and lots for one client.

Used by ``bench/engine.py`` (timings) and by ``test_engine_reference.py`` (the engine and the
reference walk must agree on large stories too, not only on hypothesis's small ones).

The story spans a fixed four years whatever its size, so a story ten times larger holds ten
times as many lots valid at any instant — the case where walking every valid lot for each entry
was quadratic. One lot per ten entries keeps credit and work of the same order: entries are
covered, overrun, absorbed by later packs or billed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ledger.calendar import lot_expiry
from ledger.domain import (
    PARIS,
    Choice,
    ClientId,
    Decision,
    EntryId,
    EntryKind,
    Lot,
    LotId,
    LotSource,
    Policy,
    TicketId,
    TimeEntry,
)

CLIENT = ClientId(1)
START = datetime(2023, 1, 2, 8, 0, tzinfo=UTC)
SPAN_MINUTES = 4 * 365 * 24 * 60
NOW = START + timedelta(minutes=SPAN_MINUTES)
POLICY = Policy(
    rounding_minutes=5,
    unit_rates=((date(2021, 1, 1), Decimal("65.00")), (date(2025, 1, 1), Decimal("70.00"))),
)
# (minutes, hourly rate, validity in months): the catalog's 3 h, 5 h and 10 h packs
PACKS = ((180, Decimal("60.00"), 3), (300, Decimal("57.00"), 6), (600, Decimal("55.00"), 12))
KINDS: tuple[EntryKind, ...] = (
    (EntryKind.PRODUCTION,) * 5
    + (EntryKind.CORRECTION,) * 2
    + (EntryKind.TRAINING,)
    + (EntryKind.EXCHANGE,) * 2
)


@dataclass(frozen=True)
class BusyStory:
    lots: tuple[Lot, ...]
    entries: tuple[TimeEntry, ...]
    decisions: tuple[Decision, ...]


def busy_story(entries: int, seed: int = 1, longest: int = 95) -> BusyStory:
    """``entries`` time entries, ``entries // 10`` lots and a decision per 20 entries.

    Lots: 3 h, 5 h and 10 h packs (one in four bought twice, some partly refunded, 3 % voided)
    and 5 % admin credits that never expire. Entries: 5 to ``longest`` - 1 minutes of every kind
    (1 % admin debits), 90 % on one of ``entries // 20`` tickets. Instants fall anywhere in the
    four years, to the minute (ties happen at this density). With the default ``longest`` the
    client buys a little more than it uses: overruns come and go; from about 110 it uses more
    than it buys, and every new lot absorbs a backlog of pending minutes.

    Rows come in the order the store loads them (lots by opening, entries by performance, ties
    by id, created in that order like rows read from a database).
    """
    rng = random.Random(seed)

    def moment() -> datetime:
        return START + timedelta(minutes=rng.randrange(SPAN_MINUTES))

    def moments(count: int) -> list[datetime]:
        return sorted(moment() for _ in range(count))

    lots: list[Lot] = []
    for index, opened in enumerate(moments(entries // 10)):
        if rng.random() < 0.05:
            minutes = rng.choice((30, 60, 120))
            lots.append(
                Lot(
                    LotId(f"credit-{index:06}"),
                    CLIENT,
                    opened,
                    None,
                    1,
                    minutes,
                    Decimal("0"),
                    source=LotSource.ADJUSTMENT,
                )
            )
            continue
        minutes, rate, months = rng.choice(PACKS)
        quantity = rng.choice((1, 1, 1, 2))
        lots.append(
            Lot(
                LotId(f"order-{index:06}"),
                CLIENT,
                opened,
                lot_expiry(opened, months, PARIS),
                quantity,
                minutes,
                rate,
                refunded_quantity=int(quantity > 1 and rng.random() < 0.1),
                voided=rng.random() < 0.03,
            )
        )
    tickets = max(1, entries // 20)
    work = [
        TimeEntry(
            EntryId(f"entry-{index:06}"),
            CLIENT,
            EntryKind.ADJUSTMENT if rng.random() < 0.01 else rng.choice(KINDS),
            rng.randrange(5, longest),
            performed,
            None if rng.random() < 0.1 else TicketId(f"ticket-{rng.randrange(tickets)}"),
        )
        for index, performed in enumerate(moments(entries))
    ]
    decisions = [
        Decision(
            TicketId(f"ticket-{rng.randrange(tickets)}"),
            rng.choice((Choice.BILL, Choice.BUY_PACK)),
            moment(),
        )
        for _ in range(entries // 20)
    ]
    return BusyStory(tuple(lots), tuple(work), tuple(decisions))
