"""Query values in the exact forms the WordPress/WooCommerce REST API reads correctly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime


def gmt(moment: datetime) -> str:
    """Naive UTC ``YYYY-MM-DDTHH:MM:SS`` for a ``*_gmt`` filter sent with ``dates_are_gmt=true``.

    An aware datetime is converted to UTC; a naive one is taken as UTC already (the ledger stores
    UTC, and SQLite hands datetimes back naive). Sub-seconds are dropped: the shop compares whole
    seconds. With ``dates_are_gmt=true`` an offset must not be sent: WordPress would convert it to
    the shop's local wall time and shift the filter by the shop's offset.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def comma_list(values: Sequence[str] | str, *, name: str) -> str:
    """``a,b`` for an array argument (a repeated bare key would keep only the last value)."""
    items = [values] if isinstance(values, str) else list(values)
    if not items or any(not isinstance(v, str) or not v or "," in v for v in items):
        raise ValueError(f"{name} must be a non-empty list of values without commas: {values!r}")
    return ",".join(items)


def modified_window(
    modified_after: datetime | None, modified_before: datetime | None
) -> dict[str, object]:
    """``modified_after``/``modified_before`` query values (naive UTC), each only when given."""
    params: dict[str, object] = {}
    if modified_after is not None:
        params["modified_after"] = gmt(modified_after)
    if modified_before is not None:
        params["modified_before"] = gmt(modified_before)
    return params
