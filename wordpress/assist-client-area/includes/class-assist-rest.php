<?php
/**
 * REST namespace assist/v1 (docs/client-area-api.md). Daemon routes require assist_sync;
 * client routes require the logged-in owner. No route is public.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Routes, permission checks and the raw PDF download. */
class Assist_Rest {

	const NS = 'assist/v1';

	/** The file the current download request streams (set by download(), sent by serve_download()). */
	private static ?array $pending_download = null;

	public static function register_routes(): void {
		$list_args = self::list_args();
		register_rest_route(
			self::NS,
			'/tickets',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'list_tickets' ),
				'permission_callback' => array( __CLASS__, 'can_sync' ),
				'args'                => $list_args,
			)
		);
		register_rest_route(
			self::NS,
			'/time-entries',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'list_entries' ),
				'permission_callback' => array( __CLASS__, 'can_sync' ),
				'args'                => $list_args,
			)
		);
		register_rest_route(
			self::NS,
			'/accounts/batch',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'accounts_batch' ),
				'permission_callback' => array( __CLASS__, 'can_sync' ),
				'args'                => array(
					'accounts' => array(
						'required'          => true,
						// No 'type': core would turn a string or an object into a list.
						'validate_callback' => static function ( $value ) {
							return is_array( $value ) && array_is_list( $value )
								? true
								: new WP_Error( 'rest_invalid_type', __( 'accounts must be a JSON list.', 'assist-client-area' ) );
						},
					),
				),
			)
		);
		register_rest_route(
			self::NS,
			'/reports',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'upload_report' ),
				'permission_callback' => array( __CLASS__, 'can_sync' ),
				'args'                => array(
					'client_id' => array(
						'type'     => 'integer',
						'minimum'  => 1,
						'required' => true,
					),
					'lot_id'    => array(
						'type'      => 'string',
						'required'  => true,
						'minLength' => 1,
						'maxLength' => 191,
					),
					'title'     => array(
						'type'      => 'string',
						'required'  => true,
						'minLength' => 1,
						'maxLength' => 255,
					),
				),
			)
		);
		register_rest_route(
			self::NS,
			'/reports/(?P<id>\d+)/download',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'download' ),
				'permission_callback' => array( __CLASS__, 'can_download' ),
				'args'                => array(
					'id' => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
				),
			)
		);
		register_rest_route(
			self::NS,
			'/tickets/(?P<id>\d+)/decision',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'decide' ),
				'permission_callback' => array( __CLASS__, 'can_decide' ),
				'args'                => array(
					'id'       => array(
						'type'    => 'integer',
						'minimum' => 1,
					),
					'decision' => array(
						'type'     => 'string',
						'enum'     => array_keys( assist_decisions() ),
						'required' => true,
					),
				),
			)
		);
	}

	private static function list_args(): array {
		$date = array(
			'type'              => 'string',
			'description'       => __( 'UTC, ISO-8601 without an offset (2026-11-26T10:15:00).', 'assist-client-area' ),
			'validate_callback' => static function ( $value, $request, $param ) {
				return null !== assist_parse_gmt( $value )
					? true
					: new WP_Error(
						'rest_invalid_date',
						/* translators: %s: a parameter's name (modified_after). */
						sprintf( __( '%s is not a real ISO-8601 date.', 'assist-client-area' ), $param )
					);
			},
		);
		return array(
			'modified_after'  => $date,
			'modified_before' => $date,
			'client'          => array(
				'type'    => 'integer',
				'minimum' => 1,
			),
			'page'            => array(
				'type'    => 'integer',
				'minimum' => 1,
				'default' => 1,
			),
			'per_page'        => array(
				'type'    => 'integer',
				'minimum' => 1,
				'maximum' => 100,
				'default' => 10,
			),
			'orderby'         => array(
				'type'    => 'string',
				'enum'    => array( 'id' ),
				'default' => 'id',
			),
			'order'           => array(
				'type'    => 'string',
				'enum'    => array( 'asc', 'desc' ),
				'default' => 'asc',
			),
		);
	}

	// ------------------------------------------------------------ permissions

	/** 401 for anonymous, 403 for a user without the capability. */
	private static function refuse( string $message = '' ): WP_Error {
		return new WP_Error( 'rest_forbidden', '' !== $message ? $message : __( 'Access denied.', 'assist-client-area' ), array( 'status' => rest_authorization_required_code() ) );
	}

	public static function can_sync() {
		return current_user_can( Assist_Schema::CAP_SYNC ) ? true : self::refuse();
	}

	public static function can_download( WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return self::refuse();
		}
		$row = Assist_Reports::get( (int) $request['id'] );
		if ( $row && Assist_Reports::can_download( $row ) ) {
			return true;
		}
		$privileged = current_user_can( Assist_Schema::CAP_SYNC ) || current_user_can( 'manage_options' );
		// Others learn nothing about which report ids exist.
		return $privileged ? new WP_Error( 'assist_unknown_report', __( 'Report not found.', 'assist-client-area' ), array( 'status' => 404 ) ) : self::refuse();
	}

	public static function can_decide( WP_REST_Request $request ) {
		if ( ! is_user_logged_in() ) {
			return self::refuse();
		}
		$ticket = Assist_Store::get_ticket( (int) $request['id'] );
		if ( $ticket && ! (int) $ticket['deleted'] && (int) $ticket['client_id'] === get_current_user_id() ) {
			return true;
		}
		return self::refuse( __( 'This ticket is not yours.', 'assist-client-area' ) );
	}

	// -------------------------------------------------------------- callbacks

	private static function filters( WP_REST_Request $request ): array {
		return array(
			'modified_after'  => isset( $request['modified_after'] ) ? assist_parse_gmt( $request['modified_after'] ) : null,
			'modified_before' => isset( $request['modified_before'] ) ? assist_parse_gmt( $request['modified_before'] ) : null,
			'client'          => isset( $request['client'] ) ? (int) $request['client'] : 0,
			'page'            => (int) $request['page'],
			'per_page'        => (int) $request['per_page'],
			'order'           => (string) $request['order'],
		);
	}

	private static function list_response( string $table, callable $to_json, WP_REST_Request $request ): WP_REST_Response {
		$filters         = self::filters( $request );
		list( $rows, $total ) = Assist_Store::page( $table, $filters );
		$response        = new WP_REST_Response( array_map( $to_json, $rows ), 200 );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) (int) ceil( $total / $filters['per_page'] ) );
		return $response;
	}

	public static function list_tickets( WP_REST_Request $request ): WP_REST_Response {
		return self::list_response( 'tickets', array( 'Assist_Store', 'ticket_json' ), $request );
	}

	public static function list_entries( WP_REST_Request $request ): WP_REST_Response {
		return self::list_response( 'time_entries', array( 'Assist_Store', 'entry_json' ), $request );
	}

	public static function accounts_batch( WP_REST_Request $request ) {
		$body = $request->get_json_params();
		if ( ! is_array( $body ) || ! isset( $body['accounts'] ) || ! is_array( $body['accounts'] ) || ! array_is_list( $body['accounts'] ) ) {
			return new WP_Error( 'rest_invalid_param', __( 'The body must be {"accounts": [...]}.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		if ( count( $body['accounts'] ) > Assist_Accounts::MAX_BATCH ) {
			return new WP_Error(
				'assist_too_many_items',
				/* translators: %d: the largest number of accounts in one batch. */
				sprintf( __( 'At most %d accounts per batch.', 'assist-client-area' ), Assist_Accounts::MAX_BATCH ),
				array( 'status' => 413 )
			);
		}
		return new WP_REST_Response( Assist_Accounts::store_batch( $body['accounts'] ), 200 );
	}

	public static function upload_report( WP_REST_Request $request ) {
		// Same checks and codes as core's POST /wp/v2/media where they overlap.
		$body = (string) $request->get_body();
		if ( '' === $body ) {
			return new WP_Error( 'rest_upload_no_data', __( 'No data received.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		if ( strlen( $body ) > Assist_Reports::MAX_BYTES ) {
			return new WP_Error( 'assist_too_large', __( 'The report is too large.', 'assist-client-area' ), array( 'status' => 413 ) );
		}
		$type = strtolower( trim( explode( ';', (string) $request->get_header( 'content_type' ) )[0] ) );
		if ( 'application/pdf' !== $type || strncmp( $body, '%PDF-', 5 ) !== 0 ) {
			return new WP_Error( 'assist_not_a_pdf', __( 'The report must be a PDF file.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$disp = (string) $request->get_header( 'content_disposition' );
		if ( ! preg_match( '/filename\*?=(?:UTF-8\'\')?"?([^";]+)"?/i', $disp, $m ) ) {
			return new WP_Error( 'rest_upload_no_content_disposition', __( 'The Content-Disposition header is missing.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$name      = sanitize_file_name( rawurldecode( $m[1] ) );
		$client_id = (int) $request['client_id'];
		if ( ! get_userdata( $client_id ) ) {
			return new WP_Error( 'assist_unknown_client', __( 'No WordPress user has this id.', 'assist-client-area' ), array( 'status' => 400 ) );
		}
		$stored = Assist_Reports::store(
			$client_id,
			(string) $request['lot_id'],
			sanitize_text_field( (string) $request['title'] ),
			$body,
			$name
		);
		if ( is_wp_error( $stored ) ) {
			return $stored;
		}
		list( $row, $created ) = $stored;
		return new WP_REST_Response( Assist_Reports::json( $row ), $created ? 201 : 200 );
	}

	public static function download( WP_REST_Request $request ) {
		$row  = Assist_Reports::get( (int) $request['id'] );
		$path = $row ? Assist_Reports::path( $row ) : '';
		if ( ! $row || ! is_readable( $path ) ) {
			return new WP_Error( 'assist_unknown_report', __( 'Report not found.', 'assist-client-area' ), array( 'status' => 404 ) );
		}
		self::$pending_download = array(
			'path' => $path,
			'name' => '' !== $row['original_name'] ? $row['original_name'] : 'rapport-' . (int) $row['id'] . '.pdf',
		);
		return new WP_REST_Response( array( 'id' => (int) $row['id'] ), 200 );
	}

	/** rest_pre_serve_request: stream the PDF instead of JSON for a granted download. */
	public static function serve_download( $served, $result, $request, $server ) {
		if ( $served || null === self::$pending_download || ! $result instanceof WP_HTTP_Response || 200 !== $result->get_status() ) {
			return $served;
		}
		if ( ! preg_match( '#^/' . preg_quote( self::NS, '#' ) . '/reports/\d+/download$#', $request->get_route() ) ) {
			return $served;
		}
		$file                   = self::$pending_download;
		self::$pending_download = null;
		header( 'Content-Type: application/pdf' );
		header( 'Content-Length: ' . filesize( $file['path'] ) );
		header( 'Content-Disposition: attachment; filename="' . str_replace( '"', '', $file['name'] ) . '"' );
		header( 'X-Content-Type-Options: nosniff' );
		header( 'Cache-Control: private, no-store' );
		if ( 'HEAD' !== $request->get_method() ) {
			readfile( $file['path'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		}
		return true;
	}

	public static function decide( WP_REST_Request $request ) {
		$row = Assist_Store::record_decision(
			(int) $request['id'],
			(string) $request['decision'],
			Assist_Client_Page::offered_rate( get_current_user_id(), (int) $request['id'] )
		);
		if ( is_wp_error( $row ) ) {
			return $row;
		}
		return new WP_REST_Response( Assist_Store::ticket_json( $row ), 200 );
	}
}
