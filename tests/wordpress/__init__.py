"""A real WordPress (Debian package, php -S, MariaDB) and the plugin's tests against it.

Any test can ask for the session fixture ``wordpress`` (tests/wordpress/fixtures.py, loaded by
tests/conftest.py); it yields a ``WordPressSite``:

    site.url, site.api                      # http://127.0.0.1:PORT, …/wp-json/assist/v1
    site.env_lines()                        # WP_URL=…, WP_USERNAME=…, WP_APP_PASSWORD=…
    site.daemon_auth()                      # (login, app password) of the assist_sync user
    site.staff, site.clients, site.outsider, site.admin   # SiteUser(login, password, id, …)
    site.create_user("Nom", caps=(), app_password=False) -> SiteUser   # a fresh client
    desk = site.staff_desk()                # wp-admin driven as the staff user (real nonces)
    desk.create_ticket(client_id, title, estimate=90) -> ticket id
    desk.log_time(ticket_id, "production", 75, performed_at=datetime(...)) -> entry id
    desk.edit_entry(...), desk.delete_entry(entry_id), desk.delete_ticket(ticket_id)
    session = site.login(user); site.rest_nonce(session)
    site.client_page(session) -> HTML of the "Mon assistance" page as that user
    site.seed_ticket(...), site.seed_entries(...)   # direct store writes, no HTTP (fast setup)
    site.php("PHP code using $args", args)          # run code inside WordPress

The site is shared by the whole run: create your own users and tickets, read back your own.
"""
