<?php
/**
 * The client's page "Mon assistance": a WooCommerce My Account tab when WooCommerce is active,
 * the shortcode [assist_mon_assistance] everywhere. Shows only the logged-in user's data.
 *
 * @package AssistClientArea
 */

defined( 'ABSPATH' ) || exit;

/** Shortcode, My Account endpoint, and the decision form handler. */
class Assist_Client_Page {

	const ENDPOINT  = 'mon-assistance';
	const SHORTCODE = 'assist_mon_assistance';

	public static function init(): void {
		add_shortcode( self::SHORTCODE, array( __CLASS__, 'shortcode' ) );
		add_action( 'init', array( __CLASS__, 'add_endpoint' ) );
		add_filter( 'query_vars', array( __CLASS__, 'query_vars' ) );
		add_filter( 'woocommerce_get_query_vars', array( __CLASS__, 'woocommerce_query_vars' ) );
		add_filter( 'woocommerce_account_menu_items', array( __CLASS__, 'menu_items' ) );
		add_action( 'woocommerce_account_' . self::ENDPOINT . '_endpoint', array( __CLASS__, 'endpoint_content' ) );
		add_filter( 'woocommerce_endpoint_' . self::ENDPOINT . '_title', array( __CLASS__, 'endpoint_title' ) );
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

	/** Insert "Mon assistance" before the logout entry. */
	public static function menu_items( array $items ): array {
		$out = array();
		foreach ( $items as $key => $label ) {
			if ( 'customer-logout' === $key ) {
				$out[ self::ENDPOINT ] = 'Mon assistance';
			}
			$out[ $key ] = $label;
		}
		if ( ! isset( $out[ self::ENDPOINT ] ) ) {
			$out[ self::ENDPOINT ] = 'Mon assistance';
		}
		return $out;
	}

	public static function endpoint_title(): string {
		return 'Mon assistance';
	}

	public static function endpoint_content(): void {
		echo self::render(); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped in the template.
	}

	public static function shortcode(): string {
		return self::render();
	}

	/** Handle of the page's stylesheet (a theme may dequeue it and style .assist-* itself). */
	const STYLE = 'assist-client-area';

	/** The page's HTML for the current visitor; enqueues the page's stylesheet. */
	public static function render(): string {
		wp_enqueue_style( self::STYLE, plugins_url( 'assets/mon-assistance.css', ASSIST_CA_FILE ), array(), ASSIST_CA_VERSION );
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

	/** admin-post.php?action=assist_decision: the form behind the two overrun choices. */
	public static function handle_decision(): void {
		$ticket_id = isset( $_POST['ticket_id'] ) ? absint( $_POST['ticket_id'] ) : 0;
		if ( ! is_user_logged_in() ) {
			wp_safe_redirect( wp_login_url( wp_get_referer() ? wp_get_referer() : home_url( '/' ) ) );
			exit;
		}
		check_admin_referer( self::nonce_action( $ticket_id ) ); // Dies with 403 on a bad nonce.
		$ticket   = Assist_Store::get_ticket( $ticket_id );
		$decision = isset( $_POST['decision'] ) ? sanitize_key( wp_unslash( $_POST['decision'] ) ) : '';
		if ( ! $ticket || (int) $ticket['deleted'] || (int) $ticket['client_id'] !== get_current_user_id() ) {
			wp_die( esc_html( 'Ce ticket ne vous concerne pas.' ), 403 );
		}
		$result = Assist_Store::record_decision( $ticket_id, $decision );
		if ( is_wp_error( $result ) ) {
			wp_die( esc_html( $result->get_error_message() ), 400 );
		}
		$back = wp_get_referer() ? wp_get_referer() : home_url( '/' );
		if ( 'buy_pack' === $decision ) {
			$product = esc_url_raw( self::product_url( get_current_user_id(), $ticket_id ), array( 'http', 'https' ) );
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
			wp_safe_redirect( '' !== $host ? $product : $back );
			exit;
		}
		wp_safe_redirect( add_query_arg( 'assist_decision', 'bill', $back ) );
		exit;
	}

	/** The product page the payload proposes for this ticket's overrun (trusted: from the daemon). */
	private static function product_url( int $user_id, int $ticket_id ): string {
		$account = Assist_Accounts::get( $user_id );
		foreach ( (array) ( $account['payload']['warnings'] ?? array() ) as $warning ) {
			if ( is_array( $warning ) && (int) ( $warning['ticket_id'] ?? 0 ) === $ticket_id && ! empty( $warning['product_url'] ) ) {
				return (string) $warning['product_url'];
			}
		}
		return '';
	}
}
