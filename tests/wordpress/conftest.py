"""Plugin tests: every test here runs against the shared real WordPress, and fails if the
plugin's own PHP logged a notice, warning or error while it ran."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wordpress.site import WordPressSite


@pytest.fixture(autouse=True)
def plugin_php_stays_quiet(wordpress: WordPressSite) -> Iterator[None]:
    before = len(wordpress.plugin_log_lines())
    yield
    new = wordpress.plugin_log_lines()[before:]
    assert not new, "the plugin logged PHP problems:\n" + "\n".join(new[:20])
