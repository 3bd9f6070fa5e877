"""``assist-sync run`` as a real process against the sandbox: it works by itself, stops cleanly.

The sandbox (shop and client area) serves from this test process; the daemon is a separate
process pointed at it with short intervals. Without any manual command, lots are opened from
paid orders and accounts are pushed to the client area; a pack bought while it runs is picked up
on the next tick. SIGTERM then stops it with exit code 0 and nothing half-written.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.env_file import empty_env_file
from tests.jobs.processes import assist_sync, daemon_env, start_daemon, stop_daemon, wait_for


def query(database: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
        try:
            return list(conn.execute(sql, args))
        except sqlite3.OperationalError:  # tables not created yet
            return []


@pytest.mark.slow
def test_the_daemon_syncs_by_itself_and_stops_cleanly_on_sigterm(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    database = tmp_path / "ledger.sqlite3"
    log = tmp_path / "daemon.log"
    env = daemon_env(sandbox, f"sqlite:///{database}")
    env["ASSIST_LOG_FORMAT"] = "json"
    proc = start_daemon(env, tmp_path, log)
    try:
        lots = "SELECT count(*) FROM lots"
        wait_for(
            lambda: query(database, lots) and query(database, lots)[0][0] > 0, 60, "lots", [log]
        )
        wait_for(lambda: sandbox.area.accounts, 180, "accounts pushed", [log])

        # A pack bought while the daemon runs is picked up and pushed without any command.
        client = min(sandbox.shop.customer_ids())
        order = sandbox.shop.add_order(client, [("ASSIST-5H", 1)])
        lot_of_order = "SELECT id FROM lots WHERE order_id = ?"
        wait_for(lambda: query(database, lot_of_order, order.id), 30, "the new lot", [log])
        lot_id = query(database, lot_of_order, order.id)[0][0]

        def pushed() -> bool:
            account = sandbox.area.accounts.get(client)
            return account is not None and lot_id in {
                lot["id"] for lot in account.payload.get("lots", [])
            }

        wait_for(pushed, 30, "the new lot on the client's account", [log])
    finally:
        code = stop_daemon(proc)
    output = log.read_text()
    assert code == 0, output[-3000:]
    # ASSIST_LOG_FORMAT=json: every line is one JSON object.
    records = [json.loads(line) for line in output.splitlines()]
    messages = [record["message"] for record in records]
    assert "SIGTERM received: stopping" in messages
    assert messages[-1] == "daemon stopped"
    assert "Traceback" not in output
    # One line per run, with its figures; no secret anywhere.
    orders = [r for r in records if r.get("job") == "orders" and r.get("outcome") == "ok"]
    assert orders and orders[0]["message"].startswith("orders ok in")
    assert "lots_opened=" in orders[0]["message"]
    assert sum(r["summary"]["lots_opened"] for r in orders) > 0
    for secret in (sandbox.consumer_secret, sandbox.consumer_key, sandbox.wp_app_password):
        assert secret not in output
        assert secret.replace(" ", "") not in output
    # Nothing half-written: every run finished with a known outcome; the file is intact.
    runs = query(database, "SELECT job, outcome, finished_at FROM sync_runs")
    assert runs
    assert all(outcome in {"ok", "failed", "skipped"} and finished for _, outcome, finished in runs)
    assert {job for job, outcome, _ in runs if outcome == "ok"} >= {"orders", "client_area"}
    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    lot_ids = [row[0] for row in query(database, "SELECT id FROM lots")]
    assert len(lot_ids) == len(set(lot_ids))


@pytest.mark.slow
def test_sigterm_in_the_middle_of_a_run_leaves_nothing_half_written(tmp_path: Path) -> None:
    """Stopped while the first orders run reads a slow shop: the run ends at its next request,
    is recorded as failed, and the next daemon ends with exactly the lots of an unbroken run."""
    database = tmp_path / "ledger.sqlite3"
    log = tmp_path / "daemon.log"
    with Sandbox(seed=7, clients=12, orders=40, latency_ms=400) as slow:
        env = daemon_env(slow, f"sqlite:///{database}")
        command = [*assist_sync(), "--env-file", empty_env_file(tmp_path), "run"]
        with log.open("wb") as out:
            proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=out)
        try:
            wait_for(lambda: slow.count("/wc/v3/orders") >= 1, 60, "the first page", [log])
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
        output = log.read_text()
        assert code == 0, output[-3000:]
        assert "orders failed" in output and "stopped: the daemon is shutting down" in output
        runs = query(database, "SELECT job, outcome, error FROM sync_runs WHERE job = 'orders'")
        assert runs == [("orders", "failed", "stopped: the daemon is shutting down")]
        assert query(database, "SELECT value FROM sync_cursors WHERE name = 'orders'") == []
        interrupted = {row[0] for row in query(database, "SELECT id FROM lots")}

        # Started again, the daemon finishes the work: nothing lost, nothing doubled.
        slow.latency_ms = 0
        with log.open("ab") as out:
            proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=out)
        try:
            ok = "SELECT count(*) FROM sync_runs WHERE job = 'orders' AND outcome = 'ok'"
            wait_for(
                lambda: query(database, ok) and query(database, ok)[0][0] >= 2, 120, "ok", [log]
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
    lots = [row[0] for row in query(database, "SELECT id FROM lots")]
    assert len(lots) == len(set(lots))
    assert interrupted <= set(lots)
    # The same seed gives the same shop: an unbroken run on it opens the same lots.
    reference = tmp_path / "reference.sqlite3"
    with Sandbox(seed=7, clients=12, orders=40) as fresh:
        done = subprocess.run(
            [*assist_sync(), "--env-file", empty_env_file(tmp_path), "run", "--once"],
            cwd=tmp_path,
            env=daemon_env(fresh, f"sqlite:///{reference}"),
            capture_output=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(lots) == sorted(row[0] for row in query(reference, "SELECT id FROM lots"))
