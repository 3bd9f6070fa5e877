"""Dates as the shop shows and filters them.

The shop's timezone is Europe/Berlin (like the captured shop). Bodies carry naive ISO strings:
``date_*`` in shop-local wall time, ``date_*_gmt`` in UTC, never an offset. Internally every
instant is an aware UTC ``datetime`` truncated to the second.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHOP_TZ = ZoneInfo("Europe/Berlin")

# WordPress ``rest_parse_date``: RFC 3339 with an optional offset and fraction.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def utc_now() -> datetime:
    """The current instant, UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC, whole seconds; a naive value is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def gmt_text(moment: datetime) -> str:
    """``2026-11-26T10:32:38``: the UTC wall time, no offset (``*_gmt`` fields)."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S")


def local_text(moment: datetime) -> str:
    """The shop-local wall time, no offset (``date_*`` fields)."""
    return as_utc(moment).astimezone(SHOP_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def local_wall(moment: datetime) -> datetime:
    """Naive shop-local wall time of ``moment`` (what a ``post_date`` column holds)."""
    return as_utc(moment).astimezone(SHOP_TZ).replace(tzinfo=None)


def utc_wall(moment: datetime) -> datetime:
    """Naive UTC wall time of ``moment`` (what a ``post_date_gmt`` column holds)."""
    return as_utc(moment).replace(tzinfo=None)


def parse_filter_date(text: str) -> datetime | None:
    """Read a date filter the way WordPress does, or None when it is not a valid date.

    The result is the naive **shop-local wall time** that ``WP_Date_Query`` compares with the
    column: a naive value is taken as shop-local; a value with ``Z`` or an offset is converted to
    shop-local wall time. The caller compares it with the local column, or (``dates_are_gmt``)
    with the GMT column as is — which is why a naive UTC value is right with ``dates_are_gmt=true``
    and a value with an offset is shifted by the shop's offset there, like the real shop.
    """
    match = _RFC3339.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        wall = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    offset = match.group(7)
    if offset is None:
        return wall
    if offset in ("Z", "z"):
        aware = wall.replace(tzinfo=UTC)
    else:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or "0")
        aware = wall.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return aware.astimezone(SHOP_TZ).replace(tzinfo=None)


def parse_area_date(text: str) -> datetime | None:
    """Client-area filters: naive values are UTC; an offset is honoured. Naive UTC result."""
    match = _RFC3339.match(text.strip())
    if not match:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)
