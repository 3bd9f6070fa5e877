"""A local shop and client area that behave like WooCommerce and the plugin, with faults."""
