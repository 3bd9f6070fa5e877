"""One literal scenario per business rule (docs/design.md §2), written as the client's story."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.domain import Fact, LotStatus, Policy
from ledger.engine import deducted_minutes
from tests.ledger.scenarios import (
    at,
    balance,
    charges,
    credit,
    decide,
    lot,
    pending,
    run,
    summed_events,
    work,
)

# --- rule 1: opening -----------------------------------------------------------------------


def test_rule1_a_paid_line_opens_quantity_times_the_pack_until_its_validity_ends() -> None:
    two_packs = lot("A", "2026-01-10 09:00", "3h", quantity=2)
    assert two_packs.expires_at == at("2026-04-10 09:00")  # 3 calendar months, Paris wall time

    result = run([two_packs], [work("e1", "2026-01-10 09:00", 60)], now="2026-02-01 12:00")

    a = balance(result, "A")
    assert (a.granted, a.used, a.expired, a.remaining, a.voided) == (360, 60, 0, 300, 0)
    assert a.status is LotStatus.OPEN
    assert result.facts == {(Fact.GRANT, "A", ""): 360, (Fact.CHARGE, "A", "e1"): 60}
    assert result.remaining_minutes == 300


def test_rule1_a_lot_covers_nothing_before_it_opens() -> None:
    # Work at 08:59 is uncovered when performed; the lot opening at 09:00 then absorbs it
    # (rule 6), which is recorded as an absorbed charge, not as ordinary coverage.
    result = run(
        [lot("A", "2026-01-10 09:00")],
        [work("e1", "2026-01-10 08:59", 30)],
        now="2026-01-11 00:00",
    )
    assert charges(result) == [("e1", "A+", 30)]


# --- rule 2: cancel / refund ---------------------------------------------------------------


def test_rule2_a_partial_refund_reduces_the_lot_by_the_refunded_packs() -> None:
    three_packs_one_refunded = lot("A", "2026-01-10 09:00", "3h", quantity=3, refunded=1)
    result = run(
        [three_packs_one_refunded], [work("e1", "2026-01-20 10:00", 100)], now="2026-02-01 00:00"
    )

    a = balance(result, "A")
    assert (a.granted, a.used, a.expired, a.remaining, a.voided) == (540, 100, 0, 260, 180)
    assert result.facts[(Fact.GRANT, "A", "")] == 360


def test_rule2_a_voided_lot_counts_nothing_and_its_spent_time_becomes_uncovered() -> None:
    entries = [work("e1", "2026-01-20 10:00", 90)]
    paid = run([lot("A", "2026-01-10 09:00")], entries, now="2026-02-01 00:00")
    cancelled = run(
        [lot("A", "2026-01-10 09:00", voided=True)],
        entries,
        now="2026-02-02 00:00",
        previous=paid.facts,
    )

    a = balance(cancelled, "A")
    assert (a.granted, a.used, a.expired, a.remaining, a.voided) == (180, 0, 0, 0, 180)
    assert a.status is LotStatus.VOIDED
    assert pending(cancelled) == {"e1": 90}
    assert [(e.fact, e.lot_id, e.entry_id, e.delta, e.value) for e in cancelled.events] == [
        (Fact.GRANT, "A", None, -180, 0),
        (Fact.CHARGE, "A", "e1", -90, 0),
        (Fact.UNCOVERED, None, "e1", 90, 90),
    ]


def test_rule2_a_refund_below_what_was_spent_uncovers_the_latest_work() -> None:
    entries = [work("e1", "2026-01-20 10:00", 200), work("e2", "2026-01-21 10:00", 100)]
    two_packs_one_refunded = lot("A", "2026-01-10 09:00", quantity=2, refunded=1)
    result = run([two_packs_one_refunded], entries, now="2026-02-01 00:00")

    assert charges(result) == [("e1", "A", 180)]
    assert pending(result) == {"e1": 20, "e2": 100}
    assert balance(result, "A").status is LotStatus.USED_UP


# --- rule 3: what is deducted --------------------------------------------------------------


def test_rule3_exchange_time_is_recorded_but_never_deducted() -> None:
    entries = [
        work("brief", "2026-01-11 10:00", 60, kind="exchange"),
        work("fix", "2026-01-11 11:00", 30, kind="correction"),
        work("course", "2026-01-11 14:00", 45, kind="training"),
        work("late-brief", "2026-06-01 10:00", 20, kind="exchange"),  # no lot left: still free
    ]
    result = run([lot("A", "2026-01-10 09:00")], entries, now="2026-02-01 00:00")

    assert charges(result) == [("fix", "A", 30), ("course", "A", 45)]
    assert result.uncovered == ()
    assert balance(result, "A").remaining == 180 - 75


@pytest.mark.parametrize(
    ("minutes", "kind", "rounding", "deducted"),
    [
        (7, "production", 1, 7),
        (7, "production", 5, 10),
        (10, "production", 5, 10),
        (11, "correction", 5, 15),
        (1, "training", 15, 15),
        (15, "production", 15, 15),
        (16, "production", 15, 30),
        (7, "adjustment", 15, 7),  # an admin debit is taken as typed, never rounded
        (50, "exchange", 15, 0),
        (0, "production", 15, 0),
        (-20, "production", 1, 0),
    ],
)
def test_rule3_rounding_is_per_entry_and_up(
    minutes: int, kind: str, rounding: int, deducted: int
) -> None:
    entry = work("e", "2026-01-01 10:00", minutes, kind=kind)
    assert deducted_minutes(entry, rounding) == deducted


def test_rule3_rounding_policy_applies_to_each_entry_before_charging() -> None:
    entries = [work("e1", "2026-01-11 10:00", 7), work("e2", "2026-01-11 11:00", 16)]
    lots = [lot("A", "2026-01-10 09:00")]
    fives = run(lots, entries, now="2026-02-01 00:00", policy=Policy(rounding_minutes=5))
    quarters = run(lots, entries, now="2026-02-01 00:00", policy=Policy(rounding_minutes=15))

    assert charges(fives) == [("e1", "A", 10), ("e2", "A", 20)]
    assert charges(quarters) == [("e1", "A", 15), ("e2", "A", 30)]


# --- rule 4: order of consumption ------------------------------------------------------------


def test_rule4_work_draws_from_the_valid_lot_expiring_soonest() -> None:
    lots = [
        lot("TEN", "2026-01-05 10:00", "10h"),  # expires 2027-01-05
        lot("THREE", "2026-02-01 10:00", "3h"),  # expires 2026-05-01: sooner
        credit("GIFT", "2026-01-01 10:00", 30),  # never expires: last
    ]
    entries = [
        work("jan", "2026-01-20 10:00", 90),  # only TEN and GIFT are valid in January
        work("feb", "2026-02-10 10:00", 120),  # THREE expires first
        work("mar", "2026-03-01 10:00", 100),  # THREE's last 60, then TEN
        work("jun", "2026-06-01 10:00", 20),  # THREE has expired: TEN
    ]
    result = run(lots, entries, now="2026-07-01 00:00")

    assert charges(result) == [
        ("jan", "TEN", 90),
        ("feb", "THREE", 120),
        ("mar", "THREE", 60),
        ("mar", "TEN", 40),
        ("jun", "TEN", 20),
    ]
    assert balance(result, "GIFT").remaining == 30


def test_rule4_entries_are_consumed_in_the_order_performed_not_the_order_given() -> None:
    lots = [lot("A", "2026-01-10 09:00"), lot("B", "2026-01-10 09:00", "5h")]
    # "a-late" sorts first by id but was performed last.
    entries = [work("a-late", "2026-01-25 10:00", 100), work("z-early", "2026-01-15 10:00", 150)]
    result = run(lots, entries, now="2026-02-01 00:00")
    assert charges(result) == [("z-early", "A", 150), ("a-late", "A", 30), ("a-late", "B", 70)]


# --- rule 5: expiry --------------------------------------------------------------------------


def test_rule5_unused_minutes_of_an_expired_lot_are_lost_and_recorded() -> None:
    lots = [lot("A", "2026-01-10 09:00")]  # expires 2026-04-10 09:00 Paris
    entries = [work("e1", "2026-02-01 10:00", 100)]

    before = run(lots, entries, now="2026-04-10 08:59")
    assert (balance(before, "A").remaining, balance(before, "A").expired) == (80, 0)
    assert balance(before, "A").status is LotStatus.OPEN

    after = run(lots, entries, now="2026-04-11 00:00", previous=before.facts)
    a = balance(after, "A")
    assert (a.granted, a.used, a.expired, a.remaining) == (180, 100, 80, 0)
    assert a.status is LotStatus.EXPIRED
    (event,) = after.events
    assert (event.fact, event.lot_id, event.delta, event.at) == (
        Fact.EXPIRY,
        "A",
        80,
        at("2026-04-10 09:00"),
    )


def test_rule5_work_after_now_still_counts_and_work_after_expiry_is_uncovered() -> None:
    lots = [lot("A", "2026-01-10 09:00")]
    entries = [work("planned", "2026-03-01 10:00", 60), work("too-late", "2026-04-11 10:00", 30)]
    result = run(lots, entries, now="2026-02-01 00:00")

    a = balance(result, "A")
    assert (a.used, a.expired, a.remaining, a.status) == (60, 0, 120, LotStatus.OPEN)
    assert pending(result) == {"too-late": 30}


# --- rule 6: overrun -------------------------------------------------------------------------


def test_rule6_minutes_no_lot_covers_are_pending_uncovered_time() -> None:
    result = run(
        [lot("A", "2026-01-10 09:00")],
        [work("e1", "2026-01-20 10:00", 200, ticket="T1")],
        now="2026-02-01 00:00",
    )
    assert charges(result) == [("e1", "A", 180)]
    assert pending(result) == {"e1": 20}
    assert result.uncovered_minutes == 20
    assert balance(result, "A").status is LotStatus.USED_UP


def test_rule6_the_next_lot_absorbs_uncovered_time_first_oldest_entry_first() -> None:
    entries = [
        work("e1", "2026-01-20 10:00", 200),  # 20 over
        work("e2", "2026-01-21 10:00", 50),  # 50 over
        work("e3", "2026-02-10 10:00", 15),  # on the gift, after it opened
    ]
    lots = [lot("A", "2026-01-10 09:00"), credit("GIFT", "2026-02-01 10:00", 60)]
    result = run(lots, entries, [decide("T1", "buy_pack")], now="2026-03-01 00:00")

    assert charges(result) == [("e1", "A", 180), ("e1", "GIFT+", 20), ("e2", "GIFT+", 40)]
    assert pending(result) == {"e2": 10, "e3": 15}  # e2 partly absorbed, partly still owed
    assert [c.absorbed for c in result.charges] == [False, True, True]
    # Absorbed charges take effect when the absorbing lot opens.
    absorbed = [e for e in result.events if e.fact is Fact.CHARGE and e.lot_id == "GIFT"]
    assert {e.at for e in absorbed} == {at("2026-02-01 10:00")}


def test_rule6_billed_overrun_is_priced_at_the_held_packs_rate_and_never_absorbed() -> None:
    lots = [lot("A", "2026-01-10 09:00", "5h"), lot("B", "2026-03-01 09:00", "3h")]
    entries = [work("e1", "2026-01-20 10:00", 330, ticket="T1")]
    result = run(lots, entries, [decide("T1", "bill")], now="2026-03-02 00:00")

    (billed,) = result.uncovered
    assert (billed.entry_id, billed.minutes, billed.billed) == ("e1", 30, True)
    assert (billed.hourly_rate, billed.amount) == (Decimal("57.00"), Decimal("28.50"))
    assert balance(result, "B").used == 0  # the next pack does not absorb billed time
    assert result.uncovered_minutes == 0
    assert result.billed_minutes == 30
    assert result.facts[(Fact.BILLED, "", "e1")] == 30
    (event,) = [e for e in result.events if e.fact is Fact.BILLED]
    assert event.amount == Decimal("28.50")


def test_rule6_the_held_pack_is_the_latest_opened_even_if_expired_or_used_up() -> None:
    lots = [lot("OLD", "2024-06-01 09:00", "10h"), lot("A", "2026-01-10 09:00", "3h")]
    entries = [work("e1", "2026-05-01 10:00", 60, ticket="T1")]  # A expired on 10 April
    result = run(lots, entries, [decide("T1", "bill")], now="2026-05-02 00:00")

    (billed,) = result.uncovered
    assert (billed.minutes, billed.hourly_rate, billed.amount) == (
        60,
        Decimal("60.00"),
        Decimal("60.00"),
    )


def test_rule6_without_a_held_pack_overrun_is_billed_at_the_unit_rate_of_the_paris_day() -> None:
    policy = Policy(
        unit_rates=((date(2021, 1, 1), Decimal("65.00")), (date(2026, 6, 1), Decimal("70.00")))
    )
    entries = [
        work("may", "2026-05-31 23:30", 45, ticket="T1"),  # 21:30 UTC: still 31 May
        work("june", "2026-06-01 01:30", 45, ticket="T1"),  # 1 June in Paris (31 May in UTC)
        work("july", "2026-07-01 10:00", 45, ticket="T1"),
        work("old", "2019-03-01 10:00", 45, ticket="T1"),  # before every rate: the oldest
    ]
    voided = lot("X", "2026-01-10 09:00", voided=True)  # a voided lot is not held
    gift = credit("GIFT", "2026-01-01 09:00", 0)  # admin credits are not packs
    result = run(
        [voided, gift], entries, [decide("T1", "bill")], now="2026-08-01 00:00", policy=policy
    )

    priced = {u.entry_id: (u.hourly_rate, u.amount) for u in result.uncovered}
    assert priced == {
        "old": (Decimal("65.00"), Decimal("48.75")),
        "may": (Decimal("65.00"), Decimal("48.75")),
        "june": (Decimal("70.00"), Decimal("52.50")),
        "july": (Decimal("70.00"), Decimal("52.50")),
    }


def test_rule6_the_decision_in_force_when_the_work_is_done_applies() -> None:
    entries = [work("e1", "2026-01-20 10:00", 30, ticket="T1"), work("e2", "2026-01-20 11:00", 30)]
    decisions = [
        decide("T1", "bill", "2026-01-15 10:00"),
        decide("T1", "buy_pack", "2026-01-16 10:00"),
        decide("T2", "bill"),
    ]
    result = run([], entries, decisions, now="2026-02-01 00:00")
    assert pending(result) == {"e1": 30, "e2": 30}  # e2 has no ticket: never billed


# --- rule 7: what each lot shows (bought, used, expired, left, status) -----------------------


def test_rule7_each_lot_shows_where_its_minutes_went_and_its_status() -> None:
    lots = [
        lot("open", "2026-01-10 09:00"),
        lot("used", "2026-01-10 09:00", expires="2026-01-12 09:00"),
        lot("expired", "2025-01-10 09:00"),
        lot("voided", "2026-01-10 09:00", voided=True),
        lot("refunded", "2026-01-10 09:00", quantity=2, refunded=2),
    ]
    entries = [work("e1", "2026-01-11 10:00", 180)]  # "used" expires soonest: it takes it all
    result = run(lots, entries, now="2026-02-01 00:00")

    assert {b.lot_id: b.status for b in result.lots} == {
        "open": LotStatus.OPEN,
        "used": LotStatus.USED_UP,  # used up before it expired: no minute lost
        "expired": LotStatus.EXPIRED,
        "voided": LotStatus.VOIDED,
        "refunded": LotStatus.VOIDED,
    }
    for b in result.lots:
        assert b.granted == b.used + b.expired + b.remaining + b.voided


# --- rule 9: integer minutes, Decimal money --------------------------------------------------


def test_rule9_minutes_are_integers_and_money_is_cents_rounded_half_up() -> None:
    policy = Policy(unit_rates=((date(2021, 1, 1), Decimal("0.30")),))
    entries = [work("e1", "2026-01-20 10:00", 1, ticket="T1")]  # 0.005 € → 0.01 €
    result = run([], entries, [decide("T1", "bill")], now="2026-02-01 00:00", policy=policy)

    (billed,) = result.uncovered
    assert billed.amount == Decimal("0.01")
    assert billed.amount.as_tuple().exponent == -2
    assert all(type(value) is int for value in result.facts.values())


# --- rule 10: audit --------------------------------------------------------------------------


def test_rule10_the_event_log_sums_to_the_balances_and_recomputing_adds_nothing() -> None:
    lots = [
        lot("A", "2026-01-10 09:00"),
        lot("B", "2026-02-01 09:00", "5h", quantity=2, refunded=1),
    ]
    entries = [
        work("e1", "2026-01-20 10:00", 200),
        work("e2", "2026-02-15 10:00", 45, kind="exchange"),
        work("e3", "2026-03-01 10:00", 90, ticket="T9"),
    ]
    result = run(lots, entries, now="2026-05-01 00:00")

    assert summed_events(result) == result.facts
    assert result.facts == {
        (Fact.GRANT, "A", ""): 180,
        (Fact.GRANT, "B", ""): 300,
        (Fact.CHARGE, "A", "e1"): 180,
        (Fact.CHARGE, "B", "e1"): 20,
        (Fact.CHARGE, "B", "e3"): 90,
    }
    assert result.remaining_minutes == 190
    assert [(e.at, e.fact) for e in result.events] == [
        (at("2026-01-10 09:00"), Fact.GRANT),
        (at("2026-01-20 10:00"), Fact.CHARGE),
        (at("2026-02-01 09:00"), Fact.GRANT),
        (at("2026-02-01 09:00"), Fact.CHARGE),  # B absorbs e1's 20 minutes as it opens
        (at("2026-03-01 10:00"), Fact.CHARGE),
    ]
    again = run(lots, entries, now="2026-05-01 00:00", previous=result.facts)
    assert again.events == ()
    assert again.facts == result.facts
