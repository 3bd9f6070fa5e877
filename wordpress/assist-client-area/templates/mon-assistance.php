<?php
/**
 * Template of the page "Mon assistance". A theme may override it with
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
$assist_money = static function ( $amount ): string {
	return number_format( (float) $amount, 2, ',', "\u{202F}" ) . "\u{00A0}€";
};
// Used when the payload carries no status_label of its own.
$assist_lot_status = array(
	'open'    => 'En cours',
	'used_up' => 'Épuisé',
	'expired' => 'Expiré',
	'voided'  => 'Annulé',
);
?>
<div class="assist-mon-assistance">
<?php if ( ! $view['logged_in'] ) : ?>
	<div class="assist-login assist-card">
		<p><?php echo esc_html( 'Connectez-vous pour consulter votre temps d\'assistance, vos packs et vos rapports d\'intervention.' ); ?></p>
		<p><a class="assist-button" href="<?php echo esc_url( $view['login_url'] ); ?>"><?php echo esc_html( 'Se connecter' ); ?></a></p>
	</div>
<?php else : ?>
	<?php
	$assist_account = $view['account'];
	if ( 'bill' === $view['notice'] ) :
		?>
		<p class="assist-notice" role="status"><?php echo esc_html( 'Votre choix est enregistré : le dépassement sera facturé au taux horaire du pack.' ); ?></p>
	<?php endif; ?>
	<?php if ( null === $assist_account ) : ?>
		<div class="assist-empty assist-card">
			<p><strong><?php echo esc_html( 'Aucune information d\'assistance n\'est encore disponible pour votre compte.' ); ?></strong></p>
			<p><?php echo esc_html( 'Dès que votre premier pack d\'assistance sera réglé, vous retrouverez ici votre temps restant, vos packs et le détail de nos interventions.' ); ?></p>
		</div>
	<?php else : ?>
		<?php $assist_remaining = (int) $assist_get( $assist_account, 'remaining_minutes', 0 ); ?>
		<section class="assist-remaining assist-card<?php echo $assist_remaining <= 0 ? ' assist-remaining-none' : ''; ?>">
			<h3><?php echo esc_html( 'Temps restant' ); ?></h3>
			<p class="assist-remaining-value"><?php echo esc_html( (string) $assist_get( $assist_account, 'remaining_label', assist_format_minutes( $assist_remaining ) ) ); ?></p>
			<p class="assist-remaining-hint"><?php echo esc_html( 'sur vos packs d\'assistance en cours' ); ?></p>
			<?php if ( (int) $assist_get( $assist_account, 'uncovered_minutes', 0 ) > 0 ) : ?>
				<p class="assist-uncovered"><?php echo esc_html( 'Temps non couvert par un pack : ' . assist_format_minutes( (int) $assist_get( $assist_account, 'uncovered_minutes', 0 ) ) ); ?></p>
			<?php endif; ?>
			<?php if ( '' !== assist_local_date( (string) $assist_get( $assist_account, 'synced_at', '' ) ) ) : ?>
				<p class="assist-synced"><?php echo esc_html( 'Mis à jour le ' . assist_local_date( (string) $assist_get( $assist_account, 'synced_at', '' ), 'd/m/Y à H:i' ) ); ?></p>
			<?php endif; ?>
		</section>

		<?php
		$assist_warnings = array_filter( (array) $assist_get( $assist_account, 'warnings', array() ), 'is_array' );
		if ( $assist_warnings ) :
			?>
			<section class="assist-warnings">
				<h3><?php echo esc_html( 'Alertes' ); ?></h3>
				<?php
				foreach ( $assist_warnings as $assist_warning ) :
					$assist_ticket_id = (int) $assist_get( $assist_warning, 'ticket_id', 0 );
					$assist_ticket    = $view['tickets'][ $assist_ticket_id ] ?? null;
					$assist_product   = (string) $assist_get( $assist_warning, 'product_url', '' );
					?>
					<div class="assist-warning assist-warning-<?php echo esc_attr( (string) $assist_get( $assist_warning, 'kind', '' ) ); ?>">
						<p><?php echo esc_html( (string) $assist_get( $assist_warning, 'message', '' ) ); ?></p>
						<?php if ( 'overrun' === $assist_get( $assist_warning, 'kind' ) ) : ?>
							<?php if ( ! $assist_ticket ) : ?>
								<?php // The ticket is gone or not the client's: nothing to decide here. ?>
							<?php elseif ( $assist_ticket['decision'] ) : ?>
								<p class="assist-decided"><?php echo esc_html( 'Votre choix : ' . ( assist_decisions()[ $assist_ticket['decision'] ] ?? $assist_ticket['decision'] ) . '.' ); ?></p>
							<?php else : ?>
								<p class="assist-warning-figures">
									<?php
									echo esc_html(
										sprintf(
											'Estimation : %s ; temps restant : %s.',
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
										<button type="submit" name="decision" value="buy_pack" class="assist-button"><?php echo esc_html( 'Acheter un nouveau pack' ); ?></button>
									<?php endif; ?>
									<button type="submit" name="decision" value="bill" class="assist-button assist-button-secondary">
										<?php
										$assist_rate = $assist_get( $assist_warning, 'hourly_rate', '' );
										echo esc_html(
											is_numeric( $assist_rate )
												? 'Accepter la facturation au taux horaire (' . $assist_money( $assist_rate ) . ' / h)'
												: 'Accepter la facturation au taux horaire du pack'
										);
										?>
									</button>
								</form>
							<?php endif; ?>
						<?php elseif ( '' !== $assist_product ) : ?>
							<p><a class="assist-button" href="<?php echo esc_url( $assist_product ); ?>"><?php echo esc_html( 'Acheter un nouveau pack' ); ?></a></p>
						<?php endif; ?>
					</div>
				<?php endforeach; ?>
			</section>
		<?php endif; ?>

		<section class="assist-lots">
			<h3><?php echo esc_html( 'Packs' ); ?></h3>
			<?php $assist_lots = array_filter( (array) $assist_get( $assist_account, 'lots', array() ), 'is_array' ); ?>
			<?php if ( ! $assist_lots ) : ?>
				<p class="assist-none"><?php echo esc_html( 'Aucun pack pour l\'instant.' ); ?></p>
			<?php else : ?>
				<div class="assist-table-wrap">
				<table class="assist-table">
					<thead><tr>
						<th scope="col"><?php echo esc_html( 'Pack' ); ?></th><th scope="col"><?php echo esc_html( 'Acheté le' ); ?></th><th scope="col"><?php echo esc_html( 'Expire le' ); ?></th>
						<th scope="col"><?php echo esc_html( 'Utilisé' ); ?></th><th scope="col"><?php echo esc_html( 'Restant' ); ?></th><th scope="col"><?php echo esc_html( 'État' ); ?></th>
					</tr></thead>
					<tbody>
					<?php
					foreach ( $assist_lots as $assist_lot ) :
						$assist_granted = (int) $assist_get( $assist_lot, 'granted_minutes', 0 );
						$assist_used    = (int) $assist_get( $assist_lot, 'used_minutes', 0 );
						$assist_expires = assist_local_date( (string) $assist_get( $assist_lot, 'expires_at', '' ) );
						$assist_status  = (string) $assist_get( $assist_lot, 'status', '' );
						?>
						<tr class="assist-lot-<?php echo esc_attr( $assist_status ); ?>">
							<th scope="row"><?php echo esc_html( (string) $assist_get( $assist_lot, 'label', (string) $assist_get( $assist_lot, 'sku', '' ) ) ); ?></th>
							<td><?php echo esc_html( assist_local_date( (string) $assist_get( $assist_lot, 'opened_at', '' ) ) ); ?></td>
							<td><?php echo esc_html( '' !== $assist_expires ? $assist_expires : 'Sans échéance' ); ?></td>
							<td>
								<?php echo esc_html( assist_format_minutes( $assist_used ) . ' sur ' . assist_format_minutes( $assist_granted ) ); ?>
								<?php if ( $assist_granted > 0 ) : ?>
									<span class="assist-meter" aria-hidden="true"><span style="width: <?php echo esc_attr( (string) max( 0, min( 100, (int) round( 100 * $assist_used / $assist_granted ) ) ) ); ?>%"></span></span>
								<?php endif; ?>
							</td>
							<td>
								<?php
								$assist_expired = (int) $assist_get( $assist_lot, 'expired_minutes', 0 );
								echo esc_html( assist_format_minutes( (int) $assist_get( $assist_lot, 'remaining_minutes', 0 ) ) );
								?>
								<?php if ( $assist_expired > 0 ) : ?>
									<span class="assist-expired"><?php echo esc_html( '(' . assist_format_minutes( $assist_expired ) . ' expirées)' ); ?></span>
								<?php endif; ?>
							</td>
							<td><span class="assist-status assist-status-<?php echo esc_attr( $assist_status ); ?>"><?php echo esc_html( assist_capitalize( (string) $assist_get( $assist_lot, 'status_label', $assist_lot_status[ $assist_status ] ?? $assist_status ) ) ); ?></span></td>
						</tr>
					<?php endforeach; ?>
					</tbody>
				</table>
				</div>
			<?php endif; ?>
		</section>

		<section class="assist-tasks">
			<h3><?php echo esc_html( 'Tâches récentes' ); ?></h3>
			<?php $assist_tasks = array_filter( (array) $assist_get( $assist_account, 'recent_tasks', array() ), 'is_array' ); ?>
			<?php if ( ! $assist_tasks ) : ?>
				<p class="assist-none"><?php echo esc_html( 'Aucune tâche récente.' ); ?></p>
			<?php else : ?>
				<ul class="assist-task-list">
				<?php
				foreach ( $assist_tasks as $assist_task ) :
					$assist_task_date = assist_local_date( (string) $assist_get( $assist_task, 'performed_at', '' ) );
					$assist_uncovered = (int) $assist_get( $assist_task, 'uncovered_minutes', 0 );
					?>
					<li class="assist-task">
						<p class="assist-task-head">
							<strong class="assist-task-title"><?php echo esc_html( (string) $assist_get( $assist_task, 'title', '' ) ); ?></strong>
							<?php if ( '' !== $assist_task_date ) : ?>
								<span class="assist-task-date"><?php echo esc_html( '(' . $assist_task_date . ')' ); ?></span>
							<?php endif; ?>
						</p>
						<ul class="assist-task-kinds">
						<?php foreach ( (array) $assist_get( $assist_task, 'minutes_by_kind', array() ) as $assist_kind => $assist_minutes ) : ?>
							<li class="assist-kind-<?php echo esc_attr( (string) $assist_kind ); ?>">
								<?php
								$assist_label = assist_task_kinds()[ $assist_kind ] ?? (string) $assist_kind;
								echo esc_html( $assist_label . ' : ' . assist_format_minutes( (int) $assist_minutes ) . ( 'exchange' === $assist_kind ? ' (non déduit)' : '' ) );
								?>
							</li>
						<?php endforeach; ?>
						</ul>
						<p class="assist-task-deducted"><?php echo esc_html( 'Déduit de vos packs : ' . assist_format_minutes( (int) $assist_get( $assist_task, 'deducted_minutes', 0 ) ) ); ?></p>
						<?php if ( $assist_uncovered > 0 ) : ?>
							<p class="assist-task-uncovered"><?php echo esc_html( 'Non couvert par un pack : ' . assist_format_minutes( $assist_uncovered ) ); ?></p>
						<?php endif; ?>
					</li>
				<?php endforeach; ?>
				</ul>
			<?php endif; ?>
		</section>
	<?php endif; ?>

	<section class="assist-reports">
		<h3><?php echo esc_html( 'Rapports d\'intervention' ); ?></h3>
		<?php if ( ! $view['reports'] ) : ?>
			<p class="assist-none"><?php echo esc_html( 'Aucun rapport pour l\'instant.' ); ?></p>
		<?php else : ?>
			<ul class="assist-report-list">
			<?php foreach ( $view['reports'] as $assist_report ) : ?>
				<li>
					<a href="<?php echo esc_url( Assist_Reports::download_url( (int) $assist_report['id'] ) ); ?>"><?php echo esc_html( '' !== $assist_report['title'] ? $assist_report['title'] : 'Rapport n° ' . (int) $assist_report['id'] ); ?></a>
					<span class="assist-report-meta"><?php echo esc_html( 'PDF, ajouté le ' . assist_local_date( $assist_report['date_created_gmt'] ) ); ?></span>
				</li>
			<?php endforeach; ?>
			</ul>
		<?php endif; ?>
	</section>
<?php endif; ?>
</div>
