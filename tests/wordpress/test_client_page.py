"""The page "Mon assistance" ([assist_mon_assistance]) fetched over HTTP as real users."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
import requests

from tests.wordpress.payloads import account_payload
from tests.wordpress.payloads import push as push_account
from tests.wordpress.site import SiteUser, WordPressSite
from tests.wordpress.staff import form_nonce

pytestmark = pytest.mark.wordpress


def push(site: WordPressSite, client: SiteUser, payload: dict[str, object]) -> None:
    push_account(site, client.id, payload)


def text_of(page: str) -> str:
    """The visible text of the plugin's block, tags stripped, entities decoded."""
    start = page.index('<div class="assist-mon-assistance')
    block = page[start:]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).split())


def ticket_of(site: WordPressSite, ticket_id: int) -> dict[str, object]:
    rows = requests.get(
        f"{site.api}/tickets",
        params={"per_page": 100, "order": "desc"},
        auth=site.daemon_auth(),
        timeout=30,
    ).json()
    [row] = [r for r in rows if r["id"] == ticket_id]
    return dict(row)


def test_the_client_sees_their_balance_packs_tasks_and_warning(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Alice Page")
    ticket = wordpress.seed_ticket(client.id, "Ajouter une page Tarifs", estimate=90)
    push(wordpress, client, account_payload(ticket))
    text = text_of(wordpress.client_page(wordpress.login(client)))
    assert "Temps restant 1 h 15 min" in text
    assert "Pack Assistance 3h" in text
    assert "02/11/2026" in text and "02/11/2027" in text  # bought, expires (Europe/Paris)
    assert "1 h 45 min sur 3 h" in text  # used
    assert "En cours" in text
    assert "Tâches récentes" in text
    assert "Production : 1 h 15 min" in text
    assert "Formation : 30 min" in text
    assert "Échanges : 20 min (non déduit)" in text
    assert "Déduit de vos packs : 1 h 45 min" in text
    assert "L'estimation de ce ticket dépasse votre temps restant." in text
    assert "Acheter un nouveau pack" in text
    # text_of() folds the no-break spaces of French amounts into plain spaces.
    assert "Accepter la facturation au taux horaire (60,00 € HT / h)" in text
    assert "Rapports d'intervention" in text


def test_anonymous_visitors_get_a_login_prompt(wordpress: WordPressSite) -> None:
    page = wordpress.client_page()
    text = text_of(page)
    assert "Connectez-vous" in text
    assert "wp-login.php" in page
    assert "Temps restant" not in text


def test_a_client_never_sees_another_clients_data(wordpress: WordPressSite) -> None:
    alice = wordpress.create_user("Alice Secrète")
    bruno = wordpress.create_user("Bruno Voisin")
    ticket = wordpress.seed_ticket(alice.id, "Projet confidentiel d'Alice", estimate=90)
    payload = account_payload(ticket)
    payload["recent_tasks"][0]["title"] = "Projet confidentiel d'Alice"
    push(wordpress, alice, payload)
    session = wordpress.login(bruno)
    for params in ({}, {"client_id": alice.id}, {"user": alice.id}, {"author": alice.id}):
        response = session.get(wordpress.page_url, params=params, timeout=30)
        assert "confidentiel" not in response.text
        assert "1 h 15 min" not in response.text
    empty = text_of(wordpress.client_page(session))
    assert "Aucune information d'assistance" in empty
    assert "Dès que votre premier pack d'assistance sera réglé" in empty
    # Nor through REST: the daemon routes refuse a client.
    nonce = wordpress.rest_nonce(session)
    for path in ("/tickets", "/time-entries"):
        response = session.get(
            f"{wordpress.api}{path}",
            params={"client": alice.id},
            headers={"X-WP-Nonce": nonce},
            timeout=30,
        )
        assert response.status_code == 403
        assert "confidentiel" not in response.text


def test_payload_text_is_escaped(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Script Kiddie")
    ticket = wordpress.seed_ticket(client.id, "XSS")
    payload = account_payload(ticket)
    payload["remaining_label"] = "<script>alert(1)</script>"
    payload["lots"][0]["label"] = '<img src=x onerror="alert(2)">'
    payload["warnings"][0]["message"] = "<b>gras</b>"
    push(wordpress, client, payload)
    page = wordpress.client_page(wordpress.login(client))
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "<b>gras</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_accepting_billing_through_the_page_form_records_the_decision(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Décide Facture")
    ticket = wordpress.seed_ticket(client.id, "Refonte", estimate=300)
    push(wordpress, client, account_payload(ticket))
    session = wordpress.login(client)
    page = wordpress.client_page(session)
    before = ticket_of(wordpress, ticket)
    response = session.post(
        f"{wordpress.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": ticket,
            "decision": "bill",
            "_wpnonce": form_nonce(page, field="ticket_id", value=ticket),
            "_wp_http_referer": urlsplit(wordpress.page_url).path,
        },
        timeout=30,
    )
    assert response.status_code == 200
    assert "assist_decision=bill" in response.url
    assert "le dépassement sera facturé" in text_of(response.text)
    after = ticket_of(wordpress, ticket)
    assert after["decision"] == "bill"
    assert after["decided_at_gmt"] is not None
    assert str(after["date_modified_gmt"]) > str(before["date_modified_gmt"])
    # The choice replaces the buttons, and the ticket stays in sight with the choice and its rate.
    text = text_of(wordpress.client_page(session))
    decided = wordpress.php_json(
        "echo wp_json_encode(assist_local_date(Assist_Store::get_ticket($args)['decided_at_gmt']));",
        ticket,
    )
    assert (
        f"Vos choix Demande n° {ticket} « Refonte » "
        f"Vous avez choisi la facturation au tarif de 60,00 € HT / h le {decided}."
    ) in text
    assert "Acheter un nouveau pack" not in text
    assert 'name="decision"' not in wordpress.client_page(session)


