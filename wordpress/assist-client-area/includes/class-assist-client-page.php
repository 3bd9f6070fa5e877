<?php
/**
 * The client's page "My assistance": a WooCommerce My Account tab when WooCommerce is active,
 * the shortcode [assist_mon_assistance] everywhere. Shows only the logged-in user's data.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Shortcode, My Account endpoint, and the decision form handler. */
class Assist_Client_Page {

	const ENDPOINT  = 'mon-assistance';
	const SHORTCODE = 'assist_mon_assistance';

	/** Handle of the page's stylesheet (a theme may dequeue it and style .assist-* itself). */
	const STYLE = 'assist-client-area';

	public static function init(): void {
		add_shortcode( self::SHORTCODE, array( __CLASS__, 'shortcode' ) );
		add_action( 'init', array( __CLASS__, 'add_endpoint' ) );
		add_filter( 'query_vars', array( __CLASS__, 'query_vars' ) );
		add_filter( 'woocommerce_get_query_vars', array( __CLASS__, 'woocommerce_query_vars' ) );
		add_filter( 'woocommerce_account_menu_items', array( __CLASS__, 'menu_items' ) );
		add_action( 'woocommerce_account_' . self::ENDPOINT . '_endpoint', array( __CLASS__, 'endpoint_content' ) );
		add_filter( 'woocommerce_endpoint_' . self::ENDPOINT . '_title', array( __CLASS__, 'endpoint_title' ) );
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue_early' ) );
		add_action( 'admin_post_assist_decision', array( __CLASS__, 'handle_decision' ) );
		add_action( 'admin_post_nopriv_assist_decision', array( __CLASS__, 'handle_decision' ) );
	}

	private static function woocommerce_active(): bool {
		return class_exists( 'WooCommerce' );
	}

	/** My Account endpoint (WooCommerce only); rewrite rules are flushed on activation. */
	public static function add_endpoint(): void {
		if ( self::woocommerce_active() ) {
			add_rewrite_endpoint( self::ENDPOINT, EP_ROOT | EP_PAGES );
		}
	}

	public static function query_vars( array $vars ): array {
		if ( self::woocommerce_active() ) {
			$vars[] = self::ENDPOINT;
		}
		return $vars;
	}

	/** Declares the endpoint to WooCommerce (is_wc_endpoint_url(), the endpoint's title). */
	public static function woocommerce_query_vars( array $vars ): array {
		$vars[ self::ENDPOINT ] = self::ENDPOINT;
		return $vars;
	}

	/** The page's name, in the My Account menu and as its title. */
	public static function title(): string {
		return __( 'My assistance', 'assist-client-area' );
	}

	/** Insert "My assistance" before the logout entry. */
	public static function menu_items( array $items ): array {
		$out = array();
		foreach ( $items as $key => $label ) {
			if ( 'customer-logout' === $key ) {
				$out[ self::ENDPOINT ] = self::title();
			}
			$out[ $key ] = $label;
		}
		if ( ! isset( $out[ self::ENDPOINT ] ) ) {
			$out[ self::ENDPOINT ] = self::title();
		}
		return $out;
	}

	public static function endpoint_title(): string {
		return self::title();
	}

	public static function endpoint_content(): void {
		echo self::render(); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in the template.
	}

	public static function shortcode(): string {
		return self::render();
	}

	private static function enqueue_style(): void {
		wp_enqueue_style( self::STYLE, plugins_url( 'assets/mon-assistance.css', ASSIST_CA_FILE ), array(), ASSIST_CA_VERSION );
	}

	/**
	 * The stylesheet in the page's head where the page is known to hold the block (the My Account
	 * tab, a post with the shortcode), so that it shows styled from the first paint. Elsewhere
	 * (a shortcode in a widget) render() still enqueues it, for the footer.
	 */
	public static function enqueue_early(): void {
		$tab  = self::woocommerce_active() && function_exists( 'is_wc_endpoint_url' ) && is_wc_endpoint_url( self::ENDPOINT );
		$post = is_singular() ? get_post() : null;
		if ( $tab || ( $post && has_shortcode( (string) $post->post_content, self::SHORTCODE ) ) ) {
			self::enqueue_style();
		}
	}

