"""``assist-sync demo --keep-running``: sandbox, one full pass, a table, then the daemon."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.jobs.processes import assist_sync, wait_for


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_demo_shows_every_client_then_keeps_running_until_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSIST_", "WOO_", "WP_"))}
    # The demo ignores whatever the environment or .env says about the shop and the ledger.
    env.update(WOO_URL="https://real-shop.example", ASSIST_DATABASE_URL="postgresql://x@nowhere/db")
    (tmp_path / ".env").write_text("WOO_CONSUMER_KEY=ck_real\n")
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*assist_sync(), "demo", "--keep-running"],
            cwd=tmp_path,
            env={**env, "COLUMNS": "160", "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "Ctrl-C stops both" in log.read_text(), 300, "the demo table", [log])
        wait_for(lambda: "WP_APP_PASSWORD=" in log.read_text(), 10, "the .env lines", [log])
        output = log.read_text()
        for step in ("reconcile ok", "client_area ok", "sweep ok", "accounts ok"):
            assert step in output
        assert "Remaining" in output and "Open packs" in output and "Warnings" in output
        assert "export ASSIST_DATABASE_URL=sqlite:///assist-sync-demo.sqlite3" in output
        env_lines = dict(
            line.strip().split("=", 1)
            for line in output.splitlines()
            if line.strip().startswith(("WOO_", "WP_"))
        )
        url = env_lines["WOO_URL"]
        assert url.startswith("http://127.0.0.1:")
        # The sandbox still answers, and the daemon leads on the demo ledger.
        assert requests.get(f"{url}/wp-json/", timeout=10).status_code == 200
        wait_for(lambda: "leading: jobs scheduled" in log.read_text(), 30, "the daemon", [log])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    output = log.read_text()
    assert code == 0, output[-3000:]
    assert "Traceback" not in output
    database = tmp_path / "assist-sync-demo.sqlite3"
    with sqlite3.connect(database) as conn:
        clients = conn.execute("SELECT count(*) FROM clients").fetchone()[0]
        lots = conn.execute("SELECT count(*) FROM lots").fetchone()[0]
        outcomes = dict(conn.execute("SELECT job, outcome FROM sync_runs ORDER BY id"))
    assert clients > 5 and lots > 5
    assert outcomes["reconcile"] == outcomes["sweep"] == outcomes["accounts"] == "ok"
    # Every client of the ledger has its row in the table.
    with sqlite3.connect(database) as conn:
        emails = [row[0] for row in conn.execute("SELECT email FROM clients")]
    assert all(email in output for email in emails if email)


def test_a_second_demo_on_the_same_ledger_is_refused(tmp_path: Path) -> None:
    from jobs.leader import FileLock, lock_path_for

    database = tmp_path / "assist-sync-demo.sqlite3"
    with FileLock(lock_path_for(database)) as lock:
        assert lock.try_acquire()
        started = time.monotonic()
        done = subprocess.run(
            [*assist_sync(), "demo", "--database", str(database)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: another demo is running on {database} (stop it first)"
    assert time.monotonic() - started < 30
