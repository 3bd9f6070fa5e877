<?php
/**
 * Plugin Name:          Assistance – client area
 * Description:          Tickets, time spent and prepaid assistance pack balances; REST API assist/v1 for the assist-sync daemon; the clients’ “My assistance” page.
 * Version:              0.1.0
 * Requires at least:    6.5
 * Requires PHP:         8.1
 * WC requires at least: 8.9
 * WC tested up to:      8.9
 * Author:               L'agence
 * License:              MIT
 * Text Domain:          assist-client-area
 * Domain Path:          /languages
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

define( 'ASSIST_CA_VERSION', '0.1.0' );
define( 'ASSIST_CA_FILE', __FILE__ );
define( 'ASSIST_CA_DIR', __DIR__ );

require_once __DIR__ . '/includes/functions.php';
require_once __DIR__ . '/includes/class-assist-schema.php';
require_once __DIR__ . '/includes/class-assist-store.php';
require_once __DIR__ . '/includes/class-assist-accounts.php';
require_once __DIR__ . '/includes/class-assist-reports.php';
require_once __DIR__ . '/includes/class-assist-rest.php';
require_once __DIR__ . '/includes/class-assist-admin.php';
require_once __DIR__ . '/includes/class-assist-client-page.php';

register_activation_hook( __FILE__, array( 'Assist_Schema', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Assist_Schema', 'deactivate' ) );

// Translations first (init, once the user and so the locale are known), then the upgrade, which
// names the staff role in the site's language.
add_action( 'init', 'assist_load_textdomain', 0 );
add_action( 'init', array( 'Assist_Schema', 'maybe_upgrade' ), 1 );
add_action( 'rest_api_init', array( 'Assist_Rest', 'register_routes' ) );
add_filter( 'rest_pre_serve_request', array( 'Assist_Rest', 'serve_download' ), 10, 4 );

// The plugin never reads or writes orders: it works with WooCommerce's order tables (HPOS).
add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
		}
	}
);
Assist_Admin::init();
Assist_Client_Page::init();
