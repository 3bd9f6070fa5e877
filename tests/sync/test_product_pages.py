"""The packs' product pages: found by SKU in the (sandbox) shop by the orders sync, kept in the
ledger a day, and the link of every warning that offers to buy a pack."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import load_settings
from ledger.records import MISSING_PRODUCT
from ledger.store import LedgerStore
from sandbox.shop_model import Product
from sync.account_payload import account_payload
from sync.policy import policy_from_settings
from sync.sweep import current_warnings
from tests.sync.orders_world import World, make_world, world_fixture  # noqa: F401

PAGES = {
    "ASSIST-3H": "/produit/pack-assistance-3h/",
    "ASSIST-5H": "/produit/pack-assistance-5h/",
    "ASSIST-10H": "/produit/pack-assistance-10h/",
}


def product_requests(world: World) -> list[str]:
    """The ``sku`` parameter of each products request the sandbox answered."""
    return [r.query.get("sku", "") for r in world.sandbox.requests if r.route == "/wc/v3/products"]


def stored(world: World) -> dict[str, tuple[str, str | None]]:
    with world.db.read() as session:
        pages = LedgerStore(session).product_pages()
    return {sku: (page.status, page.url) for sku, page in pages.items()}


def product(world: World, sku: str) -> Product:
    found: Product = next(p for p in world.shop.products.values() if p.sku == sku)
    return found


def test_the_orders_sync_finds_each_pack_page_in_one_request_a_day(world: World) -> None:
    now = datetime.now(UTC) + timedelta(seconds=1)
    world.sync(now=now)
    [request] = [r for r in world.sandbox.requests if r.route == "/wc/v3/products"]
    assert request.query["sku"] == "ASSIST-10H,ASSIST-3H,ASSIST-5H"
    assert request.query["per_page"] == "100"
    base = world.sandbox.url
    assert stored(world) == {sku: ("publish", base + path) for sku, path in PAGES.items()}
    quiet = world.sync(now=now + timedelta(hours=23))
    assert len(product_requests(world)) == 1 and quiet.requests == 1
    product(world, "ASSIST-5H").slug = "pack-5-heures"
    world.sync(now=now + timedelta(hours=24))
    assert len(product_requests(world)) == 2
    assert stored(world)["ASSIST-5H"] == ("publish", f"{base}/produit/pack-5-heures/")


def test_a_pack_without_a_published_product_keeps_no_page(
    world: World, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    product(world, "ASSIST-10H").status = "draft"
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        "".join(
            f'[[pack]]\nsku = "{sku}"\nhours = {hours}\nprice = "{price}"\nvalidity_months = 3\n'
            for sku, hours, price in (
                ("ASSIST-3H", 3, "180.00"),
                ("ASSIST-10H", 10, "550.00"),
                ("ASSIST-99H", 99, "5000.00"),
            )
        )
    )
    custom = make_world(world.sandbox, world.settings.database_url, ASSIST_CATALOG=str(catalog))
    try:
        with caplog.at_level(logging.WARNING, logger="sync.product_pages"):
            custom.sync()
        assert stored(custom) == {
            "ASSIST-3H": ("publish", world.sandbox.url + PAGES["ASSIST-3H"]),
            "ASSIST-10H": ("draft", None),
            "ASSIST-99H": (MISSING_PRODUCT, None),
        }
        said = [r.getMessage() for r in caplog.records]
        assert any(
            "pack ASSIST-10H has no published product in the shop (draft)" in m for m in said
        )
        assert any(
            "pack ASSIST-99H has no published product in the shop (missing)" in m for m in said
        )
        custom.sync()  # a missing product is asked again tomorrow, not at every run
        assert len(product_requests(custom)) == 1
    finally:
        custom.woo.close()
        custom.db.close()


def test_a_failed_products_request_keeps_the_pages_and_the_orders_sync_goes_on(
    world: World,
) -> None:
    buyer = world.customer("lea.roux@free.fr", "Léa", "Roux")
    now = datetime.now(UTC) + timedelta(seconds=1)
    world.sync(now=now)
    before = stored(world)
    world.order(buyer.id, [("ASSIST-3H", 1)])
    world.sandbox.faults.server_error(10, path="/wc/v3/products")
    later = world.sync(now=now + timedelta(days=2))
    assert later.lots_opened == 1  # the run succeeded
    assert stored(world) == before
    world.sandbox.faults.clear()
    world.sync(now=now + timedelta(days=2, minutes=5))  # due still: asked again
    assert product_requests(world)[-1] == "ASSIST-10H,ASSIST-3H,ASSIST-5H"
    with world.db.read() as session:
        fetched = {p.fetched_at for p in LedgerStore(session).product_pages().values()}
    assert fetched == {now + timedelta(days=2, minutes=5)}


def test_warnings_link_to_the_pack_page_unless_the_catalog_gives_one(
    world: World, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    buyer = world.customer("hugo.blanc@free.fr", "Hugo", "Blanc")
    world.order(buyer.id, [("ASSIST-3H", 1)], paid_at=now - timedelta(days=80))
    world.sync(now=now + timedelta(seconds=1))
    page = world.sandbox.url + PAGES["ASSIST-3H"]
    with world.db.transaction() as session:
        store = LedgerStore(session)
        store.recompute(buyer.id, now, policy_from_settings(world.settings))
        payload = account_payload(store, buyer.id, world.settings, now)
        mailed = current_warnings(store, buyer.id, world.settings, now)
    [warning] = payload["warnings"]
    assert warning["kind"] == "expiry30" and warning["product_url"] == page
    assert [w.product_url for w in mailed] == [page]

    chosen = "https://agence.example/offre-speciale/"
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[[pack]]\nsku = "ASSIST-3H"\nhours = 3\nprice = "180.00"\nvalidity_months = 3\n'
        f'url = "{chosen}"\n'
    )
    settings = load_settings(
        {"ASSIST_CATALOG": str(catalog), "WOO_URL": world.sandbox.url}, dotenv_path=None
    )
    with world.db.read() as session:
        payload = account_payload(LedgerStore(session), buyer.id, settings, now)
    assert [w["product_url"] for w in payload["warnings"]] == [chosen]
