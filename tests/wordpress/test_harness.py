"""The WordPress harness itself: parallel runs cannot be handed the same port, and a run that
died without its teardown is swept by the next one, while live runs are left alone."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.wordpress import processes
from tests.wordpress.site import CONFIG_DIR, WordPressSite, sweep_abandoned_sites

pytestmark = pytest.mark.wordpress
REPO = Path(__file__).resolve().parents[2]


def test_the_server_moves_to_another_port_when_its_port_was_taken(
    wordpress: WordPressSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        ports = iter([busy, processes.free_port()])
        monkeypatch.setattr(processes, "free_port", lambda: next(ports))
        server, port = processes.launch_server("assist-wp-harness", tmp_path)
        try:
            assert port != busy and server.poll() is None
        finally:
            processes.kill_group(server)


ABANDON = """
import os, sys
from tests.wordpress.site import start_site
site = start_site()
print(site.name, site.url, site.workdir, flush=True)
os._exit(0)  # as if killed: no teardown
"""


def test_a_site_left_behind_by_a_dead_run_is_swept(wordpress: WordPressSite) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ABANDON], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    name, url, workdir = done.stdout.split()
    config = CONFIG_DIR / f"config-{name}.php"
    assert config.exists() and requests.get(f"{url}/wp-json/", timeout=10).ok
    assert wordpress._db is not None
    if not wordpress._db.private:  # a private server's data goes with the work directory
        assert _database_exists(wordpress, name.replace("-", "_"))

    swept = sweep_abandoned_sites()

    assert name in swept and wordpress.name not in swept
    assert not config.exists() and not Path(workdir).exists()
    assert (CONFIG_DIR / f"config-{wordpress.name}.php").exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/wp-json/", timeout=5)
    assert not _database_exists(wordpress, name.replace("-", "_"))


def _database_exists(site: WordPressSite, name: str) -> bool:
    """Asked as root: the site's own database user cannot see other databases."""
    assert site._db is not None
    code = (
        f"$m = new mysqli('{site._db.host}', 'root', '', '', {site._db.port});"
        f"echo $m->query(\"SHOW DATABASES LIKE '{name}'\")->num_rows;"
    )
    out = subprocess.run(["php", "-r", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() != "0"
