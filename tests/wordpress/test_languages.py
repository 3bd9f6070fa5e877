"""The plugin speaks the site's language: French on the agency's French shop (the rest of the
suite reads French), English on an English one, from the same code."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import requests

from tests.wordpress.payloads import account_payload, push
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress


def block_text(page: str) -> str:
    block = page[page.index('<div class="assist-mon-assistance') :]
    block = block[: block.index("</main>")] if "</main>" in block else block
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).split())


@pytest.fixture
def english_site(wordpress: WordPressSite) -> Iterator[None]:
    """The shared shop in English for one test, French again afterwards."""
    wordpress.php("assist_test_set_locale('en_US');")
    try:
        yield
    finally:
        wordpress.php("assist_test_set_locale('fr_FR');")


def client_with_an_account(site: WordPressSite, name: str) -> tuple[requests.Session, int]:
    client = site.create_user(name, role="customer")
    ticket = site.seed_ticket(client.id, "Pricing page", estimate=90)
    payload = account_payload(ticket)
    payload["lots"][0]["status_label"] = None  # the plugin's own label, in the site's language
    push(site, client.id, payload)
    return site.login(client), ticket


def test_a_french_site_reads_french_throughout_the_plugin(wordpress: WordPressSite) -> None:
    session, _ = client_with_an_account(wordpress, "Cliente Française")
    tab = session.get(f"{wordpress.url}/my-account/mon-assistance/", timeout=30).text
    assert re.search(r"mon-assistance/\">\s*Mon assistance\s*</a>", tab)  # the menu entry
    text = block_text(tab)
    for french in (
        "Temps restant",
        "Acheté le",
        "Accepter la facturation au taux horaire (60,00 € HT / h)",
        "En cours",
        "Tâches récentes",
        "Rapports d'intervention",
    ):
        assert french in text


def test_an_english_site_shows_the_english_strings(
    wordpress: WordPressSite, english_site: None
) -> None:
    session, _ = client_with_an_account(wordpress, "English Client")
    tab = session.get(f"{wordpress.url}/my-account/mon-assistance/", timeout=30).text
    assert 'lang="en-US"' in tab
    assert re.search(r"mon-assistance/\">\s*My assistance\s*</a>", tab)
    text = block_text(tab)
    for english in (
        "Time left",
        "on your current assistance packs",
        "Bought on",
        "Accept billing at the hourly rate (€60.00 excl. VAT / h)",
        "Active",
        "Production: 1 h 15 min",
        "Exchanges: 20 min (not deducted)",
        "Deducted from your packs: 1 h 45 min",
        "Intervention reports",
    ):
        assert english in text
    # What the page writes itself is English; French comes only from the daemon's payload.
    own = text
    for from_payload in (
        "L'estimation de ce ticket dépasse votre temps restant.",
        "Pack Assistance 3h",
        "Ajouter une page Tarifs",
    ):
        own = own.replace(from_payload, "")
    assert not re.search(r"[éèêàçùÉ]|\b(le|la|les|des|votre|vos|sur)\b", own), own
    screen = wordpress.staff_desk()._screen("page=assist-time&action=new")
    assert "Log time" in screen and "Performed on" in screen and "Saisir" not in screen
