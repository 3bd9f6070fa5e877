<?php
/**
 * Router for `php -S` serving Debian's WordPress from /usr/share/wordpress.
 *
 * The built-in server does not pass its environment into $_SERVER, so the per-run config name
 * (/etc/wordpress/config-<name>.php) arrives through getenv(). Files under /wp-content/ are served
 * from the run's WP_CONTENT_DIR (never executed); core static files are left to the server; every
 * other request goes through the matching core .php file or index.php (pretty permalinks).
 */

$_SERVER['WORDPRESS_CONFIG'] = getenv( 'ASSIST_WP_CONFIG' );
$assist_path                 = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
$assist_docroot              = '/usr/share/wordpress';

if ( str_contains( $assist_path, '..' ) ) {
	http_response_code( 400 );
	return true;
}

if ( str_starts_with( $assist_path, '/wp-content/' ) ) {
	$assist_file = getenv( 'ASSIST_WP_CONTENT_DIR' ) . substr( $assist_path, strlen( '/wp-content' ) );
	if ( ! is_file( $assist_file ) || preg_match( '/\.(php|phtml|htaccess)$|\/\.[^\/]*$/i', $assist_file ) ) {
		http_response_code( 404 );
		echo 'Not Found';
		return true;
	}
	$assist_types = array(
		'css'   => 'text/css',
		'js'    => 'application/javascript',
		'svg'   => 'image/svg+xml',
		'png'   => 'image/png',
		'jpg'   => 'image/jpeg',
		'woff2' => 'font/woff2',
		'json'  => 'application/json',
	);
	$assist_ext = strtolower( pathinfo( $assist_file, PATHINFO_EXTENSION ) );
	header( 'Content-Type: ' . ( $assist_types[ $assist_ext ] ?? 'application/octet-stream' ) );
	readfile( $assist_file );
	return true;
}

$assist_target = $assist_docroot . $assist_path;
if ( is_dir( $assist_target ) && is_file( rtrim( $assist_target, '/' ) . '/index.php' ) ) {
	$assist_target = rtrim( $assist_target, '/' ) . '/index.php';
	$assist_path   = rtrim( $assist_path, '/' ) . '/index.php';
}
if ( is_file( $assist_target ) && ! str_ends_with( $assist_target, '.php' ) ) {
	return false; // Static core file: let the built-in server send it.
}
if ( ! is_file( $assist_target ) ) {
	$assist_target = $assist_docroot . '/index.php';
	$assist_path   = '/index.php';
}
$_SERVER['SCRIPT_FILENAME'] = $assist_target;
$_SERVER['SCRIPT_NAME']     = $assist_path;
$_SERVER['PHP_SELF']        = $assist_path;
chdir( dirname( $assist_target ) );
require $assist_target;
