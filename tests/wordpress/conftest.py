"""Plugin tests: every test here runs against the shared real WordPress, and fails if the
plugin's own PHP logged a notice, warning or error while it ran."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.services import unavailable
from tests.wordpress.browser import chromium, missing_browser
from tests.wordpress.site import WordPressSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(autouse=True)
def plugin_php_stays_quiet(wordpress: WordPressSite) -> Iterator[None]:
    before = len(wordpress.plugin_log_lines())
    yield
    new = wordpress.plugin_log_lines()[before:]
    assert not new, "the plugin logged PHP problems:\n" + "\n".join(new[:20])


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium for the whole run (skipped, or failed under
    ASSIST_REQUIRE_SERVICES=1, where it is missing)."""
    reason = missing_browser()
    if reason:
        unavailable(f"browser: {reason}")
    with chromium() as launched:
        yield launched
