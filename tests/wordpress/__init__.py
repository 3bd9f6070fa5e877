"""A real WordPress (Debian package, php -S, MariaDB) and the plugin's tests against it."""