@pytest.mark.parametrize("shop", ["same site", "another site"])
def test_buying_a_pack_records_it_and_goes_to_the_product_page(
    wordpress: WordPressSite, shop: str
) -> None:
    client = wordpress.create_user("Décide Achat")
    ticket = wordpress.seed_ticket(client.id, "Boutique", estimate=300)
    payload = account_payload(ticket)
    base = wordpress.url if shop == "same site" else "https://boutique.example.test"
    payload["warnings"][0]["product_url"] = f"{base}/produit/pack-assistance-5h/"
    push(wordpress, client, payload)
    session = wordpress.login(client)
    page = wordpress.client_page(session)
    response = session.post(
        f"{wordpress.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": ticket,
            "decision": "buy_pack",
            "_wpnonce": form_nonce(page, field="ticket_id", value=ticket),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{base}/produit/pack-assistance-5h/"
    assert ticket_of(wordpress, ticket)["decision"] == "buy_pack"


def test_the_decision_form_refuses_a_bad_nonce_and_another_client(
    wordpress: WordPressSite,
) -> None:
    owner = wordpress.create_user("Vrai Client")
    other = wordpress.create_user("Faux Client")
    ticket = wordpress.seed_ticket(owner.id, "Pas à toi", estimate=300)
    push(wordpress, owner, account_payload(ticket))
    session = wordpress.login(owner)
    bad = session.post(
        f"{wordpress.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": ticket,
            "decision": "bill",
            "_wpnonce": "x",
        },
        timeout=30,
    )
    assert bad.status_code == 403
    # The other client makes a nonce of their own for that ticket id: still refused.
    intruder = wordpress.login(other)
    own_nonce = wordpress.php_json(
        "wp_set_current_user($args['user']);"
        " echo wp_json_encode(wp_create_nonce('assist_decision_' . $args['ticket']));",
        {"user": other.id, "ticket": ticket},
    )
    forged = intruder.post(
        f"{wordpress.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": ticket,
            "decision": "bill",
            "_wpnonce": own_nonce,
        },
        timeout=30,
    )
    assert forged.status_code == 403
    assert ticket_of(wordpress, ticket)["decision"] is None


def test_the_rest_decision_needs_the_owner_and_a_valid_nonce(wordpress: WordPressSite) -> None:
    owner = wordpress.create_user("Rest Client")
    other = wordpress.create_user("Rest Intrus")
    ticket = wordpress.seed_ticket(owner.id, "Par l'API", estimate=300)
    url = f"{wordpress.api}/tickets/{ticket}/decision"
    body = {"decision": "bill"}

    assert requests.post(url, json=body, timeout=30).status_code == 401
    session = wordpress.login(owner)
    assert session.post(url, json=body, timeout=30).status_code == 401  # no nonce: anonymous
    bad = session.post(url, json=body, headers={"X-WP-Nonce": "0badc0ffee"}, timeout=30)
    assert bad.status_code == 403
    assert bad.json()["code"] == "rest_cookie_invalid_nonce"
    intruder = wordpress.login(other)
    stolen = intruder.post(
        url, json=body, headers={"X-WP-Nonce": wordpress.rest_nonce(intruder)}, timeout=30
    )
    assert stolen.status_code == 403
    daemon = requests.post(url, json=body, auth=wordpress.daemon_auth(), timeout=30)
    assert daemon.status_code == 403  # a decision belongs to the client, not the daemon
    assert ticket_of(wordpress, ticket)["decision"] is None

    nonce = wordpress.rest_nonce(session)
    wrong = session.post(url, json={"decision": "free"}, headers={"X-WP-Nonce": nonce}, timeout=30)
    assert wrong.status_code == 400
    ok = session.post(url, json=body, headers={"X-WP-Nonce": nonce}, timeout=30)
    assert ok.status_code == 200
    assert ok.json()["decision"] == "bill"
    assert ticket_of(wordpress, ticket)["decision"] == "bill"


