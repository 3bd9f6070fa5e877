"""A pack's product page, given in the catalog, is where warnings send the client to buy."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_catalog, load_settings
from sync.warnings import WarningOptions

CATALOG = """
[[pack]]
sku = "ASSIST-3H"
hours = 3
price = "180.00"
validity_months = 3
url = "https://boutique.example/produit/pack-assistance-3h/"

[[pack]]
sku = "ASSIST-5H"
hours = 5
price = "285.00"
validity_months = 6
"""


def test_a_pack_url_from_the_catalog_becomes_the_buy_link(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG, encoding="utf-8")
    settings = load_settings(
        {"ASSIST_CATALOG": str(path), "WOO_URL": "https://boutique.example"}, dotenv_path=None
    )
    options = WarningOptions.from_settings(settings)
    assert options.buy_url("ASSIST-3H") == "https://boutique.example/produit/pack-assistance-3h/"
    assert options.buy_url("ASSIST-5H") == "https://boutique.example/"
    assert load_catalog(path).packs["ASSIST-5H"].url is None


def test_a_pack_url_that_is_not_http_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(CATALOG.replace("https://boutique", "ftp://boutique"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    assert caught.value.problems == (f"{path}: pack ASSIST-3H: 'url' must be an http(s) address",)
