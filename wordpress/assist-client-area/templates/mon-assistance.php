<?php
/**
 * Template of the page "My assistance". A theme may override it with
 * assist-client-area/mon-assistance.php. Every value is escaped here.
 *
 * @var array $view logged_in, login_url; when logged in: user, account (payload|null),
 *                  reports (rows), tickets (live rows by id), notice.
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

// The payload comes from the daemon: read it defensively, a wrong type falls back to the default.
$assist_get = static function ( $data, string $key, $default = null ) {
	if ( ! is_array( $data ) || ! array_key_exists( $key, $data ) || null === $data[ $key ] ) {
		return $default;
	}
	$value = $data[ $key ];
	if ( null !== $default && ( is_array( $default ) !== is_array( $value ) ) ) {
		return $default;
	}
	return is_array( $value ) || is_scalar( $value ) ? $value : $default;
};
// "Request #12 “Title”": how the page names a ticket.
$assist_ticket_name = static function ( array $ticket ): string {
	/* translators: 1: ticket number, 2: ticket title. */
	return sprintf( __( 'Request #%1$d “%2$s”', 'assist-client-area' ), (int) $ticket['id'], $ticket['title'] );
};
?>
<div class="assist-mon-assistance assist-ca">
<?php if ( ! $view['logged_in'] ) : ?>
	<div class="assist-login assist-card">
		<p class="assist-text"><?php esc_html_e( 'Log in to see your assistance time, your packs and your intervention reports.', 'assist-client-area' ); ?></p>
		<p class="assist-text"><a class="assist-button assist-button-primary" href="<?php echo esc_url( $view['login_url'] ); ?>"><?php esc_html_e( 'Log in', 'assist-client-area' ); ?></a></p>
	</div>
