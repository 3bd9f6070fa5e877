<?php
/**
 * Tables, capabilities and role: created on activation, upgraded when the schema version moves.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Owns the plugin's tables (dbDelta) and its capabilities. */
class Assist_Schema {

	const DB_VERSION   = '3';
	const OPTION       = 'assist_ca_db_version';
	const CAP_LOG_TIME = 'assist_log_time';
	const CAP_SYNC     = 'assist_sync';
	const STAFF_ROLE   = 'assist_staff';

	/** Table names with the site prefix. */
	public static function table( string $name ): string {
		global $wpdb;
		return $wpdb->prefix . 'assist_' . $name;
	}

	/** Activation: tables, capabilities, role, rewrite endpoint, report directory. */
	public static function activate(): void {
		self::install_tables();
		self::install_caps();
		Assist_Reports::ensure_storage();
		Assist_Client_Page::add_endpoint();
		flush_rewrite_rules( false );
	}

	/** Deactivation keeps data and capabilities; only the rewrite rules are refreshed. */
	public static function deactivate(): void {
		flush_rewrite_rules( false );
	}

	/** Runs on every load (init): cheap version check, upgrade when the plugin was updated in place. */
	public static function maybe_upgrade(): void {
		if ( get_option( self::OPTION ) !== self::DB_VERSION ) {
			self::install_tables();
			self::install_caps();
		}
	}

	/** Create or alter the tables to the current definition. */
	public static function install_tables(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$charset = $wpdb->get_charset_collate();
		$tickets = self::table( 'tickets' );
		$entries = self::table( 'time_entries' );
		$reports = self::table( 'reports' );

		// dbDelta wants two spaces after PRIMARY KEY and one definition per line.
		dbDelta(
			"CREATE TABLE {$tickets} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  client_id bigint(20) unsigned NOT NULL,
  title varchar(255) NOT NULL DEFAULT '',
  status varchar(20) NOT NULL DEFAULT 'open',
  estimate_minutes int(11) DEFAULT NULL,
  decision varchar(20) DEFAULT NULL,
  decided_at_gmt datetime DEFAULT NULL,
  decision_rate decimal(12,2) DEFAULT NULL,
  date_created_gmt datetime NOT NULL,
  date_modified_gmt datetime NOT NULL,
  deleted tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY  (id),
  KEY client_id (client_id),
  KEY date_modified_gmt (date_modified_gmt)
) {$charset};
CREATE TABLE {$entries} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  ticket_id bigint(20) unsigned NOT NULL,
  client_id bigint(20) unsigned NOT NULL,
  kind varchar(20) NOT NULL,
  minutes int(11) NOT NULL,
  performed_at_gmt datetime NOT NULL,
  note text NOT NULL,
  author_id bigint(20) unsigned NOT NULL DEFAULT 0,
  date_created_gmt datetime NOT NULL,
  date_modified_gmt datetime NOT NULL,
  deleted tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY  (id),
  KEY ticket_id (ticket_id),
  KEY client_id (client_id),
  KEY date_modified_gmt (date_modified_gmt)
) {$charset};
CREATE TABLE {$reports} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  client_id bigint(20) unsigned NOT NULL,
  lot_id varchar(191) NOT NULL DEFAULT '',
  title varchar(255) NOT NULL DEFAULT '',
  sha256 char(64) NOT NULL,
  file_name varchar(100) NOT NULL,
  file_size bigint(20) unsigned NOT NULL DEFAULT 0,
  original_name varchar(255) NOT NULL DEFAULT '',
  date_created_gmt datetime NOT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY client_lot_sha (client_id,lot_id,sha256),
  KEY client_id (client_id)
) {$charset};"
		);
		update_option( self::OPTION, self::DB_VERSION );
	}

	/**
	 * The staff role's capabilities. `view_admin_dashboard` is WooCommerce's own key to wp-admin:
	 * without it (or edit_posts / manage_woocommerce) WooCommerce sends the user to My Account.
	 */
	public static function staff_caps(): array {
		return array(
			'read'                 => true,
			'view_admin_dashboard' => true,
			self::CAP_LOG_TIME     => true,
		);
	}

	/**
	 * Administrators get both capabilities; the staff role gets time logging and wp-admin.
	 * An existing role is brought up to date too (an upgrade, or a role edited by hand).
	 */
	public static function install_caps(): void {
		$admin = get_role( 'administrator' );
		if ( $admin ) {
			$admin->add_cap( self::CAP_LOG_TIME );
			$admin->add_cap( self::CAP_SYNC );
		}
		$staff = get_role( self::STAFF_ROLE );
		if ( ! $staff ) {
			// Named in the site's language when it is created (a role's name is stored as it is).
			add_role( self::STAFF_ROLE, __( 'Agency – support', 'assist-client-area' ), self::staff_caps() );
			return;
		}
		foreach ( self::staff_caps() as $cap => $grant ) {
			if ( empty( $staff->capabilities[ $cap ] ) ) {
				$staff->add_cap( $cap, $grant );
			}
		}
	}
}
