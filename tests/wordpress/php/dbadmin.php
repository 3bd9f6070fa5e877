<?php
/**
 * Create or drop the per-run database and user on the MariaDB server:
 *   php dbadmin.php create|drop <host> <port> <name> [<password>]
 * Connects as root without a password (the test server's setup).
 */

[ , $assist_verb, $assist_host, $assist_port, $assist_name ] = $argv;
$assist_password = $argv[5] ?? '';
if ( ! preg_match( '/^assist_wp_[0-9a-f]+$/', $assist_name ) ) {
	fwrite( STDERR, "refusing database name $assist_name\n" );
	exit( 2 );
}
mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
try {
	$assist_db = new mysqli( $assist_host, 'root', '', '', (int) $assist_port );
} catch ( mysqli_sql_exception $e ) {
	fwrite( STDERR, 'cannot connect to MariaDB: ' . $e->getMessage() . "\n" );
	exit( 3 );
}
$assist_user = "'" . $assist_name . "'@'%'";
if ( 'create' === $assist_verb ) {
	$assist_db->query( "CREATE DATABASE `$assist_name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" );
	$assist_db->query( "CREATE USER $assist_user IDENTIFIED BY '" . $assist_db->real_escape_string( $assist_password ) . "'" );
	$assist_db->query( "GRANT ALL PRIVILEGES ON `$assist_name`.* TO $assist_user" );
} else {
	$assist_db->query( "DROP DATABASE IF EXISTS `$assist_name`" );
	$assist_db->query( "DROP USER IF EXISTS $assist_user" );
}
echo "ok\n";
