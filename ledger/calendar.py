"""Calendar arithmetic for lot validity: months are counted on the client's wall clock.

A pack bought on 10 January at 10:00 in Paris and valid 6 months expires on 10 July at 10:00 in
Paris — even though Paris changed from UTC+1 to UTC+2 in between, so the expiry is one hour
"earlier" in UTC. Timestamps go in and come out as aware UTC ``datetime``s.

Wall times that do not exist or exist twice in ``tz`` are resolved deterministically, the way
``zoneinfo`` reads ``fold=0``:

* a time in the spring-forward gap (02:30 on the last Sunday of March in Paris) is read with the
  offset in force before the gap, i.e. it lands as far past the gap as it was into it (03:30);
* a time repeated by the autumn fall-back (02:30 on the last Sunday of October) is its first
  occurrence (the summer-time one, the earlier instant).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class HasValidity(Protocol):
    """Anything that says how many calendar months it is valid for (e.g. ``config.Pack``)."""

    @property
    def validity_months(self) -> int: ...


def add_months(moment: datetime, months: int, tz: ZoneInfo) -> datetime:
    """``moment`` plus ``months`` calendar months of wall-clock time in ``tz``, as aware UTC.

    The day is clamped to the target month's end (31 January + 1 month = 28 or 29 February).
    ``months`` may be zero or negative. Raises ValueError for a naive ``moment``.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"add_months needs an aware datetime, got naive {moment.isoformat()}")
    if months == 0:
        return moment.astimezone(UTC)
    local = moment.astimezone(tz)
    year, month0 = divmod(local.month - 1 + months, 12)
    year += local.year
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    wall = local.replace(year=year, month=month0 + 1, day=day, fold=0)
    return wall.astimezone(UTC)


def lot_expiry(opened_at: datetime, validity: int | HasValidity, tz: ZoneInfo) -> datetime:
    """When a lot opened at ``opened_at`` and valid ``validity`` months expires (aware UTC).

    ``validity`` is a number of months or a pack carrying ``validity_months``. Raises ValueError
    for a validity below one month (a lot must cover some time) or a naive ``opened_at``.
    """
    months = validity if isinstance(validity, int) else validity.validity_months
    if months < 1:
        raise ValueError(f"a lot is valid at least one month, not {months}")
    return add_months(opened_at, months, tz)
