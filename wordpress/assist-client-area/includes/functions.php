<?php
/**
 * Small helpers shared by the plugin: vocabularies, durations, amounts, UTC dates.
 *
 * Every text a person reads goes through the WordPress i18n functions with the text domain
 * "assist-client-area" (source strings in English, French shipped in languages/).
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Loads the shipped translations (WP_LANG_DIR/plugins/ first, then the plugin's languages/). */
function assist_load_textdomain(): void {
	load_plugin_textdomain( 'assist-client-area', false, dirname( plugin_basename( ASSIST_CA_FILE ) ) . '/languages' );
}

/** Time entry kinds and their labels. */
function assist_kinds(): array {
	return array(
		'production' => _x( 'Production', 'kind of work', 'assist-client-area' ),
		'correction' => _x( 'Correction', 'kind of work', 'assist-client-area' ),
		'training'   => _x( 'Training', 'kind of work', 'assist-client-area' ),
		'exchange'   => _x( 'Exchanges', 'kind of work', 'assist-client-area' ),
	);
}

/** Labels of the kinds a client's page may show: the entry kinds plus admin adjustments. */
function assist_task_kinds(): array {
	return assist_kinds() + array( 'adjustment' => _x( 'Adjustment', 'kind of work', 'assist-client-area' ) );
}

/** A kind of work as shown to people; exchanges say that they are not deducted. */
function assist_kind_label( string $kind ): string {
	$label = assist_task_kinds()[ $kind ] ?? $kind;
	/* translators: %s: a kind of work ("Exchanges"), shown where time is logged or listed. */
	return 'exchange' === $kind ? sprintf( __( '%s (not deducted)', 'assist-client-area' ), $label ) : $label;
}

/**
 * First letter in capitals, multibyte-safe without mbstring: "épuisé" → "Épuisé".
 * The daemon writes lot statuses in lower case for use inside sentences.
 */
function assist_capitalize( string $text ): string {
	if ( ! preg_match( '/^(.)(.*)$/us', $text, $m ) ) {
		return $text;
	}
	$upper = array(
		'é' => 'É',
		'è' => 'È',
		'ê' => 'Ê',
		'à' => 'À',
		'â' => 'Â',
		'ç' => 'Ç',
		'î' => 'Î',
		'ô' => 'Ô',
		'û' => 'Û',
	);
	return ( $upper[ $m[1] ] ?? strtoupper( $m[1] ) ) . $m[2];
}

/** Ticket statuses and their labels. */
function assist_statuses(): array {
	return array(
		'open'        => _x( 'Open', 'ticket status', 'assist-client-area' ),
		'in_progress' => _x( 'In progress', 'ticket status', 'assist-client-area' ),
		'done'        => _x( 'Done', 'ticket status', 'assist-client-area' ),
		'closed'      => _x( 'Closed', 'ticket status', 'assist-client-area' ),
	);
}

/** Lot statuses (used when the payload carries no status_label of its own). */
function assist_lot_statuses(): array {
	return array(
		'open'    => _x( 'Active', 'pack status', 'assist-client-area' ),
		'used_up' => _x( 'Used up', 'pack status', 'assist-client-area' ),
		'expired' => _x( 'Expired', 'pack status', 'assist-client-area' ),
		'voided'  => _x( 'Cancelled', 'pack status', 'assist-client-area' ),
	);
}

/** The two answers a client may give to an overrun warning (short labels, for staff lists). */
function assist_decisions(): array {
	return array(
		'buy_pack' => _x( 'New pack purchase', 'client decision', 'assist-client-area' ),
		'bill'     => _x( 'Hourly billing accepted', 'client decision', 'assist-client-area' ),
	);
}

/**
 * Duration: 135 → "2 h 15 min", 60 → "1 h", 45 → "45 min", -20 → "-20 min".
 * Same rules as ledger/french.py format_duration.
 */
function assist_format_minutes( $minutes ): string {
	$minutes = (int) $minutes;
	$sign    = $minutes < 0 ? '-' : '';
	$abs     = abs( $minutes );
	$hours   = intdiv( $abs, 60 );
	$rest    = $abs % 60;
	if ( $hours && $rest ) {
		/* translators: 1: minus sign or nothing, 2: hours, 3: minutes. */
		return sprintf( __( '%1$s%2$d h %3$d min', 'assist-client-area' ), $sign, $hours, $rest );
	}
	if ( $hours ) {
		/* translators: 1: minus sign or nothing, 2: hours. */
		return sprintf( __( '%1$s%2$d h', 'assist-client-area' ), $sign, $hours );
	}
	/* translators: 1: minus sign or nothing, 2: minutes. */
	return sprintf( __( '%1$s%2$d min', 'assist-client-area' ), $sign, $rest );
}

/**
 * An amount in euros: 60 → "€60.00" in English, "60,00 €" in French. WordPress core's own
 * number format comes from its language pack, which a site may not have: ours is the plugin's.
 */
