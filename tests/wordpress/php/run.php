<?php
/**
 * Run a PHP file inside the test WordPress from the command line:
 *   ASSIST_WP_CONFIG=<name> ASSIST_WP_HOST=127.0.0.1:<port> php run.php <file.php> [--install]
 * With --install, WordPress is loaded in installing mode (before wp_install()).
 * The file runs in the global scope with WordPress and its admin includes loaded.
 */

$_SERVER['WORDPRESS_CONFIG'] = getenv( 'ASSIST_WP_CONFIG' );
$_SERVER['HTTP_HOST']        = getenv( 'ASSIST_WP_HOST' );
$_SERVER['SERVER_NAME']      = '127.0.0.1';
$_SERVER['REQUEST_URI']      = '/';
$_SERVER['REQUEST_METHOD']   = 'GET';
$_SERVER['SERVER_PROTOCOL']  = 'HTTP/1.1';
if ( in_array( '--install', $argv, true ) ) {
	define( 'WP_INSTALLING', true );
}
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require __DIR__ . '/helpers.php';
require $argv[1];
