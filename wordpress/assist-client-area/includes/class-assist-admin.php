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
			'ticket_saved'            => 'Ticket enregistré.',
			'ticket_deleted'          => 'Ticket supprimé.',
			'entry_saved'             => 'Temps enregistré.',
			'entry_deleted'           => 'Saisie supprimée.',
			'assist_unknown_client'   => 'Client inconnu.',
			'assist_invalid_title'    => 'Le titre est obligatoire.',
			'assist_invalid_status'   => 'Statut inconnu.',
			'assist_invalid_estimate' => 'L\'estimation doit être un nombre entier de minutes.',
			'assist_unknown_ticket'   => 'Ticket introuvable.',
			'assist_unknown_entry'    => 'Saisie introuvable.',
			'assist_invalid_kind'     => 'Type de temps inconnu.',
			'assist_invalid_minutes'  => 'La durée doit être un nombre entier de minutes (au moins 1).',
			'assist_invalid_date'     => 'Date de réalisation invalide.',
			'assist_db_error'         => 'Enregistrement impossible.',
		);
	}

	public static function init(): void {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_post_assist_save_ticket', array( __CLASS__, 'save_ticket' ) );
		add_action( 'admin_post_assist_delete_ticket', array( __CLASS__, 'delete_ticket' ) );
		add_action( 'admin_post_assist_save_entry', array( __CLASS__, 'save_entry' ) );
		add_action( 'admin_post_assist_delete_entry', array( __CLASS__, 'delete_entry' ) );
	}

	public static function menu(): void {
		add_menu_page( 'Assistance', 'Assistance', self::CAP, 'assist-tickets', array( __CLASS__, 'tickets_page' ), 'dashicons-clock', 58 );
		add_submenu_page( 'assist-tickets', 'Tickets', 'Tickets', self::CAP, 'assist-tickets', array( __CLASS__, 'tickets_page' ) );
		add_submenu_page( 'assist-tickets', 'Temps passé', 'Temps passé', self::CAP, 'assist-time', array( __CLASS__, 'time_page' ) );
	}

	// --------------------------------------------------------------- handlers

	/** Capability and nonce, or stop with 403. */
	private static function guard( string $nonce_action ): void {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Vous n\'avez pas le droit de saisir du temps.', 'assist-client-area' ), 403 );
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

	public static function save_entry(): void {
		$id = isset( $_POST['entry_id'] ) ? absint( $_POST['entry_id'] ) : 0;
		self::guard( 'assist_save_entry_' . $id );
		$local = isset( $_POST['performed_at'] ) ? sanitize_text_field( wp_unslash( $_POST['performed_at'] ) ) : '';
		$gmt   = '';
		if ( preg_match( '/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/', $local, $m ) ) {
			// The form speaks the site's time zone; the table stores UTC.
			$gmt = get_gmt_from_date( $m[1] . ' ' . $m[2] . ( isset( $m[3] ) && '' !== $m[3] ? $m[3] : ':00' ) );
		}
		$fields = array(
			'ticket_id'        => isset( $_POST['ticket_id'] ) ? absint( $_POST['ticket_id'] ) : 0,
			'kind'             => isset( $_POST['kind'] ) ? sanitize_key( wp_unslash( $_POST['kind'] ) ) : '',
			'minutes'          => isset( $_POST['minutes'] ) ? sanitize_text_field( wp_unslash( $_POST['minutes'] ) ) : '',
			'performed_at_gmt' => $gmt,
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
				$text = self::messages()[ $code ] ?? 'Une erreur est survenue.';
				printf( '<div class="notice %s"><p>%s</p></div>', esc_attr( $class ), esc_html( $text ) );
			}
		}
	}

	private static function client_label( int $user_id ): string {
		$user = get_userdata( $user_id );
		return $user ? sprintf( '%s <%s>', $user->display_name, $user->user_email ) : sprintf( 'Utilisateur #%d', $user_id );
	}

	private static function action_form( string $action, string $field, int $id, string $label, string $confirm ): void {
		printf( '<form method="post" action="%s" style="display:inline">', esc_url( admin_url( 'admin-post.php' ) ) );
		printf( '<input type="hidden" name="action" value="%s"><input type="hidden" name="%s" value="%d">', esc_attr( $action ), esc_attr( $field ), (int) $id );
		wp_nonce_field( $action . '_' . $id );
		printf( '<button type="submit" class="button-link button-link-delete" onclick="return confirm(%s)">%s</button></form>', esc_attr( wp_json_encode( $confirm ) ), esc_html( $label ) );
	}

	public static function tickets_page(): void {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Accès refusé.', 'assist-client-area' ), 403 );
		}
		$action = isset( $_GET['action'] ) ? sanitize_key( wp_unslash( $_GET['action'] ) ) : '';
		echo '<div class="wrap">';
		if ( 'new' === $action || 'edit' === $action ) {
			$id     = isset( $_GET['ticket'] ) ? absint( $_GET['ticket'] ) : 0;
			$ticket = 'edit' === $action ? Assist_Store::get_ticket( $id ) : null;
			if ( 'edit' === $action && ( ! $ticket || (int) $ticket['deleted'] ) ) {
				echo '<h1>Ticket introuvable</h1></div>';
				return;
			}
			self::ticket_form( $ticket );
			echo '</div>';
			return;
		}
		printf(
			'<h1 class="wp-heading-inline">Tickets</h1> <a class="page-title-action" href="%s">Ajouter un ticket</a><hr class="wp-header-end">',
			esc_url( admin_url( 'admin.php?page=assist-tickets&action=new' ) )
		);
		self::notices();
		$tickets = Assist_Store::live_tickets( 0, 500 );
		$spent   = self::minutes_by_ticket();
		echo '<table class="widefat striped"><thead><tr><th>N°</th><th>Client</th><th>Titre</th><th>Statut</th><th>Estimation</th><th>Temps passé</th><th>Choix du client</th><th>Actions</th></tr></thead><tbody>';
		if ( ! $tickets ) {
			echo '<tr><td colspan="8">Aucun ticket.</td></tr>';
		}
		foreach ( $tickets as $t ) {
			$id = (int) $t['id'];
			echo '<tr>';
			printf( '<td>%d</td>', $id );
			printf( '<td>%s</td>', esc_html( self::client_label( (int) $t['client_id'] ) ) );
			printf( '<td><a href="%s">%s</a></td>', esc_url( admin_url( 'admin.php?page=assist-tickets&action=edit&ticket=' . $id ) ), esc_html( $t['title'] ) );
			printf( '<td>%s</td>', esc_html( assist_statuses()[ $t['status'] ] ?? $t['status'] ) );
			printf( '<td>%s</td>', null === $t['estimate_minutes'] ? '—' : esc_html( assist_format_minutes( (int) $t['estimate_minutes'] ) ) );
			printf( '<td>%s</td>', esc_html( assist_format_minutes( $spent[ $id ] ?? 0 ) ) );
			printf( '<td>%s</td>', $t['decision'] ? esc_html( assist_decisions()[ $t['decision'] ] ?? $t['decision'] ) : '—' );
			echo '<td>';
			printf( '<a href="%s">Saisir du temps</a> | ', esc_url( admin_url( 'admin.php?page=assist-time&action=new&ticket=' . $id ) ) );
			printf( '<a href="%s">Voir le temps</a> | ', esc_url( admin_url( 'admin.php?page=assist-time&ticket=' . $id ) ) );
			self::action_form( 'assist_delete_ticket', 'ticket_id', $id, 'Supprimer', 'Supprimer ce ticket et son temps ?' );
			echo '</td></tr>';
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
		echo '<h1>' . ( $id ? esc_html( sprintf( 'Modifier le ticket n° %d', $id ) ) : 'Nouveau ticket' ) . '</h1>';
		self::notices();
		printf( '<form method="post" action="%s">', esc_url( admin_url( 'admin-post.php' ) ) );
		echo '<input type="hidden" name="action" value="assist_save_ticket">';
		printf( '<input type="hidden" name="ticket_id" value="%d">', $id );
		wp_nonce_field( 'assist_save_ticket_' . $id );
		echo '<table class="form-table"><tbody>';
		echo '<tr><th><label for="assist-client">Client</label></th><td><select id="assist-client" name="client_id" required><option value="">— Choisir —</option>';
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
		printf( '<tr><th><label for="assist-title">Titre</label></th><td><input id="assist-title" class="regular-text" name="title" required maxlength="255" value="%s"></td></tr>', esc_attr( $ticket['title'] ?? '' ) );
		echo '<tr><th><label for="assist-status">Statut</label></th><td><select id="assist-status" name="status">';
		foreach ( assist_statuses() as $key => $label ) {
			printf( '<option value="%s"%s>%s</option>', esc_attr( $key ), selected( $ticket['status'] ?? 'open', $key, false ), esc_html( $label ) );
		}
		echo '</select></td></tr>';
		printf(
			'<tr><th><label for="assist-estimate">Estimation (minutes)</label></th><td><input id="assist-estimate" type="number" min="0" step="1" name="estimate_minutes" value="%s"><p class="description">Laisser vide si aucune estimation.</p></td></tr>',
			esc_attr( isset( $ticket['estimate_minutes'] ) ? (string) $ticket['estimate_minutes'] : '' )
		);
		echo '</tbody></table>';
		submit_button( $id ? 'Enregistrer le ticket' : 'Créer le ticket' );
		echo '</form>';
	}

	public static function time_page(): void {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Accès refusé.', 'assist-client-area' ), 403 );
		}
		$action    = isset( $_GET['action'] ) ? sanitize_key( wp_unslash( $_GET['action'] ) ) : '';
		$ticket_id = isset( $_GET['ticket'] ) ? absint( $_GET['ticket'] ) : 0;
		echo '<div class="wrap">';
		if ( 'new' === $action || 'edit' === $action ) {
			$id    = isset( $_GET['entry'] ) ? absint( $_GET['entry'] ) : 0;
			$entry = 'edit' === $action ? Assist_Store::get_entry( $id ) : null;
			if ( 'edit' === $action && ( ! $entry || (int) $entry['deleted'] ) ) {
				echo '<h1>Saisie introuvable</h1></div>';
				return;
			}
			self::entry_form( $entry, $ticket_id );
			echo '</div>';
			return;
		}
		printf(
			'<h1 class="wp-heading-inline">Temps passé</h1> <a class="page-title-action" href="%s">Saisir du temps</a><hr class="wp-header-end">',
			esc_url( admin_url( 'admin.php?page=assist-time&action=new' . ( $ticket_id ? '&ticket=' . $ticket_id : '' ) ) )
		);
		self::notices();
		$entries = Assist_Store::live_entries( $ticket_id, 500 );
		echo '<table class="widefat striped"><thead><tr><th>N°</th><th>Ticket</th><th>Type</th><th>Durée</th><th>Réalisé le</th><th>Note</th><th>Auteur</th><th>Actions</th></tr></thead><tbody>';
		if ( ! $entries ) {
			echo '<tr><td colspan="8">Aucune saisie.</td></tr>';
		}
		foreach ( $entries as $e ) {
			$id     = (int) $e['id'];
			$ticket = Assist_Store::get_ticket( (int) $e['ticket_id'] );
			$author = get_userdata( (int) $e['author_id'] );
			echo '<tr>';
			printf( '<td>%d</td>', $id );
			printf( '<td>%s</td>', esc_html( $ticket ? sprintf( 'n° %d – %s', (int) $ticket['id'], $ticket['title'] ) : '—' ) );
			printf( '<td>%s</td>', esc_html( assist_kinds()[ $e['kind'] ] ?? $e['kind'] ) );
			printf( '<td>%s</td>', esc_html( assist_format_minutes( (int) $e['minutes'] ) ) );
			printf( '<td>%s</td>', esc_html( assist_local_date( $e['performed_at_gmt'], 'd/m/Y H:i' ) ) );
			printf( '<td>%s</td>', esc_html( $e['note'] ) );
			printf( '<td>%s</td>', esc_html( $author ? $author->display_name : '—' ) );
			echo '<td>';
			printf( '<a href="%s">Modifier</a> | ', esc_url( admin_url( 'admin.php?page=assist-time&action=edit&entry=' . $id ) ) );
			self::action_form( 'assist_delete_entry', 'entry_id', $id, 'Supprimer', 'Supprimer cette saisie ?' );
			echo '</td></tr>';
		}
		echo '</tbody></table></div>';
	}

	private static function entry_form( ?array $entry, int $ticket_id ): void {
		$id       = $entry ? (int) $entry['id'] : 0;
		$selected = $entry ? (int) $entry['ticket_id'] : $ticket_id;
		$local    = $entry ? assist_local_date( $entry['performed_at_gmt'], 'Y-m-d\TH:i' ) : current_time( 'Y-m-d\TH:i' );
		echo '<h1>' . ( $id ? esc_html( sprintf( 'Modifier la saisie n° %d', $id ) ) : 'Saisir du temps' ) . '</h1>';
		self::notices();
		printf( '<form method="post" action="%s">', esc_url( admin_url( 'admin-post.php' ) ) );
		echo '<input type="hidden" name="action" value="assist_save_entry">';
		printf( '<input type="hidden" name="entry_id" value="%d">', $id );
		wp_nonce_field( 'assist_save_entry_' . $id );
		echo '<table class="form-table"><tbody>';
		echo '<tr><th><label for="assist-ticket">Ticket</label></th><td><select id="assist-ticket" name="ticket_id" required><option value="">— Choisir —</option>';
		foreach ( Assist_Store::live_tickets( 0, 500 ) as $t ) {
			printf(
				'<option value="%d"%s>%s</option>',
				(int) $t['id'],
				selected( $selected, (int) $t['id'], false ),
				esc_html( sprintf( 'n° %d – %s (%s)', (int) $t['id'], $t['title'], self::client_label( (int) $t['client_id'] ) ) )
			);
		}
		echo '</select></td></tr>';
		echo '<tr><th><label for="assist-kind">Type</label></th><td><select id="assist-kind" name="kind">';
		foreach ( assist_kinds() as $key => $label ) {
			printf( '<option value="%s"%s>%s</option>', esc_attr( $key ), selected( $entry['kind'] ?? 'production', $key, false ), esc_html( $label . ( 'exchange' === $key ? ' (non déduit)' : '' ) ) );
		}
		echo '</select></td></tr>';
		printf( '<tr><th><label for="assist-minutes">Durée (minutes)</label></th><td><input id="assist-minutes" type="number" min="1" step="1" required name="minutes" value="%s"></td></tr>', esc_attr( isset( $entry['minutes'] ) ? (string) $entry['minutes'] : '' ) );
		printf(
			'<tr><th><label for="assist-performed">Réalisé le</label></th><td><input id="assist-performed" type="datetime-local" required name="performed_at" value="%s"><p class="description">Heure du site (%s).</p></td></tr>',
			esc_attr( $local ),
			esc_html( wp_timezone_string() )
		);
		printf( '<tr><th><label for="assist-note">Note</label></th><td><textarea id="assist-note" class="large-text" rows="3" name="note">%s</textarea></td></tr>', esc_textarea( $entry['note'] ?? '' ) );
		echo '</tbody></table>';
		submit_button( $id ? 'Enregistrer la saisie' : 'Enregistrer le temps' );
		echo '</form>';
	}
}
