"""How clients read numbers: French durations, amounts and Europe/Paris dates.

>>> format_duration(135)
'2 h 15 min'
>>> format_amount(Decimal("180"))
'180,00 €'
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
NNBSP = "\u202f"  # thin no-break space, the French thousands separator
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def format_duration(minutes: int) -> str:
    """``135`` → ``"2 h 15 min"``; ``60`` → ``"1 h"``; ``45`` → ``"45 min"``; ``0`` → ``"0 min"``.

    Negative durations (a debt) keep their sign: ``-20`` → ``"-20 min"``.
    """
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{rest} min"


def format_amount(amount: Decimal, currency: str = "€") -> str:
    """``Decimal("1234.5")`` → ``"1 234,50 €"`` (thin no-break space for thousands)."""
    cents = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    whole, _, frac = f"{abs(cents):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NNBSP.join(groups)},{frac}{NBSP}{currency}"


def to_local(moment: datetime, tz: ZoneInfo = PARIS) -> datetime:
    """A UTC instant as wall time in ``tz`` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def format_date(moment: datetime, tz: ZoneInfo = PARIS) -> str:
    """``"26/11/2026"`` in ``tz``."""
    return to_local(moment, tz).strftime("%d/%m/%Y")


def format_datetime(moment: datetime, tz: ZoneInfo = PARIS) -> str:
    """``"26/11/2026 à 11:05"`` in ``tz``."""
    local = to_local(moment, tz)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def format_long_date(moment: datetime, tz: ZoneInfo = PARIS) -> str:
    """``"26 novembre 2026"`` in ``tz`` (``"1er"`` for the first of the month)."""
    local = to_local(moment, tz)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS[local.month - 1]} {local.year}"