<?php else : ?>
	<?php
	$assist_account = $view['account'];
	if ( 'bill' === $view['notice'] ) :
		?>
		<p class="assist-text assist-notice" role="status"><?php esc_html_e( 'Your choice is saved: the extra time will be billed at the pack\'s hourly rate.', 'assist-client-area' ); ?></p>
	<?php elseif ( 'buy_pack' === $view['notice'] ) : ?>
		<p class="assist-text assist-notice" role="status"><?php esc_html_e( 'Your choice is saved: the extra time will be taken from your next pack.', 'assist-client-area' ); ?></p>
	<?php endif; ?>
	<?php if ( null === $assist_account ) : ?>
		<div class="assist-empty assist-card">
			<p class="assist-text"><strong><?php esc_html_e( 'No assistance information is available for your account yet.', 'assist-client-area' ); ?></strong></p>
			<p class="assist-text"><?php esc_html_e( 'As soon as your first assistance pack is paid, you will find here your remaining time, your packs and the details of our work.', 'assist-client-area' ); ?></p>
		</div>
	<?php else : ?>
		<?php $assist_remaining = (int) $assist_get( $assist_account, 'remaining_minutes', 0 ); ?>
		<section class="assist-remaining assist-card<?php echo $assist_remaining <= 0 ? ' assist-remaining-none' : ''; ?>">
			<h3 class="assist-remaining-title"><?php esc_html_e( 'Time left', 'assist-client-area' ); ?></h3>
			<p class="assist-text assist-remaining-value"><?php echo esc_html( (string) $assist_get( $assist_account, 'remaining_label', assist_format_minutes( $assist_remaining ) ) ); ?></p>
			<p class="assist-text assist-remaining-hint"><?php esc_html_e( 'on your current assistance packs', 'assist-client-area' ); ?></p>
			<?php $assist_uncovered_total = (int) $assist_get( $assist_account, 'uncovered_minutes', 0 ); ?>
			<?php if ( $assist_uncovered_total > 0 ) : ?>
				<?php /* translators: %s: a duration ("15 min"). */ ?>
				<p class="assist-text assist-uncovered"><?php echo esc_html( sprintf( __( 'Time not covered by a pack: %s', 'assist-client-area' ), assist_format_minutes( $assist_uncovered_total ) ) ); ?></p>
			<?php endif; ?>
			<?php $assist_synced = assist_local_datetime( (string) $assist_get( $assist_account, 'synced_at', '' ) ); ?>
			<?php if ( '' !== $assist_synced ) : ?>
				<?php /* translators: %s: a date and time ("26/11/2026 at 11:00"). */ ?>
				<p class="assist-text assist-synced"><?php echo esc_html( sprintf( __( 'Updated on %s', 'assist-client-area' ), $assist_synced ) ); ?></p>
			<?php endif; ?>
		</section>

		<?php
		$assist_decided = array_filter(
			$view['tickets'],
			static function ( $ticket ) {
				return ! empty( $ticket['decision'] );
			}
		);
		if ( $assist_decided ) :
			?>
			<section class="assist-decisions">
				<h3 class="assist-heading"><?php esc_html_e( 'Your choices', 'assist-client-area' ); ?></h3>
				<ul class="assist-decision-list">
				<?php foreach ( $assist_decided as $assist_ticket ) : ?>
					<li class="assist-decided assist-decided-<?php echo esc_attr( (string) $assist_ticket['decision'] ); ?>">
						<p class="assist-text assist-decided-ticket"><?php echo esc_html( $assist_ticket_name( $assist_ticket ) ); ?></p>
						<p class="assist-text assist-decided-choice"><?php echo esc_html( Assist_Client_Page::decision_sentence( $assist_ticket ) ); ?></p>
					</li>
				<?php endforeach; ?>
				</ul>
			</section>
		<?php endif; ?>

		<?php
		$assist_warnings = array();
		foreach ( array_filter( (array) $assist_get( $assist_account, 'warnings', array() ), 'is_array' ) as $assist_warning ) {
			$assist_ticket = $view['tickets'][ (int) $assist_get( $assist_warning, 'ticket_id', 0 ) ] ?? null;
			// A decided overrun is shown under "Your choices" until the daemon drops the warning.
			if ( 'overrun' !== $assist_get( $assist_warning, 'kind' ) || ( $assist_ticket && ! $assist_ticket['decision'] ) ) {
				$assist_warnings[] = $assist_warning;
			}
		}
		if ( $assist_warnings ) :
			?>
			<section class="assist-warnings">
				<h3 class="assist-heading"><?php esc_html_e( 'Alerts', 'assist-client-area' ); ?></h3>
				<?php
				foreach ( $assist_warnings as $assist_warning ) :
					$assist_ticket_id = (int) $assist_get( $assist_warning, 'ticket_id', 0 );
					$assist_product   = Assist_Client_Page::buy_url( $assist_account, $assist_warning );
					?>
					<div class="assist-warning assist-warning-<?php echo esc_attr( (string) $assist_get( $assist_warning, 'kind', '' ) ); ?>">
						<p class="assist-text assist-warning-text"><?php echo esc_html( (string) $assist_get( $assist_warning, 'message', '' ) ); ?></p>
						<?php if ( 'overrun' === $assist_get( $assist_warning, 'kind' ) ) : ?>
							<p class="assist-text assist-warning-figures">
								<?php
								echo esc_html(
									sprintf(
										/* translators: 1: estimated duration, 2: remaining duration. */
										__( 'Estimate: %1$s; time left: %2$s.', 'assist-client-area' ),
										assist_format_minutes( (int) $assist_get( $assist_warning, 'estimate_minutes', 0 ) ),
										assist_format_minutes( (int) $assist_get( $assist_warning, 'remaining_minutes', 0 ) )
									)
								);
								?>
							</p>
							<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="assist-decision">
								<input type="hidden" name="action" value="assist_decision">
								<input type="hidden" name="ticket_id" value="<?php echo esc_attr( (string) $assist_ticket_id ); ?>">
								<?php wp_nonce_field( Assist_Client_Page::nonce_action( $assist_ticket_id ) ); ?>
								<?php if ( '' !== $assist_product ) : ?>
									<button type="submit" name="decision" value="buy_pack" class="assist-button assist-button-primary"><?php esc_html_e( 'Buy a new pack', 'assist-client-area' ); ?></button>
								<?php endif; ?>
								<button type="submit" name="decision" value="bill" class="assist-button assist-button-secondary">
									<?php
									$assist_rate = $assist_get( $assist_warning, 'hourly_rate', '' );
									echo esc_html(
										is_numeric( $assist_rate )
											/* translators: %s: an hourly rate ("€60.00 excl. VAT / h"). */
											? sprintf( __( 'Accept billing at the hourly rate (%s)', 'assist-client-area' ), assist_format_rate( $assist_rate ) )
											: __( 'Accept billing at the pack\'s hourly rate', 'assist-client-area' )
									);
									?>
								</button>
							</form>
						<?php elseif ( '' !== $assist_product ) : ?>
							<p class="assist-text assist-warning-action"><a class="assist-button assist-button-primary" href="<?php echo esc_url( $assist_product ); ?>"><?php esc_html_e( 'Buy a new pack', 'assist-client-area' ); ?></a></p>
						<?php endif; ?>
					</div>
				<?php endforeach; ?>
			</section>
		<?php endif; ?>

		<section class="assist-lots">
			<h3 class="assist-heading"><?php esc_html_e( 'Packs', 'assist-client-area' ); ?></h3>
			<?php $assist_lots = array_filter( (array) $assist_get( $assist_account, 'lots', array() ), 'is_array' ); ?>
			<?php if ( ! $assist_lots ) : ?>
				<p class="assist-text assist-none"><?php esc_html_e( 'No packs yet.', 'assist-client-area' ); ?></p>
			<?php else : ?>
				<?php
				$assist_columns = array(
					'pack'      => __( 'Pack', 'assist-client-area' ),
					'opened'    => __( 'Bought on', 'assist-client-area' ),
					'expires'   => __( 'Expires on', 'assist-client-area' ),
					'used'      => __( 'Used', 'assist-client-area' ),
					'remaining' => __( 'Left', 'assist-client-area' ),
					'status'    => __( 'Status', 'assist-client-area' ),
				);
				?>
				<table class="assist-table">
					<thead><tr>
						<?php foreach ( $assist_columns as $assist_column ) : ?>
							<th scope="col"><?php echo esc_html( $assist_column ); ?></th>
						<?php endforeach; ?>
					</tr></thead>
					<tbody>
					<?php
					foreach ( $assist_lots as $assist_lot ) :
						$assist_granted = (int) $assist_get( $assist_lot, 'granted_minutes', 0 );
						$assist_used    = (int) $assist_get( $assist_lot, 'used_minutes', 0 );
						$assist_expires = assist_local_date( (string) $assist_get( $assist_lot, 'expires_at', '' ) );
						$assist_status  = (string) $assist_get( $assist_lot, 'status', '' );
						$assist_expired = (int) $assist_get( $assist_lot, 'expired_minutes', 0 );
						?>
						<tr class="assist-lot assist-lot-<?php echo esc_attr( $assist_status ); ?>">
							<th scope="row" data-label="<?php echo esc_attr( $assist_columns['pack'] ); ?>"><?php echo esc_html( (string) $assist_get( $assist_lot, 'label', (string) $assist_get( $assist_lot, 'sku', '' ) ) ); ?></th>
							<td data-label="<?php echo esc_attr( $assist_columns['opened'] ); ?>"><div class="assist-cell"><?php echo esc_html( assist_local_date( (string) $assist_get( $assist_lot, 'opened_at', '' ) ) ); ?></div></td>
							<td data-label="<?php echo esc_attr( $assist_columns['expires'] ); ?>"><div class="assist-cell"><?php echo esc_html( '' !== $assist_expires ? $assist_expires : __( 'No expiry', 'assist-client-area' ) ); ?></div></td>
							<td data-label="<?php echo esc_attr( $assist_columns['used'] ); ?>"><div class="assist-cell">
								<?php /* translators: 1: time used, 2: time bought ("1 h 45 min of 3 h"). */ ?>
								<?php echo esc_html( sprintf( __( '%1$s of %2$s', 'assist-client-area' ), assist_format_minutes( $assist_used ), assist_format_minutes( $assist_granted ) ) ); ?>
								<?php if ( $assist_granted > 0 ) : ?>
									<span class="assist-meter" aria-hidden="true"><span style="width: <?php echo esc_attr( (string) max( 0, min( 100, (int) round( 100 * $assist_used / $assist_granted ) ) ) ); ?>%"></span></span>
								<?php endif; ?>
							</div></td>
							<td data-label="<?php echo esc_attr( $assist_columns['remaining'] ); ?>"><div class="assist-cell">
								<?php echo esc_html( assist_format_minutes( (int) $assist_get( $assist_lot, 'remaining_minutes', 0 ) ) ); ?>
								<?php if ( $assist_expired > 0 ) : ?>
									<?php /* translators: %s: a duration ("45 min"). */ ?>
									<span class="assist-expired"><?php echo esc_html( sprintf( __( '(%s expired)', 'assist-client-area' ), assist_format_minutes( $assist_expired ) ) ); ?></span>
								<?php endif; ?>
							</div></td>
							<td data-label="<?php echo esc_attr( $assist_columns['status'] ); ?>"><div class="assist-cell"><span class="assist-status assist-status-<?php echo esc_attr( $assist_status ); ?>"><?php echo esc_html( assist_capitalize( (string) $assist_get( $assist_lot, 'status_label', assist_lot_statuses()[ $assist_status ] ?? $assist_status ) ) ); ?></span></div></td>
						</tr>
					<?php endforeach; ?>
					</tbody>
				</table>
			<?php endif; ?>
		</section>

		<section class="assist-tasks">
			<h3 class="assist-heading"><?php esc_html_e( 'Recent tasks', 'assist-client-area' ); ?></h3>
			<?php $assist_tasks = array_filter( (array) $assist_get( $assist_account, 'recent_tasks', array() ), 'is_array' ); ?>
			<?php if ( ! $assist_tasks ) : ?>
				<p class="assist-text assist-none"><?php esc_html_e( 'No recent tasks.', 'assist-client-area' ); ?></p>
			<?php else : ?>
				<ul class="assist-task-list">
				<?php
				foreach ( $assist_tasks as $assist_task ) :
					$assist_task_date = assist_local_date( (string) $assist_get( $assist_task, 'performed_at', '' ) );
					$assist_uncovered = (int) $assist_get( $assist_task, 'uncovered_minutes', 0 );
					?>
					<li class="assist-task">
						<div class="assist-task-head">
							<p class="assist-text assist-task-title"><?php echo esc_html( (string) $assist_get( $assist_task, 'title', '' ) ); ?></p>
							<?php if ( '' !== $assist_task_date ) : ?>
								<p class="assist-text assist-task-date"><?php echo esc_html( $assist_task_date ); ?></p>
							<?php endif; ?>
						</div>
						<ul class="assist-task-kinds">
						<?php foreach ( (array) $assist_get( $assist_task, 'minutes_by_kind', array() ) as $assist_kind => $assist_minutes ) : ?>
							<li class="assist-kind assist-kind-<?php echo esc_attr( (string) $assist_kind ); ?>">
								<?php
								$assist_label = assist_task_kinds()[ $assist_kind ] ?? (string) $assist_kind;
								echo esc_html(
									'exchange' === $assist_kind
										/* translators: 1: a kind of work, 2: a duration ("Exchanges: 20 min (not deducted)"). */
										? sprintf( __( '%1$s: %2$s (not deducted)', 'assist-client-area' ), $assist_label, assist_format_minutes( (int) $assist_minutes ) )
										/* translators: 1: a kind of work, 2: a duration ("Production: 1 h 15 min"). */
										: sprintf( __( '%1$s: %2$s', 'assist-client-area' ), $assist_label, assist_format_minutes( (int) $assist_minutes ) )
								);
								?>
							</li>
						<?php endforeach; ?>
						</ul>
						<?php /* translators: %s: a duration. */ ?>
						<p class="assist-text assist-task-deducted"><?php echo esc_html( sprintf( __( 'Deducted from your packs: %s', 'assist-client-area' ), assist_format_minutes( (int) $assist_get( $assist_task, 'deducted_minutes', 0 ) ) ) ); ?></p>
						<?php if ( $assist_uncovered > 0 ) : ?>
							<?php /* translators: %s: a duration. */ ?>
							<p class="assist-text assist-task-uncovered"><?php echo esc_html( sprintf( __( 'Not covered by a pack: %s', 'assist-client-area' ), assist_format_minutes( $assist_uncovered ) ) ); ?></p>
						<?php endif; ?>
					</li>
				<?php endforeach; ?>
				</ul>
			<?php endif; ?>
		</section>
	<?php endif; ?>

	<section class="assist-reports">
		<h3 class="assist-heading"><?php esc_html_e( 'Intervention reports', 'assist-client-area' ); ?></h3>
		<?php if ( ! $view['reports'] ) : ?>
			<p class="assist-text assist-none"><?php esc_html_e( 'No reports yet.', 'assist-client-area' ); ?></p>
		<?php else : ?>
			<ul class="assist-report-list">
			<?php foreach ( $view['reports'] as $assist_report ) : ?>
				<li class="assist-report">
					<?php /* translators: %d: report number. */ ?>
					<a class="assist-report-link" href="<?php echo esc_url( Assist_Reports::download_url( (int) $assist_report['id'] ) ); ?>"><?php echo esc_html( '' !== $assist_report['title'] ? $assist_report['title'] : sprintf( __( 'Report #%d', 'assist-client-area' ), (int) $assist_report['id'] ) ); ?></a>
					<?php /* translators: %s: a date. */ ?>
					<span class="assist-report-meta"><?php echo esc_html( sprintf( __( 'PDF, added on %s', 'assist-client-area' ), assist_local_date( $assist_report['date_created_gmt'] ) ) ); ?></span>
				</li>
			<?php endforeach; ?>
			</ul>
		<?php endif; ?>
	</section>
<?php endif; ?>
</div>
