"""pytest fixtures for the real WordPress; loaded from tests/conftest.py so that any test
(plugin tests, contract tests, end-to-end sync tests) can ask for ``wordpress``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services import unavailable
from tests.wordpress.site import SiteError, WordPressSite, missing_requirements, start_site


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSite]:
    """One WordPress for the whole run, brought up from nothing and torn down at the end.

    Missing packages or MariaDB → skipped locally, a failure under ASSIST_REQUIRE_SERVICES=1.
    Tests share the site: create your own tickets and read back only what you created.
    """
    reason = missing_requirements()
    if reason:
        unavailable(f"real WordPress: {reason}")
    try:
        site = start_site()
    except SiteError as exc:
        unavailable(f"real WordPress did not start: {exc}")
        raise
    try:
        yield site
    finally:
        site.stop()
