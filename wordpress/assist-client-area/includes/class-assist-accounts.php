<?php
/**
 * Account payloads pushed by the daemon, one per client, stored as user meta.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Stores and reads each client's account payload (user meta assist_account, JSON). */
class Assist_Accounts {

	const META      = 'assist_account';
	const MAX_BATCH = 100;

	/**
	 * The stored account of a user.
	 *
	 * @return array|null {hash: string, payload: array, received_at_gmt: string}
	 */
	public static function get( int $user_id ): ?array {
		$raw = get_user_meta( $user_id, self::META, true );
		if ( ! is_string( $raw ) || '' === $raw ) {
			return null;
		}
		$data = json_decode( $raw, true );
		if ( ! is_array( $data ) || ! isset( $data['hash'], $data['payload'] ) || ! is_array( $data['payload'] ) ) {
			return null;
		}
		return $data;
	}

	/**
	 * Store a batch. Items whose hash equals the stored one are left untouched.
	 *
	 * @param array $items [{client_id, hash, payload}, …] (at most MAX_BATCH, checked by the caller).
	 * @return array{updated: int[], unchanged: int[], errors: array}
	 */
	public static function store_batch( array $items ): array {
		$result = array(
			'updated'   => array(),
			'unchanged' => array(),
			'errors'    => array(),
		);
		foreach ( $items as $item ) {
			$client_id = is_array( $item ) && isset( $item['client_id'] ) && is_int( $item['client_id'] ) ? $item['client_id'] : null;
			if ( null === $client_id || $client_id <= 0 ) {
				$result['errors'][] = self::error( $client_id, 'assist_invalid_item', __( 'client_id must be a positive integer.', 'assist-client-area' ) );
				continue;
			}
			if ( ! isset( $item['hash'] ) || ! is_string( $item['hash'] ) || ! preg_match( '/^[0-9a-f]{64}$/', $item['hash'] ) ) {
				$result['errors'][] = self::error( $client_id, 'assist_invalid_item', __( 'hash must be a SHA-256 in lower-case hexadecimal.', 'assist-client-area' ) );
				continue;
			}
			if ( ! isset( $item['payload'] ) || ! is_array( $item['payload'] ) ) {
				$result['errors'][] = self::error( $client_id, 'assist_invalid_item', __( 'payload must be a JSON object.', 'assist-client-area' ) );
				continue;
			}
			if ( ! get_userdata( $client_id ) ) {
				$result['errors'][] = self::error( $client_id, 'assist_unknown_client', __( 'No WordPress user has this id.', 'assist-client-area' ) );
				continue;
			}
			$current = self::get( $client_id );
			if ( $current && hash_equals( (string) $current['hash'], $item['hash'] ) ) {
				$result['unchanged'][] = $client_id;
				continue;
			}
			$json = wp_json_encode(
				array(
					'hash'            => $item['hash'],
					'payload'         => $item['payload'],
					'received_at_gmt' => assist_iso( assist_now_gmt() ),
				),
				JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
			);
			// update_user_meta() unslashes its value: slash it so JSON escapes survive.
			update_user_meta( $client_id, self::META, wp_slash( $json ) );
			$result['updated'][] = $client_id;
		}
		return $result;
	}

	private static function error( $client_id, string $code, string $message ): array {
		return array(
			'client_id' => $client_id,
			'code'      => $code,
			'message'   => $message,
		);
	}
}
