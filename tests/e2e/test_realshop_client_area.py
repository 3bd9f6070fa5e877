"""A client of the real shop follows their credit in "My Account", over http and over https.

Everything is the real thing: the packs are bought through WooCommerce's REST API, staff holding
only the "Agence – support" role log time through the wp-admin forms of the plugin, the
installed ``assist-sync`` syncs (orders, client area, accounts) and sweeps (the report of a used
pack), and the client, logged in through wp-login.php, reads "Mon assistance" as a tab of
WooCommerce's My Account, decides on an overrun through the page's form — buying a pack sends
them to the pack's product page, found by SKU in the shop — and downloads the report through
the page's link, which another client cannot.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledger.db import open_database
from ledger.store import LedgerStore
from tests.cli.harness import Outcome
from tests.contract.shops import Dates, NewOrder, RealShop, unique
from tests.e2e.executable import assist_sync, env_of
from tests.wordpress.site import SiteUser, WordPressSite
from tests.wordpress.staff import form_nonce

pytestmark = pytest.mark.wordpress

PARIS = ZoneInfo("Europe/Paris")


def visible_text(page: str) -> str:
    block = page[page.index('class="assist-mon-assistance') :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).split())


def test_a_client_follows_their_credit_in_my_account(
    real_site: WordPressSite, tmp_path: Path
) -> None:
    site = real_site
    shop = RealShop(site.shop)
    ledger = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    env = {**env_of([*site.shop_env_lines(), *site.env_lines()]), "ASSIST_DATABASE_URL": ledger}

    def cli(*args: str) -> Outcome:
        outcome = assist_sync(env, *args, cwd=tmp_path)
        assert outcome.code == 0, outcome.stdout + outcome.stderr
        return outcome

    # --- a customer of the shop buys a 3 h pack (ten days ago) and a 5 h pack (today)
    password = secrets.token_urlsafe(16)
    email = f"{unique('claire')}@exemple.fr"
    claire_id = shop.customer(email, "Claire", "Morel", password=password)
    claire = SiteUser(email.split("@")[0], password, email, "Claire Morel", claire_id)
    three, _ = shop.orders(
        [NewOrder(claire_id, [("ASSIST-3H", 1)]), NewOrder(claire_id, [("ASSIST-5H", 1)])]
    )
    ten_days_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)
    shop.set_dates({three: Dates(paid=ten_days_ago)})
    cli("sync", "all", "--json")

    # --- staff with only the support role log time in wp-admin
    desk = site.staff_desk()
    ticket = desk.create_ticket(claire_id, "Mise à jour des extensions", status="in_progress")
    worked = datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=3)
    desk.log_time(ticket, "production", 200, performed_at=worked, note="Mises à jour")
    desk.log_time(ticket, "exchange", 30, performed_at=worked - timedelta(hours=1), note="Appel")
    steps: dict[str, Any] = cli("sync", "all", "--json").json()
    assert steps["client_area"]["quarantined"] == 0 and steps["accounts"]["failed"] == 0
    balance = cli("balance", str(claire_id), "--json").json()
    assert balance["remaining_minutes"] == 280  # 480 bought, 200 of production
    assert {lot["sku"]: lot["status"] for lot in balance["lots"]} == {
        "ASSIST-3H": "used_up",
        "ASSIST-5H": "open",
    }

    # --- the client reads "Mon assistance" in WooCommerce's My Account
    session = site.login(claire)
    account = session.get(f"{site.url}/my-account/", timeout=30)
    nav = account.text[account.text.index("woocommerce-MyAccount-navigation") :]
    assert f'href="{site.url}/my-account/mon-assistance/"' in nav
    tab = session.get(f"{site.url}/my-account/mon-assistance/", timeout=30)
    assert tab.status_code == 200
    text = visible_text(tab.text)
    assert "4 h 40 min" in text and "Mise à jour des extensions" in text
    # the used-up 3 h pack offers the 3 h pack again: its page in the shop, found by SKU
    assert f'href="{site.url}/product/pack-assistance-3h/"' in tab.text

    # --- an estimate beyond the credit: the client decides through the page's form
    big = desk.create_ticket(claire_id, "Nouvelle boutique", estimate=600)
    cli("sync", "all", "--json")
    page = session.get(f"{site.url}/my-account/mon-assistance/", timeout=30).text
    assert "Nouvelle boutique" in visible_text(page)
    decided = session.post(
        f"{site.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": big,
            "decision": "buy_pack",
            "_wpnonce": form_nonce(page, field="ticket_id", value=big),
        },
        headers={"Referer": f"{site.url}/my-account/mon-assistance/"},
        allow_redirects=False,
        timeout=30,
    )
    assert decided.status_code in (302, 303)
    assert decided.headers["Location"] == f"{site.url}/product/pack-assistance-5h/"
    cli("sync", "all", "--json")
    db = open_database(ledger)
    try:
        with db.read() as session_db:
            decisions = LedgerStore(session_db).decisions_of_client(claire_id)
    finally:
        db.close()
    assert [(d.ticket_id, d.choice.value) for d in decisions] == [(str(big), "buy_pack")]

    # --- the sweep puts the used pack's report on the account; only Claire downloads it
    swept = cli("sweep", "--client", str(claire_id), "--json").json()  # the shop is shared
    assert (swept["reports_uploaded"], swept["reports_failed"]) == (1, 0), swept
    page = session.get(f"{site.url}/my-account/mon-assistance/", timeout=30).text
    links = re.findall(r'href="([^"]*/assist/v1/reports/\d+/download[^"]*)"', page)
    assert len(links) == 1
    link = html.unescape(links[0])
    report = session.get(link, timeout=30)
    assert report.status_code == 200
    assert report.headers["Content-Type"].startswith("application/pdf")
    assert report.content.startswith(b"%PDF")
    other = site.login(site.clients[0])
    assert other.get(link, timeout=30).status_code in (403, 404)  # Claire's nonce, not theirs
    own_nonce = re.sub(r"_wpnonce=[0-9a-f]+", f"_wpnonce={site.rest_nonce(other)}", link)
    assert other.get(own_nonce, timeout=30).status_code in (403, 404)