	/** The page's HTML for the current visitor; enqueues the page's stylesheet. */
	public static function render(): string {
		self::enqueue_style();
		$view = array(
			'logged_in' => is_user_logged_in(),
			'login_url' => wp_login_url( self::current_url() ),
		);
		if ( $view['logged_in'] ) {
			$user_id         = get_current_user_id();
			$account         = Assist_Accounts::get( $user_id );
			$view['user']    = wp_get_current_user();
			$view['account'] = $account ? $account['payload'] : null;
			$view['reports'] = Assist_Reports::of_client( $user_id );
			$view['tickets'] = array();
			foreach ( Assist_Store::live_tickets( $user_id, 500 ) as $row ) {
				$view['tickets'][ (int) $row['id'] ] = $row;
			}
			$view['notice'] = isset( $_GET['assist_decision'] ) ? sanitize_key( wp_unslash( $_GET['assist_decision'] ) ) : '';
		}
		$template = locate_template( 'assist-client-area/mon-assistance.php' );
		if ( ! $template ) {
			$template = ASSIST_CA_DIR . '/templates/mon-assistance.php';
		}
		ob_start();
		( static function ( string $template, array $view ) {
			include $template;
		} )( $template, $view );
		return (string) ob_get_clean();
	}

	private static function current_url(): string {
		$uri = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '/';
		return home_url( $uri );
	}

	/** Nonce action of the decision form for one ticket. */
	public static function nonce_action( int $ticket_id ): string {
		return 'assist_decision_' . $ticket_id;
	}

	/**
	 * The sentence that keeps the trace of a client's decision on a ticket:
	 * "You chose billing at €60.00 excl. VAT / h on 03/12/2026."
	 */
	public static function decision_sentence( array $ticket ): string {
		$date = assist_local_date( $ticket['decided_at_gmt'] ?? null );
		if ( 'buy_pack' === $ticket['decision'] ) {
			/* translators: %s: the date of the choice. */
			return sprintf( __( 'You chose to buy a new pack on %s.', 'assist-client-area' ), $date );
		}
		if ( 'bill' === $ticket['decision'] && isset( $ticket['decision_rate'] ) && is_numeric( $ticket['decision_rate'] ) ) {
			/* translators: 1: an hourly rate ("€60.00 excl. VAT / h"), 2: the date of the choice. */
			return sprintf( __( 'You chose billing at %1$s on %2$s.', 'assist-client-area' ), assist_format_rate( $ticket['decision_rate'] ), $date );
		}
		/* translators: %s: the date of the choice. */
		return sprintf( __( 'You chose billing at the pack\'s hourly rate on %s.', 'assist-client-area' ), $date );
	}

	/** The warning of the client's stored payload about one ticket (from the daemon), or null. */
	public static function warning_for( int $user_id, int $ticket_id ): ?array {
		$account = Assist_Accounts::get( $user_id );
		foreach ( (array) ( $account['payload']['warnings'] ?? array() ) as $warning ) {
			if ( is_array( $warning ) && (int) ( $warning['ticket_id'] ?? 0 ) === $ticket_id ) {
				return $warning;
			}
		}
		return null;
	}

	/** The hourly rate the page offered for this ticket's overrun, or null. */
	public static function offered_rate( int $user_id, int $ticket_id ): ?string {
		$rate = self::warning_for( $user_id, $ticket_id )['hourly_rate'] ?? null;
		return is_numeric( $rate ) ? (string) $rate : null;
	}

	/**
	 * Where "Buy a new pack" leads for a warning: the product page the daemon put in the warning;
	 * when it gave none (or only the site's home page), and WooCommerce runs on this site, the
	 * product of the pack's SKU (wc_get_product_id_by_sku → permalink), else the shop page. ''
	 * when there is nowhere to buy. Never the blog's home page.
	 *
	 * @param array $account The client's payload.
	 * @param array $warning One of its warnings.
	 */
	public static function buy_url( array $account, array $warning ): string {
		$given = isset( $warning['product_url'] ) && is_string( $warning['product_url'] ) ? esc_url_raw( $warning['product_url'], array( 'http', 'https' ) ) : '';
		if ( '' !== $given && ! self::is_home( $given ) ) {
			return $given;
		}
		if ( ! self::woocommerce_active() ) {
			return '';
		}
		$sku = self::pack_sku( $account, $warning );
		if ( '' !== $sku ) {
			$product = wc_get_product_id_by_sku( $sku );
			$url     = $product ? get_permalink( $product ) : '';
			if ( $url ) {
				return $url;
			}
		}
		$shop = wc_get_page_permalink( 'shop' );
		return $shop && ! self::is_home( $shop ) ? $shop : '';
	}

