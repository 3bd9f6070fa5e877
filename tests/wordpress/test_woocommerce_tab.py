"""The WooCommerce My Account tab, wired through WooCommerce's documented hooks.

WooCommerce itself is not installed in the test site, so these tests call the hooks the way
WooCommerce does (``woocommerce_account_menu_items``, ``woocommerce_account_<endpoint>_endpoint``,
``query_vars``, the rewrite endpoint registered on ``init``) inside the real WordPress.
"""

from __future__ import annotations

import pytest
import requests

from tests.wordpress.payloads import account_payload, item
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress


def test_without_woocommerce_there_is_no_endpoint(wordpress: WordPressSite) -> None:
    out = wordpress.php_json(
        """
        global $wp_rewrite;
        echo wp_json_encode(array(
            'woocommerce' => class_exists('WooCommerce'),
            'endpoints' => array_column($wp_rewrite->endpoints, 1),
            'query_var' => in_array('mon-assistance', apply_filters('query_vars', array()), true),
        ));
        """
    )
    assert out == {"woocommerce": False, "endpoints": [], "query_var": False}


def test_with_woocommerce_the_tab_is_registered_and_renders(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Onglet Compte")
    ticket = wordpress.seed_ticket(client.id, "Onglet", estimate=90)
    requests.post(
        f"{wordpress.api}/accounts/batch",
        json={"accounts": [item(client.id, account_payload(ticket))]},
        auth=wordpress.daemon_auth(),
        timeout=30,
    ).raise_for_status()
    out = wordpress.php_json(
        """
        class WooCommerce {}  // WooCommerce is "active" from here on in this process.
        global $wp_rewrite;
        Assist_Client_Page::add_endpoint();
        $endpoint = null;
        foreach ($wp_rewrite->endpoints as $e) {
            if ($e[1] === 'mon-assistance') { $endpoint = $e[0]; }
        }
        $menu = apply_filters('woocommerce_account_menu_items', array(
            'dashboard' => 'Tableau de bord', 'orders' => 'Commandes',
            'customer-logout' => 'Déconnexion'));
        wp_set_current_user($args);
        ob_start();
        do_action('woocommerce_account_mon-assistance_endpoint');
        $html = ob_get_clean();
        echo wp_json_encode(array(
            'mask' => $endpoint,
            'expected_mask' => EP_ROOT | EP_PAGES,
            'query_var' => in_array('mon-assistance', apply_filters('query_vars', array()), true),
            'wc_vars' => apply_filters('woocommerce_get_query_vars', array('orders' => 'orders')),
            'menu' => array_keys($menu),
            'label' => $menu['mon-assistance'],
            'title' => apply_filters('woocommerce_endpoint_mon-assistance_title', ''),
            'html' => $html,
        ));
        """,
        client.id,
    )
    assert out["mask"] == out["expected_mask"]
    assert out["query_var"] is True
    assert out["wc_vars"] == {"orders": "orders", "mon-assistance": "mon-assistance"}
    assert out["menu"] == ["dashboard", "orders", "mon-assistance", "customer-logout"]
    assert out["label"] == out["title"] == "Mon assistance"
    assert "Temps restant" in out["html"]
    assert "1 h 15 min" in out["html"]
