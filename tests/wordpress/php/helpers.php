<?php
/**
 * Functions the Python harness calls through WordPressSite.php() (loaded by run.php).
 * Each takes the decoded $args array and echoes JSON; errors go to stderr with exit 1.
 */

function assist_test_fail( $error ): void {
	fwrite( STDERR, is_wp_error( $error ) ? $error->get_error_code() . ': ' . $error->get_error_message() : (string) $error );
	exit( 1 );
}

function assist_test_create_user( array $args ): void {
	$id = wp_insert_user(
		array(
			'user_login'   => $args['login'],
			'user_email'   => $args['email'],
			'user_pass'    => $args['password'],
			'display_name' => $args['name'],
			'role'         => $args['role'],
		)
	);
	if ( is_wp_error( $id ) ) {
		assist_test_fail( $id );
	}
	$user = new WP_User( $id );
	foreach ( $args['caps'] as $cap ) {
		$user->add_cap( $cap );
	}
	$app = null;
	if ( $args['app'] ) {
		[ $app ] = WP_Application_Passwords::create_new_application_password( $id, array( 'name' => 'tests' ) );
	}
	echo wp_json_encode( array( 'id' => $id, 'app' => $app ) );
}

function assist_test_seed_ticket( array $args ): void {
	$id = Assist_Store::create_ticket( $args );
	if ( is_wp_error( $id ) ) {
		assist_test_fail( $id );
	}
	echo wp_json_encode( $id );
}

function assist_test_seed_entries( array $args ): void {
	$ids = array();
	foreach ( $args['entries'] as [ $kind, $minutes, $at ] ) {
		$id = Assist_Store::create_entry(
			array(
				'ticket_id'        => $args['ticket'],
				'kind'             => $kind,
				'minutes'          => (string) $minutes,
				'performed_at_gmt' => $at,
				'note'             => '',
			),
			0
		);
		if ( is_wp_error( $id ) ) {
			assist_test_fail( $id );
		}
		$ids[] = $id;
	}
	echo wp_json_encode( $ids );
}

/**
 * The site's language and date settings, like the agency's French shop: fr_FR (the plugin's own
 * translation is shipped; WordPress' and WooCommerce's French packs are not installed here, so
 * their own texts stay English), dates as 26/11/2026, times as 11:00.
 */
function assist_test_set_locale( string $locale = 'fr_FR' ): void {
	// WordPress keeps only installed core languages in WPLANG (sanitize_option); the core French
	// pack cannot be downloaded here, so the value is kept as given.
	$as_given = static function ( $value, $option, $original ) {
		return $original;
	};
	add_filter( 'sanitize_option_WPLANG', $as_given, 10, 3 );
	update_option( 'WPLANG', 'en_US' === $locale ? '' : $locale );
	remove_filter( 'sanitize_option_WPLANG', $as_given, 10 );
	update_option( 'date_format', 'd/m/Y' );
	update_option( 'time_format', 'H:i' );
}

/**
 * Set up the test site: French, the users of the tests, a page with the shortcode.
 * $args = {"users": [{"login","email","name","password","role","caps":[],"app":bool}]};
 * prints {"users": {login: {"id", "app"}}, "page_url"}.
 */
function assist_test_setup( array $args ): void {
	assist_test_set_locale( 'fr_FR' );
	$out = array( 'users' => array() );
	foreach ( $args['users'] as $u ) {
		ob_start();
		assist_test_create_user( $u );
		$out['users'][ $u['login'] ] = json_decode( ob_get_clean(), true );
	}
	$page = wp_insert_post(
		array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_title'   => 'Mon assistance',
			'post_name'    => 'mon-assistance-page',
			'post_content' => '[assist_mon_assistance]',
		),
		true
	);
	if ( is_wp_error( $page ) ) {
		assist_test_fail( $page );
	}
	$out['page_url'] = get_permalink( $page );
	echo wp_json_encode( $out ), "\n";
}
