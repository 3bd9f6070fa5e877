"""The orders cursor: the frozen bound minus the overlap, stored as a small explicit value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sync.order_cursor import CursorError, OrderCursor, whole_seconds


def test_after_run_is_the_bound_minus_the_overlap_in_whole_seconds() -> None:
    bound = datetime(2026, 11, 26, 12, 0, 0, 987654, tzinfo=UTC)
    cursor = OrderCursor.after_run(bound, 300)
    assert cursor.modified_after == datetime(2026, 11, 26, 11, 55, 0, tzinfo=UTC)


def test_round_trip_and_offsets_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    cursor = OrderCursor(datetime(2026, 11, 26, 13, 0, tzinfo=paris).astimezone(UTC))
    assert OrderCursor.decode(cursor.encode()) == cursor
    assert OrderCursor.decode(None) is None
    assert whole_seconds(datetime(2026, 1, 1, 1, 0, 0, 5, tzinfo=paris)).tzinfo == UTC


@pytest.mark.parametrize("text", ["", "2026-01-01", '{"v": 2, "modified_after": "x"}', "[]"])
def test_unreadable_cursor_is_an_error_not_a_fresh_start(text: str) -> None:
    with pytest.raises(CursorError):
        OrderCursor.decode(text)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        OrderCursor(datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        whole_seconds(datetime(2026, 1, 1))
