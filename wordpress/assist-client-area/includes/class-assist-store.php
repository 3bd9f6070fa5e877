<?php
/**
 * Tickets and time entries: validation, writes that bump date_modified_gmt, tombstones, lists.
 *
 * Every write moves the row's date_modified_gmt strictly forward (at least one second past the
 * previous value) so that a mirror polling with modified_after never misses an edit made in the
 * same second as the previous one. Deletions keep the row with deleted = 1 (a tombstone).
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Repository of tickets and time entries. */
class Assist_Store {

	const MAX_MINUTES = 10080; // One week: a larger entry is a typing mistake.

	/** SQL expression that moves date_modified_gmt strictly forward. */
	private static function bump_sql( string $now ): string {
		global $wpdb;
		return $wpdb->prepare( 'GREATEST(%s, date_modified_gmt + INTERVAL 1 SECOND)', $now );
	}

	// ---------------------------------------------------------------- tickets

	/** One ticket row (tombstones included), or null. */
	public static function get_ticket( int $id ): ?array {
		global $wpdb;
		$table = Assist_Schema::table( 'tickets' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), ARRAY_A );
		return $row ? $row : null;
	}

	/** Live tickets, newest first, optionally for one client. */
	public static function live_tickets( int $client_id = 0, int $limit = 200 ): array {
		global $wpdb;
		$table = Assist_Schema::table( 'tickets' );
		$where = 'deleted = 0';
		if ( $client_id > 0 ) {
			$where .= $wpdb->prepare( ' AND client_id = %d', $client_id );
		}
		return $wpdb->get_results(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE {$where} ORDER BY id DESC LIMIT %d", $limit ),
			ARRAY_A
		);
	}

	/**
	 * Check and normalise ticket fields.
	 *
	 * @return array|WP_Error The clean fields.
	 */
	public static function clean_ticket( array $in ) {
		$client_id = isset( $in['client_id'] ) ? (int) $in['client_id'] : 0;
		if ( $client_id <= 0 || ! get_userdata( $client_id ) ) {
			return new WP_Error( 'assist_unknown_client', __( 'Unknown client.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$title = isset( $in['title'] ) ? trim( sanitize_text_field( (string) $in['title'] ) ) : '';
		if ( '' === $title ) {
			return new WP_Error( 'assist_invalid_title', __( 'The title is required.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$status = isset( $in['status'] ) ? (string) $in['status'] : 'open';
		if ( ! array_key_exists( $status, assist_statuses() ) ) {
			return new WP_Error( 'assist_invalid_status', __( 'Unknown status.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$estimate = null;
		if ( isset( $in['estimate_minutes'] ) && '' !== trim( (string) $in['estimate_minutes'] ) ) {
			$raw = trim( (string) $in['estimate_minutes'] );
			if ( ! ctype_digit( $raw ) || (int) $raw > self::MAX_MINUTES * 10 ) {
				return new WP_Error( 'assist_invalid_estimate', __( 'The estimate must be a whole number of minutes.', 'assist-client-area' ), array( 'status' => 400 ) );
			}
			$estimate = (int) $raw;
		}
		return array(
			'client_id'        => $client_id,
			'title'            => mb_substr( $title, 0, 255 ),
			'status'           => $status,
			'estimate_minutes' => $estimate,
		);
	}

	/** @return int|WP_Error The new ticket id. */
	public static function create_ticket( array $in ) {
		global $wpdb;
		$clean = self::clean_ticket( $in );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}
		$now = assist_now_gmt();
		$ok  = $wpdb->insert(
			Assist_Schema::table( 'tickets' ),
			$clean + array(
				'date_created_gmt'  => $now,
				'date_modified_gmt' => $now,
				'deleted'           => 0,
			),
			array( '%d', '%s', '%s', '%d', '%s', '%s', '%d' ) // A null value is written as NULL.
		);
		if ( ! $ok ) {
			return new WP_Error( 'assist_db_error', __( 'The change could not be saved.', 'assist-client-area' ), array( 'status' => 500 ) );
		}
		return (int) $wpdb->insert_id;
	}

	/**
	 * Update a live ticket. A change of client moves its entries along (and bumps them).
	 *
	 * @return true|WP_Error
	 */
	public static function update_ticket( int $id, array $in ) {
		global $wpdb;
		$ticket = self::get_ticket( $id );
		if ( ! $ticket || (int) $ticket['deleted'] ) {
			return new WP_Error( 'assist_unknown_ticket', __( 'Ticket not found.', 'assist-client-area' ), array( 'status' => 404 ) );
		}
		$clean = self::clean_ticket( $in );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}
		$now   = assist_now_gmt();
		$table = Assist_Schema::table( 'tickets' );
		$wpdb->query(
			$wpdb->prepare(
				"UPDATE {$table} SET client_id = %d, title = %s, status = %s, estimate_minutes = "
				. ( null === $clean['estimate_minutes'] ? 'NULL' : (int) $clean['estimate_minutes'] )
				. ', date_modified_gmt = ' . self::bump_sql( $now ) . ' WHERE id = %d',
				$clean['client_id'],
				$clean['title'],
				$clean['status'],
				$id
			)
		);
		if ( (int) $ticket['client_id'] !== $clean['client_id'] ) {
			$entries = Assist_Schema::table( 'time_entries' );
			$wpdb->query(
				$wpdb->prepare(
					"UPDATE {$entries} SET client_id = %d, date_modified_gmt = " . self::bump_sql( $now ) . ' WHERE ticket_id = %d',
					$clean['client_id'],
					$id
				)
			);
		}
		return true;
	}

	/** Tombstone a ticket and its live entries. False when it was not live. */
	public static function delete_ticket( int $id ): bool {
		global $wpdb;
		$now     = assist_now_gmt();
		$tickets = Assist_Schema::table( 'tickets' );
		$entries = Assist_Schema::table( 'time_entries' );
		$done    = $wpdb->query(
			$wpdb->prepare( "UPDATE {$tickets} SET deleted = 1, date_modified_gmt = " . self::bump_sql( $now ) . ' WHERE id = %d AND deleted = 0', $id )
		);
		if ( ! $done ) {
			return false;
		}
		$wpdb->query(
			$wpdb->prepare( "UPDATE {$entries} SET deleted = 1, date_modified_gmt = " . self::bump_sql( $now ) . ' WHERE ticket_id = %d AND deleted = 0', $id )
		);
		return true;
	}

	/**
	 * Record a client's overrun decision, with the hourly rate the client accepted (the one the
	 * page showed, from the daemon's warning) when they accept billing. The same decision again
	 * writes nothing.
	 *
	 * @return array|WP_Error The ticket row after the write.
	 */
	public static function record_decision( int $id, string $decision, ?string $rate = null ) {
		global $wpdb;
		if ( ! array_key_exists( $decision, assist_decisions() ) ) {
			return new WP_Error( 'assist_invalid_decision', __( 'Unknown choice.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$ticket = self::get_ticket( $id );
		if ( ! $ticket || (int) $ticket['deleted'] ) {
			return new WP_Error( 'assist_unknown_ticket', __( 'Ticket not found.', 'assist-client-area' ), array( 'status' => 404 ) );
		}
		if ( $ticket['decision'] !== $decision ) {
			$now   = assist_now_gmt();
			$table = Assist_Schema::table( 'tickets' );
			$rate  = 'bill' === $decision && null !== $rate && is_numeric( $rate ) ? sprintf( '%.2F', (float) $rate ) : null;
			$wpdb->query(
				$wpdb->prepare(
					"UPDATE {$table} SET decision = %s, decided_at_gmt = %s, decision_rate = "
					. ( null === $rate ? 'NULL' : $wpdb->prepare( '%s', $rate ) )
					. ', date_modified_gmt = ' . self::bump_sql( $now ) . ' WHERE id = %d',
					$decision,
					$now,
					$id
				)
			);
		}
		return self::get_ticket( $id );
	}

	// ----------------------------------------------------------- time entries

	/** One entry row (tombstones included), or null. */
	public static function get_entry( int $id ): ?array {
		global $wpdb;
		$table = Assist_Schema::table( 'time_entries' );
		$row   = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), ARRAY_A );
		return $row ? $row : null;
	}

	/** Live entries, newest performed first, optionally of one ticket. */
	public static function live_entries( int $ticket_id = 0, int $limit = 200 ): array {
		global $wpdb;
		$table = Assist_Schema::table( 'time_entries' );
		$where = 'deleted = 0';
		if ( $ticket_id > 0 ) {
			$where .= $wpdb->prepare( ' AND ticket_id = %d', $ticket_id );
		}
		return $wpdb->get_results(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE {$where} ORDER BY performed_at_gmt DESC, id DESC LIMIT %d", $limit ),
			ARRAY_A
		);
	}

	/**
	 * Check and normalise entry fields; performed_at_gmt is a UTC MySQL DATETIME.
	 *
	 * @return array|WP_Error
	 */
	public static function clean_entry( array $in ) {
		$ticket = isset( $in['ticket_id'] ) ? self::get_ticket( (int) $in['ticket_id'] ) : null;
		if ( ! $ticket || (int) $ticket['deleted'] ) {
			return new WP_Error( 'assist_unknown_ticket', __( 'Ticket not found.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$kind = isset( $in['kind'] ) ? (string) $in['kind'] : '';
		if ( ! array_key_exists( $kind, assist_kinds() ) ) {
			return new WP_Error( 'assist_invalid_kind', __( 'Unknown kind of time.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$raw = isset( $in['minutes'] ) ? trim( (string) $in['minutes'] ) : '';
		if ( ! ctype_digit( $raw ) || (int) $raw < 1 || (int) $raw > self::MAX_MINUTES ) {
			return new WP_Error( 'assist_invalid_minutes', assist_minutes_error(), array( 'status' => 400 ) );
		}
		$performed = isset( $in['performed_at_gmt'] ) ? assist_parse_gmt( (string) $in['performed_at_gmt'] ) : null;
		if ( null === $performed ) {
			return new WP_Error( 'assist_invalid_date', __( 'The date is not a real date (day, month, hour or minute out of range).', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		list( $earliest, $latest ) = assist_entry_date_range();
		if ( $performed < $earliest || $performed > $latest ) {
			return new WP_Error( 'assist_date_out_of_range', assist_date_range_error(), array( 'status' => 400 ) );
		}
		return array(
			'ticket_id'        => (int) $ticket['id'],
			'client_id'        => (int) $ticket['client_id'],
			'kind'             => $kind,
			'minutes'          => (int) $raw,
			'performed_at_gmt' => $performed,
			'note'             => isset( $in['note'] ) ? sanitize_textarea_field( (string) $in['note'] ) : '',
		);
	}

	/** @return int|WP_Error The new entry id. */
	public static function create_entry( array $in, int $author_id ) {
		global $wpdb;
		$clean = self::clean_entry( $in );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}
		$now = assist_now_gmt();
		$ok  = $wpdb->insert(
			Assist_Schema::table( 'time_entries' ),
			$clean + array(
				'author_id'         => $author_id,
				'date_created_gmt'  => $now,
				'date_modified_gmt' => $now,
				'deleted'           => 0,
			),
			array( '%d', '%d', '%s', '%d', '%s', '%s', '%d', '%s', '%s', '%d' )
		);
		if ( ! $ok ) {
			return new WP_Error( 'assist_db_error', __( 'The change could not be saved.', 'assist-client-area' ), array( 'status' => 500 ) );
		}
		return (int) $wpdb->insert_id;
	}

	/** @return true|WP_Error */
	public static function update_entry( int $id, array $in ) {
		global $wpdb;
		$entry = self::get_entry( $id );
		if ( ! $entry || (int) $entry['deleted'] ) {
			return new WP_Error( 'assist_unknown_entry', __( 'Time entry not found.', 'assist-client-area' ), array( 'status' => 404 ) );
		}
		$clean = self::clean_entry( $in );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}
		$table = Assist_Schema::table( 'time_entries' );
		$wpdb->query(
			$wpdb->prepare(
				"UPDATE {$table} SET ticket_id = %d, client_id = %d, kind = %s, minutes = %d, performed_at_gmt = %s, note = %s, date_modified_gmt = "
				. self::bump_sql( assist_now_gmt() ) . ' WHERE id = %d',
				$clean['ticket_id'],
				$clean['client_id'],
				$clean['kind'],
				$clean['minutes'],
				$clean['performed_at_gmt'],
				$clean['note'],
				$id
			)
		);
		return true;
	}

	/** Tombstone an entry. False when it was not live. */
	public static function delete_entry( int $id ): bool {
		global $wpdb;
		$table = Assist_Schema::table( 'time_entries' );
		return (bool) $wpdb->query(
			$wpdb->prepare( "UPDATE {$table} SET deleted = 1, date_modified_gmt = " . self::bump_sql( assist_now_gmt() ) . ' WHERE id = %d AND deleted = 0', $id )
		);
	}

	// ------------------------------------------------------------------ lists

	/**
	 * One page of rows for the REST lists (tombstones included).
	 *
	 * @param string $name    'tickets' or 'time_entries'.
	 * @param array  $filters modified_after, modified_before (MySQL UTC), client, page, per_page, order.
	 * @return array{0: array, 1: int} Rows and total count.
	 */
	public static function page( string $name, array $filters ): array {
		global $wpdb;
		$table = Assist_Schema::table( $name );
		$where = array( '1=1' );
		if ( ! empty( $filters['modified_after'] ) ) {
			$where[] = $wpdb->prepare( 'date_modified_gmt > %s', $filters['modified_after'] );
		}
		if ( ! empty( $filters['modified_before'] ) ) {
			$where[] = $wpdb->prepare( 'date_modified_gmt <= %s', $filters['modified_before'] );
		}
		if ( ! empty( $filters['client'] ) ) {
			$where[] = $wpdb->prepare( 'client_id = %d', $filters['client'] );
		}
		$sql_where = implode( ' AND ', $where );
		$order     = 'desc' === $filters['order'] ? 'DESC' : 'ASC';
		$per_page  = (int) $filters['per_page'];
		$offset    = ( (int) $filters['page'] - 1 ) * $per_page;
		$total     = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table} WHERE {$sql_where}" );
		$rows      = $wpdb->get_results(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE {$sql_where} ORDER BY id {$order} LIMIT %d OFFSET %d", $per_page, $offset ),
			ARRAY_A
		);
		return array( $rows, $total );
	}

	/** Ticket row → contract JSON. */
	public static function ticket_json( array $row ): array {
		return array(
			'id'                => (int) $row['id'],
			'client_id'         => (int) $row['client_id'],
			'title'             => (string) $row['title'],
			'status'            => (string) $row['status'],
			'estimate_minutes'  => null === $row['estimate_minutes'] ? null : (int) $row['estimate_minutes'],
			'decision'          => null === $row['decision'] || '' === $row['decision'] ? null : (string) $row['decision'],
			'decided_at_gmt'    => assist_iso( $row['decided_at_gmt'] ),
			'date_created_gmt'  => assist_iso( $row['date_created_gmt'] ),
			'date_modified_gmt' => assist_iso( $row['date_modified_gmt'] ),
			'deleted'           => (bool) (int) $row['deleted'],
		);
	}

	/** Entry row → contract JSON. */
	public static function entry_json( array $row ): array {
		return array(
			'id'                => (int) $row['id'],
			'ticket_id'         => (int) $row['ticket_id'],
			'client_id'         => (int) $row['client_id'],
			'kind'              => (string) $row['kind'],
			'minutes'           => (int) $row['minutes'],
			'performed_at_gmt'  => assist_iso( $row['performed_at_gmt'] ),
			'note'              => (string) $row['note'],
			'author_id'         => (int) $row['author_id'],
			'date_created_gmt'  => assist_iso( $row['date_created_gmt'] ),
			'date_modified_gmt' => assist_iso( $row['date_modified_gmt'] ),
			'deleted'           => (bool) (int) $row['deleted'],
		);
	}
}