def test_report_links_on_the_page_download_for_the_owner_only(wordpress: WordPressSite) -> None:
    owner = wordpress.create_user("Liens Rapports")
    body = b"%PDF-1.4\n% rapport de test\n"
    report = requests.post(
        f"{wordpress.api}/reports",
        params={"client_id": owner.id, "lot_id": "order-1-line-1", "title": "Rapport novembre"},
        data=body,
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="novembre.pdf"',
        },
        auth=wordpress.daemon_auth(),
        timeout=30,
    ).json()
    session = wordpress.login(owner)
    page = wordpress.client_page(session)
    assert "Rapport novembre" in text_of(page)
    [link] = re.findall(r'href="([^"]*/reports/\d+/download[^"]*)"', page)
    link = html.unescape(link)
    assert f"/reports/{report['id']}/download" in link
    assert session.get(link, timeout=30).content == body
    # The same link in another client's browser is refused.
    other = wordpress.login(wordpress.create_user("Lien Volé"))
    assert other.get(link, timeout=30).status_code in (401, 403)


def test_a_payload_with_wrong_types_renders_without_php_warnings(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Types Faux")
    ticket = wordpress.seed_ticket(client.id, "Types", estimate=90)
    payload = account_payload(ticket)
    payload.update(
        remaining_label=["pas", "une", "chaîne"],
        uncovered_minutes={"x": 1},
        synced_at={"pas": "une date"},
        lots=[{"label": {"x": 1}, "opened_at": "hier", "used_minutes": "beaucoup"}, "texte"],
        recent_tasks=[{"title": None, "performed_at": [], "minutes_by_kind": "production"}],
        warnings=[{"kind": "overrun", "ticket_id": "abc", "message": ["m"]}, 42],
    )
    push(wordpress, client, payload)
    text = text_of(wordpress.client_page(wordpress.login(client)))
    assert "Temps restant 1 h 15 min" in text  # the label falls back to remaining_minutes
    assert "Packs" in text and "Tâches récentes" in text
    # The autouse fixture fails this test if the plugin logged any PHP notice or warning.


def test_lot_states_and_a_missing_rate(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("États Lots")
    ticket = wordpress.seed_ticket(client.id, "États", estimate=90)
    payload = account_payload(ticket)
    expired = dict(payload["lots"][0], id="order-2-line-1", status="expired", expired_minutes=45)
    del expired["status_label"]
    payload["lots"].append(expired)
    del payload["warnings"][0]["hourly_rate"]
    push(wordpress, client, payload)
    text = text_of(wordpress.client_page(wordpress.login(client)))
    assert "Expiré" in text
    assert "(45 min expirées)" in text
    assert "Accepter la facturation au taux horaire du pack" in text


def test_credits_adjustments_and_uncovered_time_read_in_plain_french(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Lecture Claire")
    ticket = wordpress.seed_ticket(client.id, "Formulaire de contact", estimate=60)
    payload = account_payload(ticket)
    payload["lots"][0]["status_label"] = "en cours"  # sync/labels writes it lower case
    payload["lots"].append(
        dict(
            payload["lots"][0],
            id="adjust-7",
            sku=None,
            label="Crédit ajouté",
            expires_at=None,
            granted_minutes=30,
            used_minutes=30,
            remaining_minutes=0,
            status="used_up",
            status_label="épuisé",
        )
    )
    payload["recent_tasks"][0].update(
        minutes_by_kind={"production": 60, "exchange": 15},
        deducted_minutes=45,
        uncovered_minutes=15,
    )
    payload["recent_tasks"].append(
        {
            "ticket_id": None,
            "title": "Ajustement : geste commercial",
            "performed_at": "2026-11-01T09:00:00",
            "minutes_by_kind": {"adjustment": 30},
            "deducted_minutes": 30,
        }
    )
    payload["warnings"] = [
        {
            "key": "low:order-13-line-9",
            "kind": "low_balance",
            "message": "Il ne reste que 1 h 15 min sur votre crédit d'assistance.",
            "remaining_minutes": 75,
            "product_url": "http://127.0.0.1/produit/pack-assistance-5h/",
        }
    ]
    push(wordpress, client, payload)
    page = wordpress.client_page(wordpress.login(client))
    text = text_of(page)
    assert "En cours" in text and "Épuisé" in text
    assert "en cours" not in text.replace("packs d'assistance en cours", "")
    assert "Crédit ajouté" in text and "Sans échéance" in text
    assert "Ajustement : 30 min" in text and "adjustment" not in text
    assert "Déduit de vos packs : 45 min Non couvert par un pack : 15 min" in text
    # A warning that asks for nothing offers the shop's product as a link, not a decision form.
    assert re.search(
        r'<a class="assist-button assist-button-primary" '
        r'href="http://127\.0\.0\.1/produit/pack-assistance-5h/">'
        r"Acheter un nouveau pack</a>",
        page,
    )
    assert 'name="decision"' not in page


def test_the_page_brings_its_stylesheet(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Feuille Style")
    push(wordpress, client, account_payload(wordpress.seed_ticket(client.id, "CSS", estimate=90)))
    for page in (wordpress.client_page(wordpress.login(client)), wordpress.client_page()):
        [href] = re.findall(r"id='assist-client-area-css'\s+href='([^']+)'", page)
        sheet = requests.get(html.unescape(href), timeout=30)
        assert sheet.status_code == 200
        assert sheet.headers["Content-Type"].startswith("text/css")
        assert ".assist-remaining-value" in sheet.text


def post_decision(
    site: WordPressSite, session: requests.Session, ticket: int, decision: str
) -> requests.Response:
    """The decision form of ``ticket`` on the client's page, submitted (redirects followed)."""
    page = site.client_page(session)
    return session.post(
        f"{site.url}/wp-admin/admin-post.php",
        data={
            "action": "assist_decision",
            "ticket_id": ticket,
            "decision": decision,
            "_wpnonce": form_nonce(page, field="ticket_id", value=ticket),
            "_wp_http_referer": urlsplit(site.page_url).path,
        },
        timeout=30,
    )


def permalink_of(site: WordPressSite, sku: str) -> str:
    return str(
        site.php_json("echo wp_json_encode(get_permalink(wc_get_product_id_by_sku($args)));", sku)
    )


@pytest.mark.parametrize("given", ["no product url", "the site's home page"])
def test_buying_without_a_product_url_lands_on_the_packs_real_product_page(
    wordpress: WordPressSite, given: str
) -> None:
    client = wordpress.create_user("Achat Sans Lien", role="customer")
    ticket = wordpress.seed_ticket(client.id, "Sans lien", estimate=300)
    payload = account_payload(ticket)  # holds an ASSIST-3H pack
    if given == "no product url":
        del payload["warnings"][0]["product_url"]
    else:
        payload["warnings"][0]["product_url"] = f"{wordpress.url}/"
    push(wordpress, client, payload)
    session = wordpress.login(client)

    landed = post_decision(wordpress, session, ticket, "buy_pack")

    product = permalink_of(wordpress, "ASSIST-3H")
    assert product.startswith(wordpress.url) and product.rstrip("/") != wordpress.url
    assert landed.status_code == 200
    assert landed.url == product
    assert "single-product" in landed.text  # WooCommerce's own product page
    assert "Pack Assistance 3h" in landed.text
    text = text_of(wordpress.client_page(session))
    assert (
        f"Demande n° {ticket} « Sans lien » Vous avez choisi d'acheter un nouveau pack le" in text
    )


def test_a_pack_the_shop_does_not_sell_leads_to_the_shop_page(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Achat Inconnu", role="customer")
    ticket = wordpress.seed_ticket(client.id, "Pack retiré", estimate=300)
    payload = account_payload(ticket)
    payload["lots"][0]["sku"] = "ASSIST-99H"
    del payload["warnings"][0]["product_url"]
    payload["warnings"].append(
        {"key": "low:x", "kind": "low_balance", "message": "Bientôt épuisé.", "lot_id": "nope"}
    )
    push(wordpress, client, payload)
    session = wordpress.login(client)
    shop_page = wordpress.php_json("echo wp_json_encode(wc_get_page_permalink('shop'));")
    page = wordpress.client_page(session)
    links = re.findall(r'class="assist-button assist-button-primary" href="([^"]+)"', page)
    assert links == [shop_page]  # the low-balance warning's, not the blog's home page
    landed = post_decision(wordpress, session, ticket, "buy_pack")
    assert landed.url == shop_page
    assert landed.status_code == 200
