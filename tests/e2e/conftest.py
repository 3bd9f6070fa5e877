"""The real shops (plain http and HTTPS) as one parametrised fixture, and the real executable."""

from __future__ import annotations

import pytest

from tests.wordpress.site import WordPressSite


@pytest.fixture(params=["http", "https"])
def real_site(request: pytest.FixtureRequest) -> WordPressSite:
    """The session's plain-http shop (OAuth 1.0a), then its HTTPS one (Basic auth, own CA)."""
    name = "wordpress" if request.param == "http" else "wordpress_tls"
    site: WordPressSite = request.getfixturevalue(name)
    return site
