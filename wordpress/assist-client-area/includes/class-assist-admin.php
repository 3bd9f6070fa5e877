<?php
/**
 * wp-admin screens "Assistance": tickets and time entries, for users with assist_log_time.
 *
 * Every change is a POST to admin-post.php checked with current_user_can() and
 * check_admin_referer(); the screens only render.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Admin menu, list and edit screens, form handlers. */
class Assist_Admin {

	const CAP = Assist_Schema::CAP_LOG_TIME;

	/** Result codes carried in the redirect (never free text). */
	private static function messages(): array {
		return array(
			'ticket_saved'             => __( 'Ticket saved.', 'assist-client-area' ),
			'ticket_deleted'           => __( 'Ticket deleted.', 'assist-client-area' ),
			'entry_saved'              => __( 'Time saved.', 'assist-client-area' ),
			'entry_deleted'            => __( 'Time entry deleted.', 'assist-client-area' ),
			'assist_unknown_client'    => __( 'Unknown client.', 'assist-client-area' ),
			'assist_invalid_title'     => __( 'The title is required.', 'assist-client-area' ),
			'assist_invalid_status'    => __( 'Unknown status.', 'assist-client-area' ),
			'assist_invalid_estimate'  => __( 'The estimate must be a whole number of minutes.', 'assist-client-area' ),
			'assist_unknown_ticket'    => __( 'Ticket not found.', 'assist-client-area' ),
			'assist_unknown_entry'     => __( 'Time entry not found.', 'assist-client-area' ),
			'assist_invalid_kind'      => __( 'Unknown kind of time.', 'assist-client-area' ),
			'assist_invalid_minutes'   => assist_minutes_error(),
			'assist_invalid_date'      => __( 'The date is not a real date (day, month, hour or minute out of range).', 'assist-client-area' ),
			'assist_date_out_of_range' => assist_date_range_error(),
			'assist_db_error'          => __( 'The change could not be saved.', 'assist-client-area' ),
		);
	}

