<?php
/**
 * Set up the test site (run through run.php): pretty permalinks, French locale settings, the
 * plugin activated, the users of the tests, a page with the shortcode. Reads a JSON spec from
 * ASSIST_WP_SETUP: {"users": [{"login","email","name","password","role","caps":[],"app_password":bool}]}
 * and prints {"users": {login: {"id", "app_password"?}}, "page_id", "page_url"}.
 */

$assist_spec = json_decode( getenv( 'ASSIST_WP_SETUP' ), true );

global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
update_option( 'timezone_string', 'Europe/Paris' );
update_option( 'date_format', 'd/m/Y' );
$assist_activated = activate_plugin( 'assist-client-area/assist-client-area.php' );
if ( is_wp_error( $assist_activated ) ) {
	fwrite( STDERR, 'activation failed: ' . $assist_activated->get_error_message() . "\n" );
	exit( 1 );
}
// Activation ran in this request; the role and endpoint are in place, refresh the rules once more.
flush_rewrite_rules( false );

$assist_out = array( 'users' => array() );
foreach ( $assist_spec['users'] as $assist_u ) {
	$assist_id = wp_insert_user(
		array(
			'user_login'   => $assist_u['login'],
			'user_email'   => $assist_u['email'],
			'user_pass'    => $assist_u['password'],
			'display_name' => $assist_u['name'],
			'first_name'   => $assist_u['name'],
			'role'         => $assist_u['role'],
		)
	);
	if ( is_wp_error( $assist_id ) ) {
		fwrite( STDERR, 'user ' . $assist_u['login'] . ': ' . $assist_id->get_error_message() . "\n" );
		exit( 1 );
	}
	$assist_user = new WP_User( $assist_id );
	foreach ( $assist_u['caps'] as $assist_cap ) {
		$assist_user->add_cap( $assist_cap );
	}
	$assist_row = array( 'id' => $assist_id );
	if ( ! empty( $assist_u['app_password'] ) ) {
		[ $assist_row['app_password'] ] = WP_Application_Passwords::create_new_application_password( $assist_id, array( 'name' => 'tests' ) );
	}
	$assist_out['users'][ $assist_u['login'] ] = $assist_row;
}

$assist_page = wp_insert_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'publish',
		'post_title'   => 'Mon assistance',
		'post_name'    => 'mon-assistance',
		'post_content' => '[assist_mon_assistance]',
	)
);
$assist_out['page_id']  = $assist_page;
$assist_out['page_url'] = get_permalink( $assist_page );
echo wp_json_encode( $assist_out ), "\n";
