"""Deleting the plugin leaves nothing behind: tables, option, account meta, report files,
capabilities and role. Runs on a throwaway site of its own (the shared one keeps the plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wordpress.site import WordPressSite, start_site

pytestmark = pytest.mark.wordpress

PLUGIN = "assist-client-area/assist-client-area.php"


@pytest.fixture
def doomed_site(wordpress: WordPressSite) -> Iterator[WordPressSite]:
    """A second site, same harness (``wordpress`` first: its skip rules and a warm machine)."""
    site = start_site()
    try:
        yield site
    finally:
        site.stop()


def _leftovers(site: WordPressSite) -> dict[str, object]:
    return dict(
        site.php_json(
            """
            global $wpdb;
            $out = array(
                'tables' => $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s',
                    $wpdb->esc_like( $wpdb->prefix . 'assist_' ) . '%' ) ),
                'option' => get_option( 'assist_ca_db_version', null ),
                'account_meta' => (int) $wpdb->get_var( $wpdb->prepare(
                    "SELECT COUNT(*) FROM {$wpdb->usermeta} WHERE meta_key = %s",
                    'assist_account' ) ),
                'role' => null !== get_role( 'assist_staff' ),
                'users_with_caps' => array(),
                'roles_with_caps' => array(),
            );
            foreach ( get_users() as $u ) {
                foreach ( array( 'assist_sync', 'assist_log_time' ) as $cap ) {
                    if ( isset( $u->caps[ $cap ] ) || $u->has_cap( $cap ) ) {
                        $out['users_with_caps'][] = $u->user_login . ':' . $cap;
                    }
                }
            }
            foreach ( wp_roles()->roles as $name => $role ) {
                foreach ( array( 'assist_sync', 'assist_log_time' ) as $cap ) {
                    if ( ! empty( $role['capabilities'][ $cap ] ) ) {
                        $out['roles_with_caps'][] = $name . ':' . $cap;
                    }
                }
            }
            echo wp_json_encode( $out );
            """
        )
    )


def test_deleting_the_plugin_removes_everything_it_created(doomed_site: WordPressSite) -> None:
    site = doomed_site
    client = site.clients[0]
    ticket = site.seed_ticket(client.id, "À effacer", estimate=60)
    site.seed_entries(ticket, [("production", 30, "2026-11-02T09:00:00")])
    site.php(
        "update_user_meta($args, 'assist_account', wp_slash('{\"balance_minutes\": 60}'));"
        "Assist_Reports::store($args, 'order-1-line-1', 'Rapport', '%PDF-1.4 test', 'r.pdf');",
        client.id,
    )
    storage = site.content_dir / "uploads" / "assist-reports"
    assert any(p.name not in (".htaccess", "index.php", "web.config") for p in storage.iterdir())
    before = _leftovers(site)
    assert len(before["tables"]) == 3 and before["role"] and before["account_meta"] == 1  # type: ignore[arg-type]

    # As wp-admin does it: deactivate, then (a later request, plugin not loaded) uninstall.
    site.php("deactivate_plugins($args);", PLUGIN)
    assert _leftovers(site) == before  # deactivation keeps the data
    site.php("uninstall_plugin($args);", PLUGIN)

    assert _leftovers(site) == {
        "tables": [],
        "option": None,
        "account_meta": 0,
        "role": False,
        "users_with_caps": [],
        "roles_with_caps": [],
    }
    assert not storage.exists()
    staff = site.php_json("echo wp_json_encode(get_userdata($args)->roles);", site.staff.id)
    assert staff == ["subscriber"]  # still able to log in, without agency rights
    assert site.plugin_log_lines() == []