	public static function init(): void {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'styles' ) );
		add_action( 'admin_post_assist_save_ticket', array( __CLASS__, 'save_ticket' ) );
		add_action( 'admin_post_assist_delete_ticket', array( __CLASS__, 'delete_ticket' ) );
		add_action( 'admin_post_assist_save_entry', array( __CLASS__, 'save_entry' ) );
		add_action( 'admin_post_assist_delete_entry', array( __CLASS__, 'delete_entry' ) );
	}

	/** Screen hooks of the plugin's pages (set by menu()). */
	private static array $hooks = array();

	public static function menu(): void {
		$menu          = _x( 'Assistance', 'admin menu', 'assist-client-area' );
		self::$hooks[] = add_menu_page( $menu, $menu, self::CAP, 'assist-tickets', array( __CLASS__, 'tickets_page' ), 'dashicons-clock', 58 );
		self::$hooks[] = add_submenu_page( 'assist-tickets', __( 'Tickets', 'assist-client-area' ), __( 'Tickets', 'assist-client-area' ), self::CAP, 'assist-tickets', array( __CLASS__, 'tickets_page' ) );
		self::$hooks[] = add_submenu_page( 'assist-tickets', __( 'Time spent', 'assist-client-area' ), __( 'Time spent', 'assist-client-area' ), self::CAP, 'assist-time', array( __CLASS__, 'time_page' ) );
	}

	/** The screens' own stylesheet (narrow screens: tables as labelled cards). */
	public static function styles( string $hook ): void {
		if ( in_array( $hook, self::$hooks, true ) ) {
			wp_enqueue_style( 'assist-client-area-admin', plugins_url( 'assets/admin.css', ASSIST_CA_FILE ), array(), ASSIST_CA_VERSION );
		}
	}

	// --------------------------------------------------------------- handlers

	/** Capability and nonce, or stop with 403. */
	private static function guard( string $nonce_action ): void {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'You are not allowed to log time.', 'assist-client-area' ), 403 );
		}
		check_admin_referer( $nonce_action );
	}

	private static function back( string $page, string $code, array $extra = array() ): void {
		$key = isset( self::messages()[ $code ] ) && ! str_starts_with( $code, 'assist_' ) ? 'assist_msg' : 'assist_error';
		wp_safe_redirect( add_query_arg( array_merge( array( 'page' => $page, $key => $code ), $extra ), admin_url( 'admin.php' ) ) );
		exit;
	}

	public static function save_ticket(): void {
		$id = isset( $_POST['ticket_id'] ) ? absint( $_POST['ticket_id'] ) : 0;
		self::guard( 'assist_save_ticket_' . $id );
		$fields = array(
			'client_id'        => isset( $_POST['client_id'] ) ? absint( $_POST['client_id'] ) : 0,
			'title'            => isset( $_POST['title'] ) ? sanitize_text_field( wp_unslash( $_POST['title'] ) ) : '',
			'status'           => isset( $_POST['status'] ) ? sanitize_key( wp_unslash( $_POST['status'] ) ) : 'open',
			'estimate_minutes' => isset( $_POST['estimate_minutes'] ) ? sanitize_text_field( wp_unslash( $_POST['estimate_minutes'] ) ) : '',
		);
		$result = $id ? Assist_Store::update_ticket( $id, $fields ) : Assist_Store::create_ticket( $fields );
		if ( is_wp_error( $result ) ) {
			self::back( 'assist-tickets', $result->get_error_code(), $id ? array( 'action' => 'edit', 'ticket' => $id ) : array( 'action' => 'new' ) );
		}
		self::back( 'assist-tickets', 'ticket_saved', array( 'saved' => $id ? $id : (int) $result ) );
	}

	public static function delete_ticket(): void {
		$id = isset( $_POST['ticket_id'] ) ? absint( $_POST['ticket_id'] ) : 0;
		self::guard( 'assist_delete_ticket_' . $id );
		self::back( 'assist-tickets', Assist_Store::delete_ticket( $id ) ? 'ticket_deleted' : 'assist_unknown_ticket' );
	}

	/**
	 * The form's "performed at" (the site's wall time, "2026-11-03T15:00") → UTC MySQL DATETIME,
	 * or '' when it is not a real date (2026-13-02T10:00 is refused, never turned into 1970).
	 */
	public static function form_date_to_gmt( string $local ): string {
		$moment = assist_read_date( $local, wp_timezone() );
		if ( null === $moment || str_contains( strtoupper( $local ), 'Z' ) || preg_match( '/[+-]\d{2}:?\d{2}$/', $local ) ) {
			return ''; // The form speaks the site's zone only.
		}
		return $moment->setTimezone( new DateTimeZone( 'UTC' ) )->format( 'Y-m-d H:i:s' );
	}

	public static function save_entry(): void {
		$id = isset( $_POST['entry_id'] ) ? absint( $_POST['entry_id'] ) : 0;
		self::guard( 'assist_save_entry_' . $id );
		$local  = isset( $_POST['performed_at'] ) ? sanitize_text_field( wp_unslash( $_POST['performed_at'] ) ) : '';
		$fields = array(
			'ticket_id'        => isset( $_POST['ticket_id'] ) ? absint( $_POST['ticket_id'] ) : 0,
			'kind'             => isset( $_POST['kind'] ) ? sanitize_key( wp_unslash( $_POST['kind'] ) ) : '',
			'minutes'          => isset( $_POST['minutes'] ) ? sanitize_text_field( wp_unslash( $_POST['minutes'] ) ) : '',
			'performed_at_gmt' => self::form_date_to_gmt( $local ),
			'note'             => isset( $_POST['note'] ) ? sanitize_textarea_field( wp_unslash( $_POST['note'] ) ) : '',
		);
		$result = $id ? Assist_Store::update_entry( $id, $fields ) : Assist_Store::create_entry( $fields, get_current_user_id() );
		if ( is_wp_error( $result ) ) {
			$extra = $id ? array( 'action' => 'edit', 'entry' => $id ) : array( 'action' => 'new', 'ticket' => $fields['ticket_id'] );
			self::back( 'assist-time', $result->get_error_code(), $extra );
		}
		self::back( 'assist-time', 'entry_saved', array( 'saved' => $id ? $id : (int) $result, 'ticket' => $fields['ticket_id'] ) );
	}

	public static function delete_entry(): void {
		$id = isset( $_POST['entry_id'] ) ? absint( $_POST['entry_id'] ) : 0;
		self::guard( 'assist_delete_entry_' . $id );
		self::back( 'assist-time', Assist_Store::delete_entry( $id ) ? 'entry_deleted' : 'assist_unknown_entry' );
	}

	// ---------------------------------------------------------------- screens

	private static function notices(): void {
		foreach ( array( 'assist_msg' => 'notice-success', 'assist_error' => 'notice-error' ) as $key => $class ) {
			$code = isset( $_GET[ $key ] ) ? sanitize_key( wp_unslash( $_GET[ $key ] ) ) : '';
			if ( '' !== $code ) {
				$text = self::messages()[ $code ] ?? __( 'Something went wrong.', 'assist-client-area' );
				printf( '<div class="notice %s"><p>%s</p></div>', esc_attr( $class ), esc_html( $text ) );
			}
		}
	}

	private static function client_label( int $user_id ): string {
		$user = get_userdata( $user_id );
		/* translators: %d: a user id. */
		return $user ? sprintf( '%s <%s>', $user->display_name, $user->user_email ) : sprintf( __( 'User #%d', 'assist-client-area' ), $user_id );
	}

	/** "#12 – Title": how a ticket is named in lists and choices. */
	private static function ticket_label( array $ticket ): string {
		/* translators: 1: ticket number, 2: ticket title. */
		return sprintf( __( '#%1$d – %2$s', 'assist-client-area' ), (int) $ticket['id'], $ticket['title'] );
	}

	private static function action_form( string $action, string $field, int $id, string $label, string $confirm ): void {
		printf( '<form method="post" action="%s" class="assist-inline-form">', esc_url( admin_url( 'admin-post.php' ) ) );
		printf( '<input type="hidden" name="action" value="%s"><input type="hidden" name="%s" value="%d">', esc_attr( $action ), esc_attr( $field ), (int) $id );
		wp_nonce_field( $action . '_' . $id );
		printf( '<button type="submit" class="button-link button-link-delete" onclick="return confirm(%s)">%s</button></form>', esc_attr( wp_json_encode( $confirm ) ), esc_html( $label ) );
	}

	/** Opening of a list table whose cells are labelled for narrow screens (assets/admin.css). */
	private static function table_head( array $columns ): void {
		echo '<table class="widefat striped assist-admin-table"><thead><tr>';
		foreach ( $columns as $label ) {
			printf( '<th scope="col">%s</th>', esc_html( $label ) );
		}
		echo '</tr></thead><tbody>';
	}

	/** One cell: its column's name as data-colname (shown before the value on narrow screens). */
	private static function cell( string $column, string $html ): void {
		printf( '<td data-colname="%s">%s</td>', esc_attr( $column ), $html ); // phpcs:ignore WordPress.Security.EscapeOutput -- callers escape.
	}

	public static function tickets_page(): void {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Access denied.', 'assist-client-area' ), 403 );
		}
		$action = isset( $_GET['action'] ) ? sanitize_key( wp_unslash( $_GET['action'] ) ) : '';
		echo '<div class="wrap assist-admin">';
		if ( 'new' === $action || 'edit' === $action ) {
			$id     = isset( $_GET['ticket'] ) ? absint( $_GET['ticket'] ) : 0;
			$ticket = 'edit' === $action ? Assist_Store::get_ticket( $id ) : null;
			if ( 'edit' === $action && ( ! $ticket || (int) $ticket['deleted'] ) ) {
				printf( '<h1>%s</h1></div>', esc_html__( 'Ticket not found', 'assist-client-area' ) );
				return;
			}
			self::ticket_form( $ticket );
			echo '</div>';
			return;
		}
		printf(
			'<h1 class="wp-heading-inline">%s</h1> <a class="page-title-action" href="%s">%s</a><hr class="wp-header-end">',
			esc_html__( 'Tickets', 'assist-client-area' ),
			esc_url( admin_url( 'admin.php?page=assist-tickets&action=new' ) ),
			esc_html__( 'Add a ticket', 'assist-client-area' )
		);
		self::notices();
		$tickets = Assist_Store::live_tickets( 0, 500 );
		$spent   = self::minutes_by_ticket();
		$columns = array(
			'id'       => _x( 'No.', 'ticket number', 'assist-client-area' ),
			'client'   => __( 'Client', 'assist-client-area' ),
			'title'    => __( 'Title', 'assist-client-area' ),
			'status'   => __( 'Status', 'assist-client-area' ),
			'estimate' => __( 'Estimate', 'assist-client-area' ),
			'spent'    => __( 'Time spent', 'assist-client-area' ),
			'decision' => __( 'Client\'s choice', 'assist-client-area' ),
			'actions'  => __( 'Actions', 'assist-client-area' ),
		);
		self::table_head( $columns );
		if ( ! $tickets ) {
			printf( '<tr><td colspan="8">%s</td></tr>', esc_html__( 'No tickets.', 'assist-client-area' ) );
		}
		foreach ( $tickets as $t ) {
			$id = (int) $t['id'];
			echo '<tr>';
			self::cell( $columns['id'], (string) $id );
			self::cell( $columns['client'], esc_html( self::client_label( (int) $t['client_id'] ) ) );
			self::cell( $columns['title'], sprintf( '<a href="%s">%s</a>', esc_url( admin_url( 'admin.php?page=assist-tickets&action=edit&ticket=' . $id ) ), esc_html( $t['title'] ) ) );
			self::cell( $columns['status'], esc_html( assist_statuses()[ $t['status'] ] ?? $t['status'] ) );
			self::cell( $columns['estimate'], null === $t['estimate_minutes'] ? '—' : esc_html( assist_format_minutes( (int) $t['estimate_minutes'] ) ) );
			self::cell( $columns['spent'], esc_html( assist_format_minutes( $spent[ $id ] ?? 0 ) ) );
			self::cell( $columns['decision'], $t['decision'] ? esc_html( assist_decisions()[ $t['decision'] ] ?? $t['decision'] ) : '—' );
			ob_start();
			printf( '<a href="%s">%s</a> | ', esc_url( admin_url( 'admin.php?page=assist-time&action=new&ticket=' . $id ) ), esc_html__( 'Log time', 'assist-client-area' ) );
			printf( '<a href="%s">%s</a> | ', esc_url( admin_url( 'admin.php?page=assist-time&ticket=' . $id ) ), esc_html__( 'View time', 'assist-client-area' ) );
			self::action_form( 'assist_delete_ticket', 'ticket_id', $id, __( 'Delete', 'assist-client-area' ), __( 'Delete this ticket and its time?', 'assist-client-area' ) );
			self::cell( $columns['actions'], (string) ob_get_clean() );
			echo '</tr>';
		}
		echo '</tbody></table></div>';
	}

	private static function minutes_by_ticket(): array {
		global $wpdb;
		$table = Assist_Schema::table( 'time_entries' );
		$rows  = $wpdb->get_results( "SELECT ticket_id, SUM(minutes) AS m FROM {$table} WHERE deleted = 0 GROUP BY ticket_id", ARRAY_A );
		$out   = array();
		foreach ( $rows as $r ) {
			$out[ (int) $r['ticket_id'] ] = (int) $r['m'];
		}
		return $out;
	}

	private static function ticket_form( ?array $ticket ): void {
		$id = $ticket ? (int) $ticket['id'] : 0;
		/* translators: %d: ticket number. */
		printf( '<h1>%s</h1>', esc_html( $id ? sprintf( __( 'Edit ticket #%d', 'assist-client-area' ), $id ) : __( 'New ticket', 'assist-client-area' ) ) );
		self::notices();
		printf( '<form method="post" action="%s">', esc_url( admin_url( 'admin-post.php' ) ) );
		echo '<input type="hidden" name="action" value="assist_save_ticket">';
		printf( '<input type="hidden" name="ticket_id" value="%d">', $id );
		wp_nonce_field( 'assist_save_ticket_' . $id );
		echo '<table class="form-table"><tbody>';
		printf(
			'<tr><th><label for="assist-client">%s</label></th><td><select id="assist-client" name="client_id" required><option value="">%s</option>',
			esc_html__( 'Client', 'assist-client-area' ),
			esc_html__( '— Choose —', 'assist-client-area' )
		);
		$users = get_users(
			array(
				'number'  => 1000,
				'orderby' => 'display_name',
				'fields'  => array( 'ID', 'display_name', 'user_email' ),
			)
		);
		foreach ( $users as $u ) {
			printf(
				'<option value="%d"%s>%s</option>',
				(int) $u->ID,
				selected( $ticket ? (int) $ticket['client_id'] : 0, (int) $u->ID, false ),
				esc_html( sprintf( '%s <%s>', $u->display_name, $u->user_email ) )
			);
		}
		echo '</select></td></tr>';
		printf(
			'<tr><th><label for="assist-title">%s</label></th><td><input id="assist-title" class="regular-text" name="title" required maxlength="255" value="%s"></td></tr>',
			esc_html__( 'Title', 'assist-client-area' ),
			esc_attr( $ticket['title'] ?? '' )
		);
		printf( '<tr><th><label for="assist-status">%s</label></th><td><select id="assist-status" name="status">', esc_html__( 'Status', 'assist-client-area' ) );
		foreach ( assist_statuses() as $key => $label ) {
			printf( '<option value="%s"%s>%s</option>', esc_attr( $key ), selected( $ticket['status'] ?? 'open', $key, false ), esc_html( $label ) );
		}
		echo '</select></td></tr>';
		printf(
			'<tr><th><label for="assist-estimate">%s</label></th><td><input id="assist-estimate" type="number" min="0" step="1" name="estimate_minutes" value="%s"><p class="description">%s</p></td></tr>',
			esc_html__( 'Estimate (minutes)', 'assist-client-area' ),
			esc_attr( isset( $ticket['estimate_minutes'] ) ? (string) $ticket['estimate_minutes'] : '' ),
			esc_html__( 'Leave empty when there is no estimate.', 'assist-client-area' )
		);
		echo '</tbody></table>';
		submit_button( $id ? __( 'Save the ticket', 'assist-client-area' ) : __( 'Create the ticket', 'assist-client-area' ) );
		echo '</form>';
	}

	public static function time_page(): void {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Access denied.', 'assist-client-area' ), 403 );
		}
		$action    = isset( $_GET['action'] ) ? sanitize_key( wp_unslash( $_GET['action'] ) ) : '';
		$ticket_id = isset( $_GET['ticket'] ) ? absint( $_GET['ticket'] ) : 0;
		echo '<div class="wrap assist-admin">';
		if ( 'new' === $action || 'edit' === $action ) {
			$id    = isset( $_GET['entry'] ) ? absint( $_GET['entry'] ) : 0;
			$entry = 'edit' === $action ? Assist_Store::get_entry( $id ) : null;
			if ( 'edit' === $action && ( ! $entry || (int) $entry['deleted'] ) ) {
				printf( '<h1>%s</h1></div>', esc_html__( 'Time entry not found', 'assist-client-area' ) );
				return;
			}
			self::entry_form( $entry, $ticket_id );
			echo '</div>';
			return;
		}
		printf(
			'<h1 class="wp-heading-inline">%s</h1> <a class="page-title-action" href="%s">%s</a><hr class="wp-header-end">',
			esc_html__( 'Time spent', 'assist-client-area' ),
			esc_url( admin_url( 'admin.php?page=assist-time&action=new' . ( $ticket_id ? '&ticket=' . $ticket_id : '' ) ) ),
			esc_html__( 'Log time', 'assist-client-area' )
		);
		self::notices();
		$entries = Assist_Store::live_entries( $ticket_id, 500 );
		$columns = array(
			'id'        => _x( 'No.', 'time entry number', 'assist-client-area' ),
			'ticket'    => __( 'Ticket', 'assist-client-area' ),
			'kind'      => __( 'Kind', 'assist-client-area' ),
			'minutes'   => __( 'Duration', 'assist-client-area' ),
			'performed' => __( 'Performed on', 'assist-client-area' ),
			'note'      => __( 'Note', 'assist-client-area' ),
			'author'    => __( 'Author', 'assist-client-area' ),
			'actions'   => __( 'Actions', 'assist-client-area' ),
		);
		self::table_head( $columns );
		if ( ! $entries ) {
			printf( '<tr><td colspan="8">%s</td></tr>', esc_html__( 'No time entries.', 'assist-client-area' ) );
		}
		foreach ( $entries as $e ) {
			$id     = (int) $e['id'];
			$ticket = Assist_Store::get_ticket( (int) $e['ticket_id'] );
			$author = get_userdata( (int) $e['author_id'] );
			echo '<tr>';
			self::cell( $columns['id'], (string) $id );
			self::cell( $columns['ticket'], esc_html( $ticket ? self::ticket_label( $ticket ) : '—' ) );
			self::cell( $columns['kind'], esc_html( assist_kinds()[ $e['kind'] ] ?? $e['kind'] ) );
			self::cell( $columns['minutes'], esc_html( assist_format_minutes( (int) $e['minutes'] ) ) );
			self::cell( $columns['performed'], esc_html( assist_local_datetime( $e['performed_at_gmt'] ) ) );
			self::cell( $columns['note'], esc_html( $e['note'] ) );
			self::cell( $columns['author'], esc_html( $author ? $author->display_name : '—' ) );
			ob_start();
			printf( '<a href="%s">%s</a> | ', esc_url( admin_url( 'admin.php?page=assist-time&action=edit&entry=' . $id ) ), esc_html__( 'Edit', 'assist-client-area' ) );
			self::action_form( 'assist_delete_entry', 'entry_id', $id, __( 'Delete', 'assist-client-area' ), __( 'Delete this time entry?', 'assist-client-area' ) );
			self::cell( $columns['actions'], (string) ob_get_clean() );
			echo '</tr>';
		}
		echo '</tbody></table></div>';
	}

	private static function entry_form( ?array $entry, int $ticket_id ): void {
		$id       = $entry ? (int) $entry['id'] : 0;
		$selected = $entry ? (int) $entry['ticket_id'] : $ticket_id;
		$local    = $entry ? assist_local_date( $entry['performed_at_gmt'], 'Y-m-d\TH:i' ) : current_time( 'Y-m-d\TH:i' );
		list( $earliest, $latest ) = assist_entry_date_range();
		/* translators: %d: time entry number. */
		printf( '<h1>%s</h1>', esc_html( $id ? sprintf( __( 'Edit time entry #%d', 'assist-client-area' ), $id ) : __( 'Log time', 'assist-client-area' ) ) );
		self::notices();
		printf( '<form method="post" action="%s">', esc_url( admin_url( 'admin-post.php' ) ) );
		echo '<input type="hidden" name="action" value="assist_save_entry">';
		printf( '<input type="hidden" name="entry_id" value="%d">', $id );
		wp_nonce_field( 'assist_save_entry_' . $id );
		echo '<table class="form-table"><tbody>';
		printf(
			'<tr><th><label for="assist-ticket">%s</label></th><td><select id="assist-ticket" name="ticket_id" required><option value="">%s</option>',
			esc_html__( 'Ticket', 'assist-client-area' ),
			esc_html__( '— Choose —', 'assist-client-area' )
		);
		foreach ( Assist_Store::live_tickets( 0, 500 ) as $t ) {
			printf(
				'<option value="%d"%s>%s</option>',
				(int) $t['id'],
				selected( $selected, (int) $t['id'], false ),
				/* translators: 1: a ticket ("#12 – Title"), 2: its client. */
				esc_html( sprintf( __( '%1$s (%2$s)', 'assist-client-area' ), self::ticket_label( $t ), self::client_label( (int) $t['client_id'] ) ) )
			);
		}
		echo '</select></td></tr>';
		printf( '<tr><th><label for="assist-kind">%s</label></th><td><select id="assist-kind" name="kind">', esc_html__( 'Kind', 'assist-client-area' ) );
		foreach ( array_keys( assist_kinds() ) as $key ) {
			printf( '<option value="%s"%s>%s</option>', esc_attr( $key ), selected( $entry['kind'] ?? 'production', $key, false ), esc_html( assist_kind_label( $key ) ) );
		}
		echo '</select></td></tr>';
		printf(
			'<tr><th><label for="assist-minutes">%s</label></th><td><input id="assist-minutes" type="number" min="1" max="%d" step="1" required name="minutes" value="%s"></td></tr>',
			esc_html__( 'Duration (minutes)', 'assist-client-area' ),
			(int) Assist_Store::MAX_MINUTES,
			esc_attr( isset( $entry['minutes'] ) ? (string) $entry['minutes'] : '' )
		);
		printf(
			'<tr><th><label for="assist-performed">%s</label></th><td><input id="assist-performed" type="datetime-local" required name="performed_at" value="%s" min="%s" max="%s"><p class="description">%s</p></td></tr>',
			esc_html__( 'Performed on', 'assist-client-area' ),
			esc_attr( $local ),
			esc_attr( assist_local_date( $earliest, 'Y-m-d\TH:i' ) ),
			esc_attr( assist_local_date( $latest, 'Y-m-d\TH:i' ) ),
			/* translators: %s: the site's time zone ("Europe/Paris"). */
			esc_html( sprintf( __( 'Site time (%s).', 'assist-client-area' ), wp_timezone_string() ) )
		);
		printf(
			'<tr><th><label for="assist-note">%s</label></th><td><textarea id="assist-note" class="large-text" rows="3" name="note">%s</textarea></td></tr>',
			esc_html__( 'Note', 'assist-client-area' ),
			esc_textarea( $entry['note'] ?? '' )
		);
		echo '</tbody></table>';
		submit_button( $id ? __( 'Save the time entry', 'assist-client-area' ) : __( 'Save the time', 'assist-client-area' ) );
		echo '</form>';
	}
}
