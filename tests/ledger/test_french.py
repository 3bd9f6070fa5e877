"""What clients read: French durations, amounts and Europe/Paris dates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ledger.french import (
    format_amount,
    format_date,
    format_datetime,
    format_duration,
    format_long_date,
    to_local,
)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (1, "1 min"),
        (45, "45 min"),
        (60, "1 h"),
        (135, "2 h 15 min"),
        (600, "10 h"),
        (1501, "25 h 1 min"),
        (-20, "-20 min"),
        (-135, "-2 h 15 min"),
    ],
)
def test_durations_read_in_hours_and_minutes(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("180", f"180,00{NBSP}€"),
        ("28.5", f"28,50{NBSP}€"),
        ("0", f"0,00{NBSP}€"),
        ("0.005", f"0,01{NBSP}€"),  # half a cent rounds up, not to even
        ("0.015", f"0,02{NBSP}€"),
        ("0.004", f"0,00{NBSP}€"),
        ("-0.004", f"0,00{NBSP}€"),  # no "-0,00 €"
        ("999.999", f"1{NNBSP}000,00{NBSP}€"),
        ("1234.5", f"1{NNBSP}234,50{NBSP}€"),
        ("1234567.891", f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        ("-1234.5", f"-1{NNBSP}234,50{NBSP}€"),
        ("1E+3", f"1{NNBSP}000,00{NBSP}€"),
    ],
)
def test_amounts_read_with_a_comma_and_thin_spaces(amount: str, text: str) -> None:
    assert format_amount(Decimal(amount)) == text


def test_the_currency_can_be_named() -> None:
    assert format_amount(Decimal("65"), "EUR") == f"65,00{NBSP}EUR"


def test_dates_are_shown_in_paris_across_daylight_saving() -> None:
    winter = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)  # UTC+1
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # UTC+2: already 2 July in Paris
    assert format_datetime(winter) == "26/11/2026 à 11:05"
    assert format_date(summer) == "02/07/2026"
    assert format_datetime(summer) == "02/07/2026 à 00:30"
    assert format_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "01/01/2027"


def test_long_dates_spell_the_month_and_say_premier() -> None:
    assert format_long_date(datetime(2026, 11, 26, 10, 0, tzinfo=UTC)) == "26 novembre 2026"
    assert format_long_date(datetime(2026, 1, 31, 23, 0, tzinfo=UTC)) == "1er février 2026"
    assert format_long_date(datetime(2026, 8, 15, 12, 0, tzinfo=UTC)) == "15 août 2026"
    assert format_long_date(datetime(2026, 12, 2, 12, 0, tzinfo=UTC)) == "2 décembre 2026"


def test_naive_datetimes_are_read_as_utc_and_other_zones_can_be_asked() -> None:
    naive = datetime(2026, 6, 1, 12, 0)
    assert to_local(naive) == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert to_local(naive).utcoffset() is not None
    assert format_datetime(naive) == "01/06/2026 à 14:00"
    assert format_datetime(naive, ZoneInfo("America/Montreal")) == "01/06/2026 à 08:00"
