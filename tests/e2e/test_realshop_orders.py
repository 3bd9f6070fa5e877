"""Orders placed in the real WooCommerce 8.9.1 through its REST API, read by the installed
``assist-sync`` into a SQLite and a PostgreSQL ledger: exact balances, over http (OAuth 1.0a)
and over https (Basic auth, the shop's own CA).

The shop is shared by the test session: the ledger reads every order in it, and the assertions
are about this test's own customers.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Outcome
from tests.contract.shops import NewOrder, RealShop, unique
from tests.e2e.executable import assist_sync, env_of
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress


def run(site: WordPressSite, database_url: str, tmp_path: Path, *args: str) -> Outcome:
    env = env_of(site.shop_env_lines())
    env["ASSIST_DATABASE_URL"] = database_url
    outcome = assist_sync(env, *args, cwd=tmp_path)
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    return outcome


def sync_orders(site: WordPressSite, database_url: str, tmp_path: Path) -> dict[str, Any]:
    """``sync orders --json``, once the clock has left the second of the last change: a run
    reads up to the second it starts in, excluded (that second comes with the next run)."""
    time.sleep(1.1)
    return run(site, database_url, tmp_path, "sync", "orders", "--json").json()


def lots(balance: dict[str, Any]) -> dict[int, tuple[str, int, int, str]]:
    """order id → (sku, granted, remaining, status) of each lot of a ``balance --json``."""
    return {
        lot["order_id"]: (
            lot["sku"],
            lot["granted_minutes"],
            lot["remaining_minutes"],
            lot["status"],
        )
        for lot in balance["lots"]
    }


def test_orders_of_the_real_shop_become_exact_balances(
    real_site: WordPressSite, database_url: str, tmp_path: Path
) -> None:
    shop = RealShop(real_site.shop)
    alice_email = f"{unique('alice')}@exemple.fr"
    alice = shop.customer(alice_email, "Alice", "Durand")
    bob = shop.customer(f"{unique('bob')}@exemple.fr", "Bob", "Lefèvre")
    paid, later, to_cancel, two_packs, draft, bobs = shop.orders(
        [
            NewOrder(alice, [("ASSIST-5H", 1)]),  # paid at once (set_paid)
            NewOrder(alice, [("ASSIST-3H", 1)], "pending"),  # paid later
            NewOrder(alice, [("ASSIST-10H", 1)]),  # paid, then cancelled
            NewOrder(alice, [("ASSIST-5H", 2)]),  # one of the two packs refunded
            NewOrder(alice, [("ASSIST-3H", 1)], "checkout-draft"),  # a checkout left unfinished
            NewOrder(bob, [("ASSIST-10H", 1)]),
        ]
    )
    first = sync_orders(real_site, database_url, tmp_path)
    assert first["quarantined"] == 0, first

    shop.set_status(later, "processing")
    shop.set_status(to_cancel, "cancelled")
    [line] = shop.line_ids(two_packs)
    shop.refund(two_packs, {line: (1, "285.00")}, amount="285.00", reason="un pack rendu")
    # a guest order whose billing e-mail is Alice's account (typed in capitals)
    [guest] = shop.orders(
        [NewOrder(0, [("ASSIST-3H", 1)], "processing", billing_email=alice_email.upper())]
    )
    second = sync_orders(real_site, database_url, tmp_path)
    assert second["lots_voided"] >= 1 and second["lots_changed"] >= 1 and second["lots_opened"] >= 2

    balance = run(real_site, database_url, tmp_path, "balance", str(alice), "--json").json()
    assert balance["email"] == alice_email
    assert lots(balance) == {
        paid: ("ASSIST-5H", 300, 300, "open"),
        later: ("ASSIST-3H", 180, 180, "open"),
        to_cancel: ("ASSIST-10H", 600, 0, "voided"),
        two_packs: ("ASSIST-5H", 600, 300, "open"),
        guest: ("ASSIST-3H", 180, 180, "open"),
    }
    assert draft not in lots(balance)
    assert (balance["remaining_minutes"], balance["uncovered_minutes"]) == (960, 0)
    by_email = run(real_site, database_url, tmp_path, "balance", alice_email, "--json").json()
    assert by_email["client_id"] == alice
    bobs_balance = run(real_site, database_url, tmp_path, "balance", str(bob), "--json").json()
    assert lots(bobs_balance) == {bobs: ("ASSIST-10H", 600, 600, "open")}

    events = run(real_site, database_url, tmp_path, "ledger", str(alice), "--json").json()
    third = sync_orders(real_site, database_url, tmp_path)
    assert (third["lots_opened"], third["lots_changed"], third["lots_voided"]) == (0, 0, 0)
    assert run(real_site, database_url, tmp_path, "ledger", str(alice), "--json").json() == events
    again = run(real_site, database_url, tmp_path, "balance", str(alice), "--json").json()
    assert lots(again) == lots(balance) and again["remaining_minutes"] == 960


def test_a_downloadable_pack_marked_paid_by_hand_opens_its_credit(
    real_site: WordPressSite, tmp_path: Path
) -> None:
    """An order of virtual and downloadable packs that an admin moves to processing by hand
    (a bank transfer received) has no date_paid in WooCommerce: it still opens its credit."""
    shop = RealShop(real_site.shop)
    sku = unique("DL").upper()
    shop.product(sku, "Pack Assistance téléchargeable", "100.00", downloadable=True)
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        f'[[pack]]\nsku = "{sku}"\nhours = 2\nprice = "100.00"\nvalidity_months = 3\n'
    )
    lina = shop.customer(f"{unique('lina')}@exemple.fr", "Lina", "Faure")
    [order] = shop.orders([NewOrder(lina, [(sku, 1)], "on-hold")])
    shop.set_status(order, "processing")
    assert shop.get(f"orders/{order}").json()["date_paid_gmt"] is None

    env = {**env_of(real_site.shop_env_lines()), "ASSIST_CATALOG": str(catalog),
           "ASSIST_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}"}  # fmt: skip
    time.sleep(1.1)  # past the second of the last change (see sync_orders)
    first = assist_sync(env, "sync", "orders", "--json", cwd=tmp_path)
    assert first.code == 0 and first.json()["quarantined"] == 0, first.stdout + first.stderr
    balance = assist_sync(env, "balance", str(lina), "--json", cwd=tmp_path).json()
    assert balance["remaining_minutes"] == 120
    [lot] = balance["lots"]
    modified = shop.get(f"orders/{order}").json()["date_modified_gmt"]
    assert lot["opened_at"] == modified + "Z"
    again = assist_sync(env, "sync", "orders", "--full", "--json", cwd=tmp_path).json()
    assert (again["lots_opened"], again["lots_changed"], again["quarantined"]) == (0, 0, 0)
