"""The shop harness itself: a run that died without its teardown is swept by the next one,
while live runs are left alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.realshop.instance import sweep_abandoned_instances
from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress
REPO = Path(__file__).resolve().parents[2]

ABANDON = """
import os
from tests.realshop.instance import start_instance
shop = start_instance()
print(shop.home, shop.url, shop.env["REALSHOP_DB"], flush=True)
os._exit(0)  # as if killed: no teardown
"""


def test_a_shop_left_behind_by_a_dead_run_is_swept(wordpress: WordPressSite) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ABANDON], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    home, url, database = done.stdout.split()
    assert requests.get(f"{url}/wp-json/", timeout=30).ok
    assert _database_exists(wordpress, database)

    swept = sweep_abandoned_instances()

    assert Path(home) in swept and wordpress.shop.home not in swept
    assert not Path(home).exists() and wordpress.shop.home.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/wp-json/", timeout=5)
    assert not _database_exists(wordpress, database)
    assert requests.get(f"{wordpress.url}/wp-json/", timeout=30).ok


def _database_exists(site: WordPressSite, name: str) -> bool:
    out = site.php_json(
        "global $wpdb; echo wp_json_encode((int) $wpdb->get_var("
        "$wpdb->prepare('SELECT COUNT(*) FROM information_schema.SCHEMATA "
        "WHERE SCHEMA_NAME = %s', $args)));",
        name,
    )
    return bool(out)
