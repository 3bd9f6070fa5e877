"""The job table and ``assist-sync run``: what is scheduled, how often, and its failures."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from pathlib import Path

from click.testing import CliRunner

from config import load_settings
from jobs.cli import cli
from jobs.leader import FileLock, lock_path_for
from jobs.runs import JobRunner
from jobs.tasks import job_table
from ledger.db import open_database
from ledger.records import RunRecord
from sandbox import Sandbox
from tests.env_file import empty_env_file
from tests.jobs.processes import assist_sync, daemon_env

SHOP = {
    "WOO_URL": "https://shop.example",
    "WOO_CONSUMER_KEY": "ck_x",
    "WOO_CONSUMER_SECRET": "cs_x",
}
AREA = {"WP_URL": "https://shop.example", "WP_USERNAME": "bot", "WP_APP_PASSWORD": "abcd efgh"}


def names(env: dict[str, str]) -> list[str]:
    specs, _ = job_table(load_settings(env, dotenv_path=None))
    return [spec.name for spec in specs]


def test_jobs_follow_what_is_configured() -> None:
    assert names({}) == []
    assert names(SHOP) == ["orders", "sweep", "reconcile"]
    assert names(AREA) == ["client_area", "accounts", "sweep"]
    assert names({**SHOP, **AREA}) == ["orders", "client_area", "accounts", "sweep", "reconcile"]
    _, left_out = job_table(load_settings(SHOP, dotenv_path=None))
    assert left_out["accounts"] == [
        f"{name} is not set (put it in the environment or in .env)"
        for name in ("WP_URL", "WP_USERNAME", "WP_APP_PASSWORD")
    ]


def test_intervals_are_settings() -> None:
    env = {**SHOP, **AREA, "ASSIST_ORDERS_INTERVAL": "30", "ASSIST_RECONCILE_INTERVAL": "7200"}
    specs, _ = job_table(load_settings(env, dotenv_path=None))
    intervals = {spec.name: spec.interval_seconds for spec in specs}
    assert intervals == {
        "orders": 30,
        "client_area": 120,
        "accounts": 60,
        "sweep": 3600,
        "reconcile": 7200,
    }


def test_run_without_a_remote_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSIST_", "WOO_", "WP_"))}
    env["ASSIST_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    done = subprocess.run(
        [*assist_sync(), "--env-file", empty_env_file(tmp_path), "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("error: nothing to run: set WOO_URL")
    assert "Traceback" not in done.stderr


def test_run_once_runs_every_job_then_exits(sandbox: Sandbox, tmp_path: Path) -> None:
    database = tmp_path / "ledger.sqlite3"
    env = daemon_env(sandbox, f"sqlite:///{database}")
    result = CliRunner().invoke(
        cli, ["--env-file", empty_env_file(tmp_path), "run", "--once"], env=env
    )
    assert result.exit_code == 0, result.output
    assert sandbox.area.accounts  # accounts pushed in the same pass
    from ledger.store import LedgerStore

    db = open_database(f"sqlite:///{database}")
    try:
        with db.read() as session:
            runs = LedgerStore(session).last_runs()
    finally:
        db.close()
    assert {job: run.outcome for job, run in runs.items()} == {
        "orders": "ok",
        "client_area": "ok",
        "accounts": "ok",
        "sweep": "ok",
        "reconcile": "ok",
    }


def test_run_once_refuses_while_a_daemon_leads(sandbox: Sandbox, tmp_path: Path) -> None:
    database = tmp_path / "ledger.sqlite3"
    env = daemon_env(sandbox, f"sqlite:///{database}")
    with FileLock(lock_path_for(database)) as lock:
        assert lock.try_acquire()
        result = CliRunner().invoke(
            cli, ["--env-file", empty_env_file(tmp_path), "run", "--once"], env=env
        )
    assert result.exit_code != 0
    assert "a daemon is running on this database" in str(result.exception) + result.output


def test_a_hanging_shop_fails_the_run_at_its_deadline(sandbox: Sandbox, tmp_path: Path) -> None:
    import time

    from jobs.runs import JobSpec
    from jobs.tasks import run_orders

    env = daemon_env(sandbox, f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    env["ASSIST_RUN_DEADLINE"] = "2"
    settings = load_settings(env, dotenv_path=None)
    db = open_database(settings.database_url)
    try:
        runner = JobRunner(db, settings)
        sandbox.faults.hang(30, count=20, path="/wc/v3/orders")
        began = time.monotonic()
        hung = runner.run(JobSpec("orders", run_orders, 60))
        assert time.monotonic() - began < 8
        assert hung.outcome == "failed"
        assert (hung.error or "").startswith("deadline of 2 s exceeded")

        sandbox.faults.clear()
        sandbox.faults.rate_limit(count=20, retry_after=120, path="/wc/v3/orders")
        asked = len(sandbox.requests)
        began = time.monotonic()
        limited = runner.run(JobSpec("orders", run_orders, 60))
        # Retry-After (120 s) beyond the deadline: the run fails on the first answer, without
        # waiting or retrying before the host allows it.
        assert time.monotonic() - began < 1.5
        assert len(sandbox.requests) - asked == 1
        assert limited.outcome == "failed"
        assert "retry in 120 s (Retry-After), after this run's deadline" in (limited.error or "")
    finally:
        db.close()


def test_the_reconciliation_is_recorded_once_as_reconcile(sandbox: Sandbox, tmp_path: Path) -> None:
    database = tmp_path / "ledger.sqlite3"
    settings = load_settings(daemon_env(sandbox, f"sqlite:///{database}"), dotenv_path=None)
    specs = {spec.name: spec for spec in job_table(settings)[0]}
    db = open_database(settings.database_url)
    try:
        record = JobRunner(db, settings).run(specs["reconcile"])
    finally:
        db.close()
    assert record.outcome == "ok" and record.summary["orders_read"] > 0
    with sqlite3.connect(database) as conn:
        jobs = [row[0] for row in conn.execute("SELECT job FROM sync_runs")]
    # One row: the incremental "orders" job keeps its own last run (and its rhythm after a
    # restart); the full pass is "reconcile" only, with the sync's figures.
    assert jobs == ["reconcile"]


def run_while_stopping(env: dict[str, str], job: str) -> RunRecord:
    """``job`` run by a daemon that is stopping, after one ordinary orders run."""
    settings = load_settings(env, dotenv_path=None)
    specs = {spec.name: spec for spec in job_table(settings)[0]}
    db = open_database(settings.database_url)
    try:
        assert JobRunner(db, settings).run(specs["orders"]).outcome == "ok"
        stopping = threading.Event()
        stopping.set()
        return JobRunner(db, settings, stop=stopping).run(specs[job])
    finally:
        db.close()


def test_the_sweep_stops_between_clients_when_the_daemon_stops(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    env = daemon_env(sandbox, f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    for name in ("WP_URL", "WP_USERNAME", "WP_APP_PASSWORD"):
        env.pop(name)  # no client area: the sweep makes no request that would notice the stop
    record = run_while_stopping(env, "sweep")
    assert (record.outcome, record.error) == ("failed", "stopped: the daemon is shutting down")


def test_the_accounts_job_queues_nothing_once_the_daemon_stops(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    database = tmp_path / "ledger.sqlite3"
    record = run_while_stopping(daemon_env(sandbox, f"sqlite:///{database}"), "accounts")
    assert (record.outcome, record.error) == ("failed", "stopped: the daemon is shutting down")
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