function assist_format_money( $amount ): string {
	$number = number_format(
		(float) $amount,
		2,
		_x( '.', 'decimal separator', 'assist-client-area' ),
		_x( ',', 'thousands separator', 'assist-client-area' )
	);
	/* translators: %s: an amount, already formatted (60.00). */
	return sprintf( _x( '€%s', 'amount in euros', 'assist-client-area' ), $number );
}

/** An hourly rate before tax: "€60.00 excl. VAT / h", "60,00 € HT / h". */
function assist_format_rate( $amount ): string {
	/* translators: %s: an amount in euros ("€60.00"). */
	return sprintf( __( '%s excl. VAT / h', 'assist-client-area' ), assist_format_money( $amount ) );
}

/** Now, UTC, as a MySQL DATETIME string. */
function assist_now_gmt(): string {
	return gmdate( 'Y-m-d H:i:s' );
}

/** MySQL DATETIME (UTC) → contract form "2026-11-26T10:15:00"; null stays null. */
function assist_iso( ?string $mysql ): ?string {
	if ( null === $mysql || '' === $mysql || '0000-00-00 00:00:00' === $mysql ) {
		return null;
	}
	return str_replace( ' ', 'T', substr( $mysql, 0, 19 ) );
}

/**
 * Read a date: "YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH:MM]". Without an offset it is taken in
 * $zone (UTC by default). Impossible dates (2026-13-02, 2026-02-30, 24:00) are refused.
 *
 * @return DateTimeImmutable|null The moment, or null when the text is not a real date.
 */
function assist_read_date( $value, ?DateTimeZone $zone = null ): ?DateTimeImmutable {
	if ( ! is_string( $value ) ) {
		return null;
	}
	$pattern = '/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i';
	if ( ! preg_match( $pattern, trim( $value ), $m ) ) {
		return null;
	}
	$seconds = isset( $m[6] ) && '' !== $m[6] ? (int) $m[6] : 0;
	if ( ! checkdate( (int) $m[2], (int) $m[3], (int) $m[1] ) || (int) $m[4] > 23 || (int) $m[5] > 59 || $seconds > 59 ) {
		return null;
	}
	if ( ! empty( $m[7] ) ) {
		$zone = new DateTimeZone( 'z' === strtolower( $m[7] ) ? '+00:00' : $m[7] );
	}
	try {
		return new DateTimeImmutable(
			sprintf( '%s-%s-%s %s:%s:%02d', $m[1], $m[2], $m[3], $m[4], $m[5], $seconds ),
			$zone ?? new DateTimeZone( 'UTC' )
		);
	} catch ( Exception $e ) {
		return null;
	}
}

/**
 * Parse a date filter: naive ISO-8601 is UTC; an explicit offset or Z is converted to UTC.
 * Returns a MySQL DATETIME string, or null when the value is not a date.
 */
function assist_parse_gmt( $value ): ?string {
	$moment = assist_read_date( $value );
	return null === $moment ? null : $moment->setTimezone( new DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' );
}

/**
 * The range a time entry's date must fall in (UTC MySQL DATETIMEs): from 2000-01-01 00:00:00
 * (the daemon quarantines anything earlier) to one year after now (a later date is a typo).
 *
 * @return array{0: string, 1: string}
 */
function assist_entry_date_range(): array {
	return array( '2000-01-01 00:00:00', gmdate( 'Y-m-d H:i:s', strtotime( '+1 year' ) ) );
}

/** The error of a time entry whose date is outside assist_entry_date_range(), dates in the site's zone. */
function assist_date_range_error(): string {
	list( $earliest, $latest ) = assist_entry_date_range();
	return sprintf(
		/* translators: 1: earliest date allowed, 2: latest date allowed. */
		__( 'The date must fall between %1$s and %2$s.', 'assist-client-area' ),
		assist_local_date( $earliest ),
		assist_local_date( $latest )
	);
}

/** The error of a time entry whose minutes are not a whole number in range. */
function assist_minutes_error(): string {
	return sprintf(
		/* translators: %d: the largest number of minutes one entry may hold. */
		__( 'The duration must be a whole number of minutes, from 1 to %d.', 'assist-client-area' ),
		Assist_Store::MAX_MINUTES
	);
}

/** Display a UTC date (MySQL or ISO form) in the site's zone and date format; '' if unreadable. */
function assist_local_date( ?string $gmt, string $format = '' ): string {
	$mysql = null === $gmt ? null : assist_parse_gmt( strlen( $gmt ) === 10 ? $gmt . 'T00:00:00' : $gmt );
	return null === $mysql ? '' : get_date_from_gmt( $mysql, '' !== $format ? $format : (string) get_option( 'date_format' ) );
}

/** Display a UTC moment as the site's date and time: "26/11/2026 at 11:00". */
function assist_local_datetime( ?string $gmt ): string {
	$date = assist_local_date( $gmt );
	if ( '' === $date ) {
		return '';
	}
	/* translators: 1: a date, 2: a time of day. */
	return sprintf( __( '%1$s at %2$s', 'assist-client-area' ), $date, assist_local_date( $gmt, (string) get_option( 'time_format' ) ) );
}
