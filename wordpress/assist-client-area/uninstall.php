<?php
/**
 * Deleting the plugin (Extensions → Supprimer) removes everything it created: its tables, its
 * option, the account payloads pushed by the daemon (user meta), the report files it stored,
 * its capabilities (on roles and on single users) and the « Agence – support » role.
 * Deactivating keeps all of it; only deletion runs this file. On a multisite network every
 * site is cleaned.
 *
 * @package AssistClientArea
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/class-assist-schema.php';
require_once __DIR__ . '/includes/class-assist-reports.php';
require_once __DIR__ . '/includes/class-assist-accounts.php';

/** Report files listed in the table, then our guard files and the directory if now empty. */
function assist_uninstall_reports(): void {
	global $wpdb;
	$table = Assist_Schema::table( 'reports' );
	if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) === $table ) {
		foreach ( (array) $wpdb->get_col( "SELECT file_name FROM {$table}" ) as $file_name ) {
			wp_delete_file( Assist_Reports::path( array( 'file_name' => $file_name ) ) );
		}
	}
	$dir = Assist_Reports::dir();
	foreach ( array( '.htaccess', 'index.php', 'web.config' ) as $guard ) {
		wp_delete_file( "$dir/$guard" );
	}
	if ( is_dir( $dir ) ) {
		@rmdir( $dir ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- files we did not write stay, and so does the directory.
	}
}

/** Capabilities granted to single users (the daemon's account), to roles, and the staff role. */
function assist_uninstall_capabilities(): void {
	$caps = array( Assist_Schema::CAP_SYNC, Assist_Schema::CAP_LOG_TIME );
	foreach ( $caps as $cap ) {
		foreach ( get_users( array( 'capability' => $cap ) ) as $user ) {
			$user->remove_cap( $cap );
		}
	}
	foreach ( get_users( array( 'role' => Assist_Schema::STAFF_ROLE ) ) as $user ) {
		$user->remove_role( Assist_Schema::STAFF_ROLE );
		if ( ! $user->roles ) {
			$user->add_role( 'subscriber' ); // Still able to log in, with no agency rights.
		}
	}
	remove_role( Assist_Schema::STAFF_ROLE );
	foreach ( array_keys( wp_roles()->roles ) as $name ) {
		$role = get_role( $name );
		foreach ( $caps as $cap ) {
			if ( $role && $role->has_cap( $cap ) ) {
				$role->remove_cap( $cap );
			}
		}
	}
}

/** Everything of the current site. */
function assist_uninstall_site(): void {
	global $wpdb;
	assist_uninstall_reports();
	foreach ( array( 'tickets', 'time_entries', 'reports' ) as $name ) {
		$table = Assist_Schema::table( $name ); // The site prefix and a constant: nothing to escape.
		$wpdb->query( "DROP TABLE IF EXISTS {$table}" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange
	}
	delete_option( Assist_Schema::OPTION );
	delete_metadata( 'user', 0, Assist_Accounts::META, '', true );
	assist_uninstall_capabilities();
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $assist_site_id ) {
		switch_to_blog( (int) $assist_site_id );
		assist_uninstall_site();
		restore_current_blog();
	}
} else {
	assist_uninstall_site();
}
