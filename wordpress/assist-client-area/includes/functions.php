<?php
/**
 * Small helpers shared by the plugin: vocabularies, durations, UTC dates.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Time entry kinds and their French labels. */
function assist_kinds(): array {
	return array(
		'production' => 'Production',
		'correction' => 'Correction',
		'training'   => 'Formation',
		'exchange'   => 'Échanges',
	);
}

/** Labels of the kinds a client's page may show: the entry kinds plus admin adjustments. */
function assist_task_kinds(): array {
	return assist_kinds() + array( 'adjustment' => 'Ajustement' );
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

/** Ticket statuses and their French labels. */
function assist_statuses(): array {
	return array(
		'open'        => 'Ouvert',
		'in_progress' => 'En cours',
		'done'        => 'Terminé',
		'closed'      => 'Clos',
	);
}

/** The two answers a client may give to an overrun warning. */
function assist_decisions(): array {
	return array(
		'buy_pack' => 'Achat d\'un nouveau pack',
		'bill'     => 'Facturation au taux horaire acceptée',
	);
}

/**
 * French duration: 135 → "2 h 15 min", 60 → "1 h", 45 → "45 min", -20 → "-20 min".
 * Same rules as ledger/french.py format_duration.
 */
function assist_format_minutes( $minutes ): string {
	$minutes = (int) $minutes;
	$sign    = $minutes < 0 ? '-' : '';
	$abs     = abs( $minutes );
	$hours   = intdiv( $abs, 60 );
	$rest    = $abs % 60;
	if ( $hours && $rest ) {
		return sprintf( '%s%d h %d min', $sign, $hours, $rest );
	}
	if ( $hours ) {
		return sprintf( '%s%d h', $sign, $hours );
	}
	return sprintf( '%s%d min', $sign, $rest );
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
 * Parse a date filter: naive ISO-8601 is UTC; an explicit offset or Z is converted to UTC.
 * Returns a MySQL DATETIME string, or null when the value is not a date.
 */
function assist_parse_gmt( $value ): ?string {
	if ( ! is_string( $value ) ) {
		return null;
	}
	$pattern = '/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i';
	if ( ! preg_match( $pattern, trim( $value ), $m ) ) {
		return null;
	}
	if ( ! checkdate( (int) $m[2], (int) $m[3], (int) $m[1] ) || (int) $m[4] > 23 || (int) $m[5] > 59 ) {
		return null;
	}
	$zone = empty( $m[7] ) || 'z' === strtolower( $m[7] ) ? '+00:00' : $m[7];
	try {
		$moment = new DateTimeImmutable(
			sprintf( '%s-%s-%sT%s:%s:%s%s', $m[1], $m[2], $m[3], $m[4], $m[5], ! empty( $m[6] ) ? $m[6] : '00', $zone )
		);
	} catch ( Exception $e ) {
		return null;
	}
	return $moment->setTimezone( new DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' );
}

/** Display a UTC date (MySQL or ISO form) in the site's zone, French style. */
function assist_local_date( ?string $gmt, string $format = 'd/m/Y' ): string {
	$mysql = null === $gmt ? null : assist_parse_gmt( strlen( $gmt ) === 10 ? $gmt . 'T00:00:00' : $gmt );
	return null === $mysql ? '' : get_date_from_gmt( $mysql, $format );
}
