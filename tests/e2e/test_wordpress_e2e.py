"""End to end (issue 4, "Done when"): the real WordPress plugin, the sandbox shop, the real CLI.

A client of the WordPress site buys a 3 h pack in the (sandbox) shop under the same user id;
agency staff log 75 min of production, 30 of training and 20 of exchange in wp-admin; after
``assist-sync sync all`` (a real subprocess: WOO_* → the sandbox, WP_* → the real WordPress)
the client, logged in, reads "1 h 15 min" left on "Mon assistance" with the exchange shown as
not deducted. Editing then deleting an entry in wp-admin shows on the page after the next sync.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ledger.db import open_database
from ledger.store import LedgerStore
from sandbox import Sandbox
from sandbox.shop import empty_address
from sandbox.shop_model import Customer
from tests.env_file import empty_env_file
from tests.wordpress.site import SiteUser, WordPressSite
from tests.wordpress.staff import form_nonce

pytestmark = pytest.mark.wordpress

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = ROOT / ".venv" / "bin" / "assist-sync"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def shop() -> Iterator[Sandbox]:
    """The sandbox shop only (the client area is the real WordPress)."""
    with Sandbox(seed=11, clients=0, orders=0, with_client_area=False) as sandbox:
        yield sandbox


def sell_pack(shop: Sandbox, client: SiteUser, sku: str, paid_at: datetime) -> None:
    """The client (same id as their WordPress user) buys a pack in the shop."""
    first, _, last = client.name.partition(" ")
    shop.shop.customers[client.id] = Customer(
        id=client.id,
        email=client.email,
        first_name=first,
        last_name=last,
        username=client.login,
        role="customer",
        created=paid_at,
        modified=paid_at,
        billing=empty_address(email=client.email, first_name=first, last_name=last),
    )
    shop.shop.add_order(client.id, [(sku, 1)], paid_at=paid_at, created_at=paid_at)


def ledger_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.sqlite3'}"


def sync_all(shop: Sandbox, site: WordPressSite, tmp_path: Path) -> dict[str, dict[str, Any]]:
    env = dict(line.split("=", 1) for line in [*shop.env_lines(), *site.env_lines()])
    env["ASSIST_DATABASE_URL"] = ledger_url(tmp_path)
    done = subprocess.run(
        [str(EXECUTABLE), "--env-file", empty_env_file(tmp_path), "sync", "all", "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    steps: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return steps


def page_text(site: WordPressSite, client: SiteUser) -> str:
    """The visible text of the client's "Mon assistance" block, fetched logged in."""
    page = site.client_page(site.login(client))
    block = page[page.index('<div class="assist-mon-assistance') :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).split())


def test_time_logged_in_wordpress_reaches_the_clients_page(
    wordpress: WordPressSite, shop: Sandbox, tmp_path: Path
) -> None:
    client = wordpress.create_user("Claire Martin")
    sell_pack(
        shop, client, "ASSIST-3H", datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    )
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Ajouter une page Tarifs", status="in_progress")
    worked = datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=3)
    production = desk.log_time(ticket, "production", 75, performed_at=worked, note="Mise en page")
    training = desk.log_time(
        ticket, "training", 30, performed_at=worked + timedelta(hours=1), note="Formation"
    )
    desk.log_time(ticket, "exchange", 20, performed_at=worked - timedelta(hours=1), note="Brief")

    first = sync_all(shop, wordpress, tmp_path)
    assert first["orders"]["lots_opened"] == 1
    assert first["client_area"]["quarantined"] == 0
    assert first["accounts"]["failed"] == 0 and first["accounts"]["accounts_pushed"] >= 1
    text = page_text(wordpress, client)
    assert "Temps restant 1 h 15 min" in text
    assert "Pack Assistance 3h" in text
    assert "1 h 45 min sur 3 h" in text
    assert "Ajouter une page Tarifs" in text
    assert "Production : 1 h 15 min" in text and "Formation : 30 min" in text
    assert "Échanges : 20 min (non déduit)" in text
    assert "Déduit de vos packs : 1 h 45 min" in text

    quiet = sync_all(shop, wordpress, tmp_path)
    assert quiet["accounts"]["requests"] == 0 and quiet["accounts"]["accounts_pushed"] == 0

    desk.edit_entry(
        production, ticket_id=ticket, kind="production", minutes=45, performed_at=worked
    )
    edited = sync_all(shop, wordpress, tmp_path)
    assert edited["client_area"]["changed"] == 1 and edited["accounts"]["accounts_pushed"] == 1
    text = page_text(wordpress, client)
    assert "Temps restant 1 h 45 min" in text and "Production : 45 min" in text

    desk.delete_entry(training)
    deleted = sync_all(shop, wordpress, tmp_path)
    assert deleted["client_area"]["deleted"] == 1
    text = page_text(wordpress, client)
    assert "Temps restant 2 h 15 min" in text
    assert "Formation :" not in text
    assert "Échanges : 20 min (non déduit)" in text and "Déduit de vos packs : 45 min" in text


def test_an_overrun_decision_taken_on_the_page_bills_the_extra_time(
    wordpress: WordPressSite, shop: Sandbox, tmp_path: Path
) -> None:
    client = wordpress.create_user("Bruno Petitjean")
    sell_pack(
        shop, client, "ASSIST-3H", datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    )
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Refonte de la boutique", estimate=240)
    sync_all(shop, wordpress, tmp_path)
    session = wordpress.login(client)
    page = wordpress.client_page(session)
    text = page_text(wordpress, client)
    assert "Refonte de la boutique » est estimée à 4 h" in text
    assert "Accepter la facturation au taux horaire (60,00 € HT / h)" in text
    assert "soit facturé au tarif horaire de votre Pack Assistance 3h, soit 60,00 € HT" in text

    answer = session.post(
        f"{wordpress.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": ticket,
            "decision": "bill",
            "_wpnonce": form_nonce(page, field="ticket_id", value=ticket),
        },
        timeout=30,
    )
    assert answer.status_code == 200
    worked = datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=1)
    desk.log_time(ticket, "production", 200, performed_at=worked, note="Nouvelle boutique")
    steps = sync_all(shop, wordpress, tmp_path)
    assert steps["client_area"]["changed"] == 2  # the decided ticket and the entry
    db = open_database(ledger_url(tmp_path))
    try:
        with db.read() as s:
            balance = LedgerStore(s).balance(client.id)
            decisions = LedgerStore(s).decisions_of_client(client.id)
    finally:
        db.close()
    assert [d.choice.value for d in decisions] == ["bill"]
    assert (balance.remaining_minutes, balance.uncovered_minutes, balance.billed_minutes) == (
        0,
        0,
        20,
    )
    text = page_text(wordpress, client)
    assert "Temps restant 0 min" in text
    assert "Temps non couvert" not in text  # billed, not owed
    assert "est estimée à" not in text  # decided: the overrun warning is gone
    today = datetime.now(PARIS).strftime("%d/%m/%Y")
    assert (  # but the ticket and the choice stay in sight
        f"Vos choix Demande n° {ticket} « Refonte de la boutique » "
        f"Vous avez choisi la facturation au tarif de 60,00 € HT / h le {today}."
    ) in text
