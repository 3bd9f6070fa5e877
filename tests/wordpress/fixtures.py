"""pytest fixtures for the real shop; loaded from tests/conftest.py so that any test (plugin
tests, contract tests, end-to-end sync tests) can ask for them.

``wordpress`` is a plain-http shop (WooCommerce takes consumer keys by OAuth 1.0a there),
``wordpress_tls`` one behind HTTPS with its own CA (Basic auth, as in production). Both are real
WordPress 6.5.3 + WooCommerce 8.9.1 sites with the plugin installed and the test users made.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services import unavailable
from tests.wordpress.site import SiteError, WordPressSite, missing_requirements, start_site


def _site(tls: bool) -> Iterator[WordPressSite]:
    label = "real shop (https)" if tls else "real shop"
    reason = missing_requirements()
    if reason:
        unavailable(f"{label}: {reason}")
    try:
        site = start_site(tls=tls)
    except SiteError as exc:
        unavailable(f"{label} did not start: {exc}")
        raise
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    """One plain-http shop with the plugin for the whole run, torn down at the end.

    Missing PHP or MariaDB → skipped locally, a failure under ASSIST_REQUIRE_SERVICES=1.
    Tests share the site: create your own users, orders and tickets and read back only those.
    """
    yield from _site(tls=False)


@pytest.fixture(scope="session")
def wordpress_tls() -> Iterator[WordPressSite]:
    """One HTTPS shop with the plugin (trust ``wordpress_tls.shop.ca``), shared like ``wordpress``."""
    yield from _site(tls=True)
