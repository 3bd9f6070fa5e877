"""Calendar months on the Paris wall clock: month ends, year ends, DST gaps and repeats."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.catalog import DEFAULT_CATALOG
from ledger.calendar import add_months, lot_expiry

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31 10:00", 1, "2026-02-28 10:00"),  # clamped to February's end
        ("2028-01-31 10:00", 1, "2028-02-29 10:00"),  # leap year
        ("2026-03-31 10:00", 1, "2026-04-30 10:00"),
        ("2026-01-15 10:00", 3, "2026-04-15 10:00"),
        ("2026-11-30 10:00", 3, "2027-02-28 10:00"),  # across the year end, clamped
        ("2026-12-15 10:00", 1, "2027-01-15 10:00"),
        ("2026-05-20 10:00", 12, "2027-05-20 10:00"),
        ("2026-03-31 10:00", -1, "2026-02-28 10:00"),
        ("2026-01-15 10:00", -1, "2025-12-15 10:00"),
    ],
)
def test_calendar_months_clamp_to_the_end_of_the_month(
    start: str, months: int, expected: str
) -> None:
    assert add_months(paris(start), months, PARIS) == paris(expected)


def test_a_winter_purchase_expires_an_hour_earlier_in_utc_in_summer() -> None:
    bought = utc("2026-01-10 09:00")  # 10:00 in Paris (UTC+1)
    assert add_months(bought, 3, PARIS) == utc("2026-04-10 08:00")  # 10:00 in Paris (UTC+2)


def test_a_summer_purchase_expires_an_hour_later_in_utc_in_winter() -> None:
    bought = utc("2026-08-15 08:00")  # 10:00 in Paris (UTC+2)
    assert add_months(bought, 3, PARIS) == utc("2026-11-15 09:00")


def test_months_are_counted_on_the_paris_date_not_the_utc_date() -> None:
    # 1 March 00:30 in Paris is still 28 February in UTC.
    bought = utc("2026-02-28 23:30")
    assert add_months(bought, 1, PARIS) == utc("2026-03-31 22:30")  # 1 April 00:30 Paris


def test_a_wall_time_in_the_spring_gap_lands_past_the_gap() -> None:
    # 29 March 2026 02:30 does not exist in Paris: it is read as 02:30 UTC+1, i.e. 03:30 UTC+2.
    result = add_months(paris("2026-01-29 02:30"), 2, PARIS)
    assert result == utc("2026-03-29 01:30")
    assert result.astimezone(PARIS).strftime("%H:%M %z") == "03:30 +0200"


def test_a_repeated_wall_time_in_autumn_is_its_first_occurrence() -> None:
    # 25 October 2026 02:30 happens twice in Paris; the first (summer time) one is chosen.
    result = add_months(paris("2026-09-25 02:30"), 1, PARIS)
    assert result == utc("2026-10-25 00:30")


def test_the_result_is_utc_whatever_the_zone_of_the_input() -> None:
    moment = datetime(2026, 1, 10, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    result = add_months(moment, 1, PARIS)
    assert result.tzinfo is UTC
    assert result == utc("2026-02-10 09:00")
    assert add_months(moment, 0, PARIS) == moment


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        add_months(datetime(2026, 1, 10, 10, 0), 1, PARIS)


def test_lot_expiry_takes_months_or_a_catalog_pack() -> None:
    opened = paris("2026-01-10 10:00")
    ten_hours = DEFAULT_CATALOG.pack("ASSIST-10H")
    assert ten_hours is not None
    assert lot_expiry(opened, ten_hours, PARIS) == paris("2027-01-10 10:00")
    assert lot_expiry(opened, 6, PARIS) == paris("2026-07-10 10:00")
    with pytest.raises(ValueError, match="at least one month"):
        lot_expiry(opened, 0, PARIS)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)),
    st.integers(min_value=1, max_value=36),
)
def test_the_paris_wall_clock_moves_by_whole_months(naive: datetime, months: int) -> None:
    start = naive.replace(tzinfo=UTC)
    result = add_months(start, months, PARIS)
    before, after = start.astimezone(PARIS), result.astimezone(PARIS)

    assert result.tzinfo is UTC
    assert result > start
    month_index = after.year * 12 + after.month - (before.year * 12 + before.month)
    assert month_index == months
    assert after.day == min(before.day, calendar.monthrange(after.year, after.month)[1])
    wall_shift = after.replace(tzinfo=None) - datetime.combine(after.date(), before.time())
    # Same wall time, except a time in the spring gap which moves forward by the gap (1 h).
    assert wall_shift in (timedelta(0), timedelta(hours=1))
    if wall_shift:
        assert (after.month, after.hour) == (3, 3)
