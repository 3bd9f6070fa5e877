"""The pack catalog: the built-in offer, TOML files, and one line per mistake."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config import ConfigError, load_catalog, load_settings
from config.catalog import DEFAULT_CATALOG
from sync.policy import policy_from_settings

GOOD = """
[[pack]]
sku = "PACK-2H"
hours = 2
price = "130.00"
validity_months = 2

[[pack]]
sku = "PACK-20H"
hours = 20
price = "1000.00"
validity_months = 12
hourly_rate = "49.50"

[[unit_rate]]
since = 2021-01-01
rate = "65.00"

[[unit_rate]]
since = 2026-01-01
rate = "70.00"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_catalog_is_the_agencys_offer() -> None:
    packs = {
        p.sku: (p.hours, p.price, p.validity_months, p.hourly_rate)
        for p in DEFAULT_CATALOG.packs.values()
    }
    assert packs == {
        "ASSIST-3H": (3, Decimal("180.00"), 3, Decimal("60.00")),
        "ASSIST-5H": (5, Decimal("285.00"), 6, Decimal("57.00")),
        "ASSIST-10H": (10, Decimal("550.00"), 12, Decimal("55.00")),
    }
    assert DEFAULT_CATALOG.unit_rate_on(date(2026, 11, 26)) == Decimal("65.00")
    assert load_catalog(None) is DEFAULT_CATALOG
    assert DEFAULT_CATALOG.pack("ASSIST-3H") is not None
    assert DEFAULT_CATALOG.pack("T-SHIRT") is None and DEFAULT_CATALOG.pack(None) is None


def test_a_toml_catalog_replaces_the_built_in_one(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD))
    assert set(catalog.packs) == {"PACK-2H", "PACK-20H"}
    two = catalog.pack("PACK-2H")
    assert two is not None and (two.minutes, two.hourly_rate) == (120, Decimal("65.00"))
    twenty = catalog.pack("PACK-20H")
    assert twenty is not None and twenty.hourly_rate == Decimal("49.50")
    assert catalog.unit_rate_on(date(2025, 12, 31)) == Decimal("65.00")
    assert catalog.unit_rate_on(date(2026, 1, 1)) == Decimal("70.00")
    assert catalog.unit_rate_on(date(2020, 1, 1)) == Decimal("65.00")  # oldest before its date


def test_the_policy_takes_rounding_and_dated_unit_rates_from_the_settings(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ASSIST_CATALOG": str(write(tmp_path, GOOD)),
            "ASSIST_ROUNDING_MINUTES": "15",
            "ASSIST_TIMEZONE": "America/Cayenne",
        },
        None,
    )
    policy = policy_from_settings(settings)
    assert policy.rounding_minutes == 15
    assert policy.timezone == ZoneInfo("America/Cayenne")  # the rates' days are its days
    assert policy.unit_rates == (
        (date(2021, 1, 1), Decimal("65.00")),
        (date(2026, 1, 1), Decimal("70.00")),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[[pack]]\nsku = "A"\nhours = -3\nprice = "1"\nvalidity_months = 3\n',
            "pack A: 'hours' must be a whole number above 0 (got -3)",
        ),
        (
            '[[pack]]\nsku = "A"\nhours = 3\nprice = "1"\nvalidity_months = 0\n',
            "pack A: 'validity_months' must be a whole number above 0 (got 0)",
        ),
        (
            '[[pack]]\nsku = "A"\nhours = 3\nprice = "-1"\nvalidity_months = 3\n',
            "pack A: 'price' must be an amount",
        ),
        (
            '[[pack]]\nsku = "A"\nhours = 3\nprice = "abc"\nvalidity_months = 3\n',
            "pack A: 'price' must be an amount",
        ),
        ("[[pack]]\nhours = 3\n", "pack #1: 'sku' must be a non-empty string"),
        ("title = 'nothing'\n", "needs at least one [[pack]] table"),
        (
            '[[pack]]\nsku = "A"\nhours = 1\nprice = "1"\nvalidity_months = 1\n'
            '[[unit_rate]]\nsince = "yesterday"\nrate = "1"\n',
            "unit_rate #1 needs since",
        ),
    ],
)
def test_each_mistake_is_one_clear_line(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    (line,) = caught.value.problems
    assert problem in line and str(path) in line and "\n" not in line


@pytest.mark.parametrize("since", ["2026-01-01", '"2026-01-01"'])
def test_a_unit_rate_date_is_a_toml_date_or_the_same_as_a_string(
    tmp_path: Path, since: str
) -> None:
    text = (
        '[[pack]]\nsku = "A"\nhours = 1\nprice = "1"\nvalidity_months = 1\n'
        f'[[unit_rate]]\nsince = {since}\nrate = "70.00"\n'
        '[[unit_rate]]\nsince = 2021-01-01T10:00:00\nrate = "1"\n'
    )
    with pytest.raises(ConfigError) as caught:  # a date-time is not a day
        load_catalog(write(tmp_path, text))
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [
        'unit_rate #2 needs since = YYYY-MM-DD and rate = "65.00"'
    ]
    catalog = load_catalog(write(tmp_path, text.rsplit("[[unit_rate]]", 1)[0]))
    assert catalog.unit_rate_on(date(2026, 1, 1)) == Decimal("70.00")


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        '[[pack]]\nsku = "A"\nhours = 0\nprice = "1"\nvalidity_months = 1\n'
        '[[pack]]\nsku = "B"\nhours = 1\nprice = "1"\nvalidity_months = -1\n'
        '[[pack]]\nsku = "C"\nhours = 1\nprice = "1"\nvalidity_months = 1\n'
        '[[pack]]\nsku = "C"\nhours = 1\nprice = "1"\nvalidity_months = 1\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_catalog(write(tmp_path, text))
    assert len(caught.value.problems) == 3
    assert "SKU listed twice" in caught.value.problems[-1]


def test_a_missing_or_malformed_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as missing:
        load_catalog(tmp_path / "nope.toml")
    assert missing.value.problems == (f"ASSIST_CATALOG: file not found: {tmp_path / 'nope.toml'}",)
    with pytest.raises(ConfigError) as malformed:
        load_catalog(write(tmp_path, "[[pack]\nsku = 1"))
    (line,) = malformed.value.problems
    assert "is not valid TOML" in line and "\n" not in line


def test_the_example_catalog_loads_and_is_the_built_in_offer() -> None:
    root = Path(__file__).resolve().parents[2]
    example = root / "config" / "catalog.example.toml"
    assert load_catalog(example) == DEFAULT_CATALOG
    # Where a newcomer looks for it.
    assert "config/catalog.example.toml" in (root / "README.md").read_text()
    assert "config/catalog.example.toml" in (root / ".env.example").read_text()
