<?php
/**
 * Plugin Name:       Assistance – espace client
 * Description:       Tickets, temps passé et soldes des packs d'assistance ; API REST assist/v1 pour le démon assist-sync ; page « Mon assistance ».
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            L'agence
 * License:           MIT
 * Text Domain:       assist-client-area
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

add_action( 'plugins_loaded', array( 'Assist_Schema', 'maybe_upgrade' ) );
add_action( 'rest_api_init', array( 'Assist_Rest', 'register_routes' ) );
add_filter( 'rest_pre_serve_request', array( 'Assist_Rest', 'serve_download' ), 10, 4 );
Assist_Admin::init();
Assist_Client_Page::init();