	/** Whether $url is this site's home page (the daemon's fallback when it knows no product). */
	private static function is_home( string $url ): bool {
		$norm = static function ( string $u ): string {
			$parts = wp_parse_url( $u );
			return strtolower( ( $parts['host'] ?? '' ) . ':' . ( $parts['port'] ?? '' ) ) . '/' . trim( $parts['path'] ?? '', '/' );
		};
		return $norm( $url ) === $norm( home_url( '/' ) ) && '' === (string) wp_parse_url( $url, PHP_URL_QUERY );
	}

	/**
	 * The SKU of the pack a warning is about: its lot's (lot_id), else the pack the client holds
	 * (the most recently opened shop lot that is not cancelled), as the daemon chooses the rate.
	 */
	private static function pack_sku( array $account, array $warning ): string {
		$lots = array_filter( (array) ( $account['lots'] ?? array() ), 'is_array' );
		foreach ( $lots as $lot ) {
			if ( isset( $warning['lot_id'], $lot['id'] ) && $lot['id'] === $warning['lot_id'] && is_string( $lot['sku'] ?? null ) ) {
				return $lot['sku'];
			}
		}
		$best = null;
		foreach ( $lots as $lot ) {
			if ( ! is_string( $lot['sku'] ?? null ) || '' === $lot['sku'] || 'voided' === ( $lot['status'] ?? '' ) ) {
				continue;
			}
			if ( null === $best || strcmp( (string) ( $lot['opened_at'] ?? '' ), (string) ( $best['opened_at'] ?? '' ) ) > 0 ) {
				$best = $lot;
			}
		}
		return $best ? $best['sku'] : '';
	}

	/** admin-post.php?action=assist_decision: the form behind the two overrun choices. */
	public static function handle_decision(): void {
		$ticket_id = isset( $_POST['ticket_id'] ) ? absint( $_POST['ticket_id'] ) : 0;
		if ( ! is_user_logged_in() ) {
			wp_safe_redirect( wp_login_url( wp_get_referer() ? wp_get_referer() : home_url( '/' ) ) );
			exit;
		}
		check_admin_referer( self::nonce_action( $ticket_id ) ); // Dies with 403 on a bad nonce.
		$user_id  = get_current_user_id();
		$ticket   = Assist_Store::get_ticket( $ticket_id );
		$decision = isset( $_POST['decision'] ) ? sanitize_key( wp_unslash( $_POST['decision'] ) ) : '';
		if ( ! $ticket || (int) $ticket['deleted'] || (int) $ticket['client_id'] !== $user_id ) {
			wp_die( esc_html__( 'This ticket is not yours.', 'assist-client-area' ), 403 );
		}
		$result = Assist_Store::record_decision( $ticket_id, $decision, self::offered_rate( $user_id, $ticket_id ) );
		if ( is_wp_error( $result ) ) {
			wp_die( esc_html( $result->get_error_message() ), 400 );
		}
		$back = wp_get_referer() ? wp_get_referer() : home_url( '/' );
		if ( 'buy_pack' === $decision ) {
			$account = Assist_Accounts::get( $user_id );
			$warning = self::warning_for( $user_id, $ticket_id );
			$product = $account && $warning ? self::buy_url( $account['payload'], $warning ) : '';
			$host    = (string) wp_parse_url( $product, PHP_URL_HOST );
			if ( '' !== $host ) {
				// The shop may be another site than this client area: its host, taken from the
				// daemon's payload (never from the form), is allowed for this one redirect.
				add_filter(
					'allowed_redirect_hosts',
					static function ( $hosts ) use ( $host ) {
						return array_merge( (array) $hosts, array( $host ) );
					}
				);
			}
			wp_safe_redirect( '' !== $host ? $product : add_query_arg( 'assist_decision', 'buy_pack', $back ) );
			exit;
		}
		wp_safe_redirect( add_query_arg( 'assist_decision', 'bill', $back ) );
		exit;
	}
}
