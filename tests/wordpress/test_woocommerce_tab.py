"""The WooCommerce My Account tab "Mon assistance", in the real WooCommerce of the test shop."""

from __future__ import annotations

import html
import re

import pytest
import requests

from tests.wordpress.payloads import account_payload, item
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_tab_sits_in_my_account_before_logout_and_shows_the_account(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Onglet Compte", role="customer")
    ticket = wordpress.seed_ticket(client.id, "Onglet", estimate=90)
    requests.post(
        f"{wordpress.api}/accounts/batch",
        json={"accounts": [item(client.id, account_payload(ticket))]},
        auth=wordpress.daemon_auth(),
        timeout=30,
    ).raise_for_status()
    session = wordpress.login(client)

    account = session.get(f"{wordpress.url}/my-account/", timeout=30)
    assert account.status_code == 200
    nav = account.text[account.text.index("woocommerce-MyAccount-navigation") :]
    links = re.findall(r"woocommerce-MyAccount-navigation-link--([a-z-]+)", nav)
    assert "mon-assistance" in links
    assert links.index("mon-assistance") == links.index("customer-logout") - 1
    assert f'href="{wordpress.url}/my-account/mon-assistance/"' in nav

    tab = session.get(f"{wordpress.url}/my-account/mon-assistance/", timeout=30)
    assert tab.status_code == 200
    text = _text(tab.text)
    assert "Temps restant" in text and "1 h 15 min" in text
    assert (
        "is-active"
        in tab.text.split("woocommerce-MyAccount-navigation-link--mon-assistance")[1][:80]
    )


def test_the_tab_asks_an_anonymous_visitor_to_log_in(wordpress: WordPressSite) -> None:
    response = requests.get(f"{wordpress.url}/my-account/mon-assistance/", timeout=30)
    assert response.status_code == 200
    assert "Temps restant" not in response.text
    assert 'name="username"' in response.text  # WooCommerce's own login form


def test_woocommerce_counts_the_plugin_compatible_with_its_order_tables(
    wordpress: WordPressSite,
) -> None:
    plugin = "assist-client-area/assist-client-area.php"
    info = wordpress.php_json(
        "$c = wc_get_container()->get("
        "Automattic\\WooCommerce\\Internal\\Features\\FeaturesController::class);"
        "echo wp_json_encode(array("
        "'hpos' => $c->get_compatible_plugins_for_feature('custom_order_tables', true),"
        "'aware' => wc_get_container()->get("
        "Automattic\\WooCommerce\\Utilities\\PluginUtil::class)->get_woocommerce_aware_plugins(true),"
        "'header' => get_plugin_data(WP_PLUGIN_DIR . '/' . $args, false, false)));",
        plugin,
    )
    assert plugin in info["aware"]  # it declares the WooCommerce versions it was tested with
    assert plugin in info["hpos"]["compatible"]
    assert plugin not in info["hpos"]["incompatible"] + info["hpos"]["uncertain"]
    header = info["header"]
    assert (header["RequiresWP"], header["TextDomain"], header["DomainPath"]) == (
        "6.5",
        "assist-client-area",
        "/languages",
    )
