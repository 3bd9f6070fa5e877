<?php
/**
 * Install WordPress (run through run.php --install). Reads ASSIST_WP_ADMIN_PASSWORD.
 */

$assist_result = wp_install( 'Agence – tests', 'admin', 'admin@agence.test', false, '', getenv( 'ASSIST_WP_ADMIN_PASSWORD' ) );
echo wp_json_encode( array( 'admin_id' => $assist_result['user_id'] ) ), "\n";
