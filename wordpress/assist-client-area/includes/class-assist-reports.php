<?php
/**
 * Intervention reports (PDF): stored under random names in a directory that the web server
 * refuses to serve, downloaded only through the permission-checked REST route.
 *
 * The directory is ASSIST_REPORTS_DIR when defined (best: outside the web root), else
 * wp-content/uploads/assist-reports/ with a deny-all .htaccess and an empty index.php.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Report files and their table. */
class Assist_Reports {

	const MAX_BYTES = 20971520; // 20 MiB.

	/** Absolute path of the storage directory (no trailing slash). */
	public static function dir(): string {
		if ( defined( 'ASSIST_REPORTS_DIR' ) && ASSIST_REPORTS_DIR ) {
			return untrailingslashit( (string) ASSIST_REPORTS_DIR );
		}
		$uploads = wp_upload_dir( null, false );
		return untrailingslashit( $uploads['basedir'] ) . '/assist-reports';
	}

	/** Create the directory with its deny-all guards. */
	public static function ensure_storage(): bool {
		$dir = self::dir();
		if ( ! wp_mkdir_p( $dir ) ) {
			return false;
		}
		$guards = array(
			'.htaccess'  => "# Reports are served only through the REST API.\nRequire all denied\n<IfModule !mod_authz_core.c>\nOrder allow,deny\nDeny from all\n</IfModule>\n",
			'index.php'  => "<?php\n// Silence is golden.\n",
			'web.config' => "<?xml version=\"1.0\"?>\n<configuration><system.webServer><authorization><deny users=\"*\" /></authorization></system.webServer></configuration>\n",
		);
		foreach ( $guards as $name => $content ) {
			if ( ! file_exists( "$dir/$name" ) ) {
				file_put_contents( "$dir/$name", $content ); // phpcs:ignore WordPress.WP.AlternativeFunctions
			}
		}
		return true;
	}

	public static function get( int $id ): ?array {
		global $wpdb;
		$table = Assist_Schema::table( 'reports' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), ARRAY_A );
		return $row ? $row : null;
	}

	/** Reports of one client, newest first. */
	public static function of_client( int $client_id ): array {
		global $wpdb;
		$table = Assist_Schema::table( 'reports' );
		return $wpdb->get_results(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE client_id = %d ORDER BY date_created_gmt DESC, id DESC", $client_id ),
			ARRAY_A
		);
	}

	private static function find( int $client_id, string $lot_id, string $sha256 ): ?array {
		global $wpdb;
		$table = Assist_Schema::table( 'reports' );
		$row   = $wpdb->get_row(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE client_id = %d AND lot_id = %s AND sha256 = %s", $client_id, $lot_id, $sha256 ),
			ARRAY_A
		);
		return $row ? $row : null;
	}

	/**
	 * Store a PDF once per (client, lot, sha256).
	 *
	 * @return array|WP_Error {0: row, 1: bool created}
	 */
	public static function store( int $client_id, string $lot_id, string $title, string $body, string $original_name ) {
		global $wpdb;
		$sha = hash( 'sha256', $body );
		$old = self::find( $client_id, $lot_id, $sha );
		if ( $old ) {
			return array( $old, false );
		}
		if ( ! self::ensure_storage() ) {
			return new WP_Error( 'assist_storage_error', __( 'The reports folder cannot be reached.', 'assist-client-area' ), array( 'status' => 500 ) );
		}
		$name = bin2hex( random_bytes( 24 ) );
		$path = self::dir() . '/' . $name;
		if ( false === file_put_contents( $path, $body, LOCK_EX ) ) { // phpcs:ignore WordPress.WP.AlternativeFunctions
			return new WP_Error( 'assist_storage_error', __( 'The report could not be written.', 'assist-client-area' ), array( 'status' => 500 ) );
		}
		$ok = $wpdb->insert(
			Assist_Schema::table( 'reports' ),
			array(
				'client_id'        => $client_id,
				'lot_id'           => $lot_id,
				'title'            => $title,
				'sha256'           => $sha,
				'file_name'        => $name,
				'file_size'        => strlen( $body ),
				'original_name'    => $original_name,
				'date_created_gmt' => assist_now_gmt(),
			),
			array( '%d', '%s', '%s', '%s', '%s', '%d', '%s', '%s' )
		);
		if ( ! $ok ) {
			wp_delete_file( $path );
			$old = self::find( $client_id, $lot_id, $sha ); // A concurrent identical upload won the race.
			return $old ? array( $old, false ) : new WP_Error( 'assist_db_error', __( 'The change could not be saved.', 'assist-client-area' ), array( 'status' => 500 ) );
		}
		return array( self::get( (int) $wpdb->insert_id ), true );
	}

	/** Absolute file path of a report row. */
	public static function path( array $row ): string {
		return self::dir() . '/' . basename( (string) $row['file_name'] );
	}

	/** Report row → contract JSON (never the file name). */
	public static function json( array $row ): array {
		return array(
			'id'               => (int) $row['id'],
			'client_id'        => (int) $row['client_id'],
			'lot_id'           => (string) $row['lot_id'],
			'title'            => (string) $row['title'],
			'date_created_gmt' => assist_iso( $row['date_created_gmt'] ),
			'sha256'           => (string) $row['sha256'],
		);
	}

	/** Whether the current user may download this report. */
	public static function can_download( array $row ): bool {
		$user = get_current_user_id();
		return ( $user > 0 && (int) $row['client_id'] === $user )
			|| current_user_can( Assist_Schema::CAP_SYNC )
			|| current_user_can( 'manage_options' );
	}

	/** Download URL for the logged-in browser (REST nonce in the query). */
	public static function download_url( int $id ): string {
		return add_query_arg( '_wpnonce', wp_create_nonce( 'wp_rest' ), rest_url( 'assist/v1/reports/' . $id . '/download' ) );
	}
}
