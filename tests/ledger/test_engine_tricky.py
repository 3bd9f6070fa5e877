"""The tricky stories: boundaries, same-minute ties, DST, and the client area changing its mind."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.domain import Allocation, FactKey, LotStatus
from tests.ledger.scenarios import (
    at,
    balance,
    charges,
    decide,
    lot,
    pending,
    run,
    summed_events,
    work,
)


def deltas(result: Allocation) -> list[tuple[str, str | None, str | None, int, datetime]]:
    return [(e.fact.value, e.lot_id, e.entry_id, e.delta, e.at) for e in result.events]


def log_total(*results: Allocation) -> dict[FactKey, int]:
    """What an append-only log fed by these successive recomputes sums to."""
    totals: dict[FactKey, int] = {}
    for result in results:
        for event in result.events:
            totals[event.key] = totals.get(event.key, 0) + event.delta
    return {key: value for key, value in totals.items() if value}


def test_an_entry_spans_two_lots() -> None:
    lots = [lot("A", "2026-01-10 09:00"), lot("B", "2026-01-15 09:00")]
    entries = [work("e1", "2026-01-20 10:00", 150), work("e2", "2026-01-21 10:00", 60)]
    result = run(lots, entries, now="2026-02-01 00:00")

    assert charges(result) == [("e1", "A", 150), ("e2", "A", 30), ("e2", "B", 30)]
    split = [e for e in result.events if e.entry_id == "e2"]
    assert [(e.lot_id, e.delta, e.at) for e in split] == [
        ("A", 30, at("2026-01-21 10:00")),
        ("B", 30, at("2026-01-21 10:00")),
    ]


def test_a_lot_bought_after_the_work_absorbs_it_when_paid() -> None:
    entries = [work("e1", "2026-01-20 10:00", 90)]
    before = run([], entries, now="2026-01-21 00:00")
    assert pending(before) == {"e1": 90}

    after = run(
        [lot("A", "2026-01-25 09:00")], entries, now="2026-01-26 00:00", previous=before.facts
    )
    assert charges(after) == [("e1", "A+", 90)]
    assert after.uncovered == ()
    assert deltas(after) == [
        ("uncovered", None, "e1", -90, at("2026-01-20 10:00")),
        ("grant", "A", None, 180, at("2026-01-25 09:00")),
        ("charge", "A", "e1", 90, at("2026-01-25 09:00")),
    ]
    assert log_total(before, after) == after.facts


def test_two_lots_opening_together_absorb_in_lot_order() -> None:
    entries = [work("e1", "2026-01-20 10:00", 200)]
    lots = [
        lot("LONG", "2026-02-01 09:00", "10h"),
        lot("SHORT", "2026-02-01 09:00", "3h"),  # expires sooner: absorbs first
    ]
    result = run(lots, entries, now="2026-03-01 00:00")
    assert charges(result) == [("e1", "SHORT+", 180), ("e1", "LONG+", 20)]


def test_a_refund_after_partial_use_uncovers_only_what_no_longer_fits() -> None:
    entries = [work("e1", "2026-01-20 10:00", 120), work("e2", "2026-01-22 10:00", 80)]
    paid = run([lot("A", "2026-01-10 09:00", quantity=2)], entries, now="2026-02-01 00:00")
    assert balance(paid, "A").remaining == 160

    refunded = run(
        [lot("A", "2026-01-10 09:00", quantity=2, refunded=1)],
        entries,
        now="2026-02-05 00:00",
        previous=paid.facts,
    )
    a = balance(refunded, "A")
    assert (a.granted, a.used, a.remaining, a.voided) == (360, 180, 0, 180)
    assert pending(refunded) == {"e2": 20}
    assert deltas(refunded) == [
        ("grant", "A", None, -180, at("2026-01-10 09:00")),
        ("charge", "A", "e2", -20, at("2026-01-22 10:00")),
        ("uncovered", None, "e2", 20, at("2026-01-22 10:00")),
    ]
    assert log_total(paid, refunded) == refunded.facts


def test_expiry_on_the_same_minute_as_an_entry_and_an_opening() -> None:
    old = lot("OLD", "2026-01-10 09:00")  # expires 2026-04-10 09:00 Paris
    new = lot("NEW", "2026-04-10 09:00")  # paid the very minute OLD expires
    entries = [
        work("last-minute", "2026-04-10 08:59", 10),
        work("on-the-minute", "2026-04-10 09:00", 10),
    ]
    result = run([old, new], entries, now="2026-04-10 09:00")

    # Expiry first, then opening, then work: OLD does not cover 09:00, NEW does, unabsorbed.
    assert charges(result) == [("last-minute", "OLD", 10), ("on-the-minute", "NEW", 10)]
    assert [c.absorbed for c in result.charges] == [False, False]
    assert (balance(result, "OLD").expired, balance(result, "OLD").status) == (
        170,
        LotStatus.EXPIRED,
    )


def test_an_entry_on_the_expiry_minute_without_a_new_lot_is_uncovered() -> None:
    result = run(
        [lot("A", "2026-01-10 09:00")],
        [work("e1", "2026-04-10 09:00", 10)],
        now="2026-04-10 09:00",
    )
    assert pending(result) == {"e1": 10}
    assert balance(result, "A").expired == 180
    # At one instant the log reads: what was granted, how it was used, then what was lost.
    assert [(e.fact.value, e.at) for e in result.events] == [
        ("grant", at("2026-01-10 09:00")),
        ("uncovered", at("2026-04-10 09:00")),
        ("expiry", at("2026-04-10 09:00")),
    ]


def test_dst_spring_a_winter_purchase_expires_at_the_same_paris_hour_in_summer() -> None:
    winter = lot("A", "2026-01-10 10:00")  # 09:00 UTC (CET)
    assert winter.expires_at == datetime(2026, 4, 10, 8, 0, tzinfo=UTC)  # 10:00 CEST
    entries = [
        work("just-before", "2026-04-10 09:59", 10),
        work("just-after", "2026-04-10 10:00", 10),
        work("same-utc-hour", "2026-04-10 10:30", 10),  # 08:30 UTC: after the expiry
    ]
    result = run([winter], entries, now="2026-05-01 00:00")

    assert charges(result) == [("just-before", "A", 10)]
    assert pending(result) == {"just-after": 10, "same-utc-hour": 10}
    assert balance(result, "A").expired == 170


def test_dst_autumn_a_summer_purchase_expires_at_the_same_paris_hour_in_winter() -> None:
    summer = lot("A", "2026-08-15 10:00")  # 08:00 UTC (CEST)
    assert summer.expires_at == datetime(2026, 11, 15, 9, 0, tzinfo=UTC)  # 10:00 CET
    entries = [
        work("utc-08-30", "2026-11-15 08:30Z", 10),  # 09:30 Paris: still valid
        work("paris-10-00", "2026-11-15 10:00", 10),
    ]
    result = run([summer], entries, now="2026-12-01 00:00")
    assert charges(result) == [("utc-08-30", "A", 10)]
    assert pending(result) == {"paris-10-00": 10}


def test_work_in_the_night_of_the_clock_change_is_ordered_by_its_utc_instant() -> None:
    # On 25 October 2026 Paris lives 02:30 twice; a lot paid at the second 02:30 (01:30 UTC)
    # covers work at the second 02:45 but not work at the first 02:45 (00:45 UTC).
    paid = lot("A", "2026-10-25 01:30Z", expires=None)
    entries = [work("first", "2026-10-25 00:45Z", 10), work("second", "2026-10-25 01:45Z", 10)]
    result = run([paid], entries, now="2026-10-26 00:00")
    assert charges(result) == [("first", "A+", 10), ("second", "A", 10)]


def test_two_lots_with_the_same_expiry_are_used_oldest_opening_then_id() -> None:
    lots = [
        lot("B", "2026-01-10 09:00", expires="2026-06-01 00:00"),
        lot("A", "2026-01-10 09:00", expires="2026-06-01 00:00"),
        lot("Z", "2026-01-05 09:00", expires="2026-06-01 00:00"),
    ]
    entries = [work("e1", "2026-01-20 10:00", 400)]
    result = run(lots, entries, now="2026-02-01 00:00")
    assert charges(result) == [("e1", "Z", 180), ("e1", "A", 180), ("e1", "B", 40)]


def test_an_edited_then_deleted_entry_shows_its_deltas_and_the_log_stays_exact() -> None:
    lots = [lot("A", "2026-01-10 09:00")]
    first = run(
        lots,
        [work("e1", "2026-01-20 10:00", 60), work("e2", "2026-01-21 10:00", 30)],
        now="2026-02-01 00:00",
    )
    edited = run(
        lots,
        [work("e1", "2026-01-20 10:00", 170), work("e2", "2026-01-21 10:00", 30)],
        now="2026-02-02 00:00",
        previous=first.facts,
    )
    assert deltas(edited) == [
        ("charge", "A", "e1", 110, at("2026-01-20 10:00")),
        ("charge", "A", "e2", -20, at("2026-01-21 10:00")),
        ("uncovered", None, "e2", 20, at("2026-01-21 10:00")),
    ]

    deleted = run(
        lots, [work("e2", "2026-01-21 10:00", 30)], now="2026-02-03 00:00", previous=edited.facts
    )
    # e1 is gone: its charge disappears "now"; e2 is covered again at its own time.
    assert deltas(deleted) == [
        ("charge", "A", "e2", 20, at("2026-01-21 10:00")),
        ("uncovered", None, "e2", -20, at("2026-01-21 10:00")),
        ("charge", "A", "e1", -170, at("2026-02-03 00:00")),
    ]
    assert log_total(first, edited, deleted) == deleted.facts
    from_scratch = run(lots, [work("e2", "2026-01-21 10:00", 30)], now="2026-02-03 00:00")
    assert from_scratch.facts == deleted.facts
    assert summed_events(from_scratch) == deleted.facts


def test_a_voided_then_restored_lot_returns_to_the_same_facts() -> None:
    entries = [work("e1", "2026-01-20 10:00", 100)]
    paid = run([lot("A", "2026-01-10 09:00")], entries, now="2026-02-01 00:00")
    voided = run(
        [lot("A", "2026-01-10 09:00", voided=True)],
        entries,
        now="2026-02-02 00:00",
        previous=paid.facts,
    )
    restored = run(
        [lot("A", "2026-01-10 09:00")], entries, now="2026-02-03 00:00", previous=voided.facts
    )

    assert pending(voided) == {"e1": 100}
    assert restored.facts == paid.facts
    assert [(e.fact.value, e.delta) for e in restored.events] == [
        ("grant", 180),
        ("charge", 100),
        ("uncovered", -100),
    ]
    assert log_total(paid, voided, restored) == paid.facts


def test_a_bill_decision_taken_after_a_pack_absorbed_the_time_leaves_the_pack_alone() -> None:
    entries = [
        work("e1", "2026-01-20 10:00", 45, ticket="T1"),
        work("e2", "2026-04-20 10:00", 200, ticket="T1"),  # the new pack (3 h) runs out again
    ]
    lots = [lot("B", "2026-02-01 09:00")]
    bought = run(lots, entries[:1], [decide("T1", "buy_pack")], now="2026-02-02 00:00")
    assert charges(bought) == [("e1", "B+", 45)]

    later = [decide("T1", "buy_pack"), decide("T1", "bill", "2026-04-01 00:00")]
    billed = run(lots, entries, later, now="2026-04-21 00:00", previous=bought.facts)
    # The pack bought in February covered e1 for good; the decision of April bills what the
    # pack cannot cover after it, at the pack's rate.
    assert charges(billed) == [("e1", "B+", 45), ("e2", "B", 135)]
    (part,) = billed.uncovered
    assert (part.entry_id, part.minutes, part.billed, str(part.amount)) == ("e2", 65, True, "65.00")
    assert deltas(billed) == [
        ("charge", "B", "e2", 135, at("2026-04-20 10:00")),
        ("billed", None, "e2", 65, at("2026-04-20 10:00")),
    ]


def test_a_bill_decision_bills_the_pending_time_at_once_and_the_next_pack_does_not_take_it() -> (
    None
):
    entries = [work("e1", "2026-01-20 10:00", 45, ticket="T1"), work("e2", "2026-01-21 10:00", 30)]
    lots = [lot("B", "2026-03-01 09:00")]
    result = run(lots, entries, [decide("T1", "bill", "2026-02-01 00:00")], now="2026-03-02 00:00")
    assert charges(result) == [("e2", "B+", 30)]  # e2 has no ticket: absorbed as usual
    (part,) = result.uncovered
    # Billed when decided (1 February), at the unit rate: no pack was held in January.
    assert (part.entry_id, part.minutes, part.billed, str(part.amount)) == ("e1", 45, True, "48.75")


def test_a_bill_decision_on_the_very_instant_a_pack_is_bought_comes_after_the_purchase() -> None:
    entries = [work("e1", "2026-01-20 10:00", 45, ticket="T1")]
    lots = [lot("B", "2026-02-01 09:00")]
    result = run(lots, entries, [decide("T1", "bill", "2026-02-01 09:00")], now="2026-02-02 00:00")
    assert charges(result) == [("e1", "B+", 45)] and result.uncovered == ()


def test_entries_at_the_same_instant_are_served_by_id() -> None:
    lots = [lot("A", "2026-01-10 09:00")]
    entries = [work("b", "2026-01-20 10:00", 100), work("a", "2026-01-20 10:00", 100)]
    result = run(lots, entries, now="2026-02-01 00:00")
    assert charges(result) == [("a", "A", 100), ("b", "A", 80)]
    assert pending(result) == {"b": 20}


def test_a_pack_paid_the_very_minute_of_the_work_is_the_pack_held() -> None:
    result = run(
        [lot("A", "2026-01-10 09:00")],
        [work("e1", "2026-01-10 09:00", 200, ticket="T1")],
        [decide("T1", "bill")],
        now="2026-01-11 00:00",
    )
    (part,) = result.uncovered
    assert (part.minutes, str(part.hourly_rate), str(part.amount)) == (20, "60.00", "20.00")


def test_previous_facts_read_back_from_storage_with_plain_string_kinds_are_understood() -> None:
    lots = [lot("A", "2026-01-10 09:00")]
    entries = [work("e1", "2026-01-20 10:00", 30)]
    stored = {("grant", "A", ""): 180, ("charge", "A", "e1"): 20, ("expiry", "A", ""): 0}
    result = run(lots, entries, now="2026-02-01 00:00", previous=stored)  # type: ignore[arg-type]
    assert [(e.fact.value, e.delta, e.value) for e in result.events] == [("charge", 10, 30)]
