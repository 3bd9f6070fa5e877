"""The pack catalog: which SKUs open credits, for how long, at which hourly rate.

The catalog is configuration, not code (docs/design.md §2.1). The built-in default is the agency's
public offer; ``ASSIST_CATALOG`` points at a TOML file that replaces it::

    [[pack]]
    sku = "ASSIST-3H"
    hours = 3
    price = "180.00"
    validity_months = 3
    url = "https://boutique.example/produit/pack-assistance-3h/"   # optional

    [[unit_rate]]
    since = 2021-01-01        # a TOML date; "2021-01-01" is read the same
    rate = "65.00"

A pack's hourly rate is ``price / hours`` unless the file gives ``hourly_rate``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from config.errors import ConfigError

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Pack:
    """One assistance pack sold in the shop."""

    sku: str
    hours: int
    price: Decimal
    validity_months: int
    hourly_rate: Decimal
    url: str | None = None  # the product page where the pack is bought (warnings link to it)

    @property
    def minutes(self) -> int:
        return self.hours * 60


@dataclass(frozen=True)
class DatedRate:
    """An hourly rate in force from ``since`` (inclusive) until the next one."""

    since: date
    rate: Decimal


@dataclass(frozen=True)
class Catalog:
    packs: Mapping[str, Pack]
    unit_rates: tuple[DatedRate, ...] = field(default=())

    def pack(self, sku: str | None) -> Pack | None:
        """The pack sold under ``sku``, or None when the SKU is not a pack (skipped by sync)."""
        if not sku:
            return None
        return self.packs.get(sku)

    def unit_rate_on(self, day: date) -> Decimal:
        """The hourly rate outside packs on ``day``; the oldest rate applies before its date."""
        rates = sorted(self.unit_rates, key=lambda r: r.since)
        current = rates[0].rate
        for rate in rates:
            if rate.since <= day:
                current = rate.rate
        return current


def _pack(sku: str, hours: int, price: str, months: int) -> Pack:
    p = Decimal(price)
    return Pack(sku, hours, p, months, (p / hours).quantize(CENT, ROUND_HALF_UP))


DEFAULT_CATALOG = Catalog(
    packs={
        p.sku: p
        for p in (
            _pack("ASSIST-3H", 3, "180.00", 3),
            _pack("ASSIST-5H", 5, "285.00", 6),
            _pack("ASSIST-10H", 10, "550.00", 12),
        )
    },
    unit_rates=(DatedRate(date(2021, 1, 1), Decimal("65.00")),),
)


def load_catalog(path: str | Path | None) -> Catalog:
    """Read a TOML catalog, or return the built-in one when ``path`` is None.

    Raises ConfigError with one line per problem found (all of them, not just the first).
    """
    if path is None:
        return DEFAULT_CATALOG
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"ASSIST_CATALOG: file not found: {p}"]) from None
    except OSError as exc:
        raise ConfigError([f"ASSIST_CATALOG: cannot read {p}: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"ASSIST_CATALOG: {p} is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"ASSIST_CATALOG: {p} is not valid TOML: {exc}"]) from None
    return parse_catalog(raw, source=str(p))


def parse_catalog(raw: Mapping[str, Any], source: str = "catalog") -> Catalog:
    problems: list[str] = []
    packs: dict[str, Pack] = {}
    entries = raw.get("pack", [])
    if not isinstance(entries, list) or not entries:
        problems.append(f"{source}: needs at least one [[pack]] table")
        entries = []
    for i, entry in enumerate(entries, start=1):
        where = f"{source}: pack #{i}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a table")
            continue
        sku = entry.get("sku")
        if not isinstance(sku, str) or not sku.strip():
            problems.append(f"{where}: 'sku' must be a non-empty string")
            continue
        where = f"{source}: pack {sku}"
        hours = entry.get("hours")
        months = entry.get("validity_months")
        price = _decimal(entry.get("price"))
        ok = True
        if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
            problems.append(f"{where}: 'hours' must be a whole number above 0 (got {hours!r})")
            ok = False
        if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
            problems.append(
                f"{where}: 'validity_months' must be a whole number above 0 (got {months!r})"
            )
            ok = False
        if price is None or price < 0:
            problems.append(f"{where}: 'price' must be an amount like \"180.00\", not negative")
            ok = False
        rate = _decimal(entry.get("hourly_rate")) if "hourly_rate" in entry else None
        if "hourly_rate" in entry and (rate is None or rate < 0):
            problems.append(f"{where}: 'hourly_rate' must be an amount like \"60.00\"")
            ok = False
        url = entry.get("url")
        if url is not None and (
            not isinstance(url, str) or not url.startswith(("http://", "https://"))
        ):
            problems.append(f"{where}: 'url' must be an http(s) address")
            ok = False
        if sku in packs:
            problems.append(f"{where}: SKU listed twice")
            ok = False
        if ok:
            assert isinstance(hours, int) and isinstance(months, int) and price is not None
            hourly = rate if rate is not None else (price / hours).quantize(CENT, ROUND_HALF_UP)
            packs[sku] = Pack(sku, hours, price, months, hourly, url)

    rates: list[DatedRate] = []
    raw_rates = raw.get("unit_rate", [])
    if not isinstance(raw_rates, list):
        problems.append(f"{source}: 'unit_rate' must be a list of tables")
        raw_rates = []
    for i, entry in enumerate(raw_rates, start=1):
        since = _date(entry.get("since")) if isinstance(entry, dict) else None
        value = _decimal(entry.get("rate")) if isinstance(entry, dict) else None
        if not isinstance(since, date) or value is None or value < 0:
            problems.append(f'{source}: unit_rate #{i} needs since = YYYY-MM-DD and rate = "65.00"')
            continue
        rates.append(DatedRate(since, value))
    if problems:
        raise ConfigError(problems)
    return Catalog(packs=packs, unit_rates=tuple(rates) or DEFAULT_CATALOG.unit_rates)


def _date(value: object) -> date | None:
    """A TOML date (``since = 2021-01-01``) or the same written as a string; None otherwise."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    if isinstance(value, float):
        return Decimal(str(value))
    return None
