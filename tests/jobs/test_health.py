"""``assist-sync health``: the daemon's heartbeat is its newest recorded run."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jobs.health import default_max_age, judge
from jobs.runs import JobSpec
from ledger.db import open_database
from ledger.records import RunRecord
from ledger.store import LedgerStore
from tests.env_file import empty_env_file
from tests.jobs.processes import assist_sync

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SHOP = {"WOO_URL": "http://127.0.0.1:9", "WOO_CONSUMER_KEY": "ck_x", "WOO_CONSUMER_SECRET": "cs_x"}


def run(job: str, finished_ago: float, outcome: str = "ok") -> RunRecord:
    finished = NOW - timedelta(seconds=finished_ago)
    return RunRecord(job, finished - timedelta(seconds=2), finished, outcome, {}, None)


def test_the_default_age_is_three_shortest_intervals_and_a_deadline() -> None:
    specs = [JobSpec("orders", lambda c: {}, 300), JobSpec("sweep", lambda c: {}, 60)]
    assert default_max_age(specs, deadline_seconds=900) == 3 * 60 + 900


def test_the_newest_run_of_any_job_is_the_heartbeat() -> None:
    runs = {"reconcile": run("reconcile", 5000), "orders": run("orders", 100, "failed")}
    verdict = judge(runs, NOW, max_age=120)
    # A failed run still shows a daemon at work (status says why it failed).
    assert verdict.healthy
    assert verdict.line == "healthy: last run orders (failed) 100 s ago (at most 120 s)"
    stale = judge(runs, NOW, max_age=99)
    assert not stale.healthy
    assert stale.line.startswith("last run orders (failed) 100 s ago, more than 99 s")


def test_no_run_yet_is_not_healthy() -> None:
    verdict = judge({}, NOW, max_age=600)
    assert not verdict.healthy and verdict.line.startswith("no run recorded yet")


def health(database: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ASSIST_", "WOO_", "WP_"))}
    base.update(SHOP if env is None else env)
    base["ASSIST_DATABASE_URL"] = f"sqlite:///{database}"
    done = subprocess.run(
        [*assist_sync(), "--env-file", empty_env_file(database.parent), "health", *args],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    return done.returncode, (done.stdout + done.stderr).strip()


def record(database: Path, finished_ago: float) -> None:
    db = open_database(f"sqlite:///{database}")
    try:
        now = datetime.now(UTC)
        finished = now - timedelta(seconds=finished_ago)
        with db.transaction() as session:
            LedgerStore(session).record_run(RunRecord("orders", finished, finished, "ok", {}, None))
    finally:
        db.close()


@pytest.mark.timeout(120)
def test_the_command_exits_0_only_while_runs_are_recent(tmp_path: Path) -> None:
    database = tmp_path / "ledger.sqlite3"
    # No ledger yet: one line, exit 1 (never 2, which Docker reserves).
    code, line = health(database)
    assert code == 1 and line.startswith("error: ") and "\n" not in line
    record(database, finished_ago=7200)
    # The shop alone: orders every 300 s is the shortest job; deadline 900 s → 3 × 300 + 900.
    code, line = health(database)
    assert code == 1
    assert re.fullmatch(
        r"error: last run orders \(ok\) 720\d s ago, more than 1800 s: no daemon is running "
        r"the jobs on this database",
        line,
    )
    assert health(database, "--max-age", "10000")[0] == 0
    record(database, finished_ago=30)
    code, line = health(database)
    assert code == 0
    assert re.fullmatch(r"healthy: last run orders \(ok\) 3\d s ago \(at most 1800 s\)", line)


def test_the_command_fails_with_one_line_without_a_job_to_run(tmp_path: Path) -> None:
    database = tmp_path / "ledger.sqlite3"
    record(database, finished_ago=0)
    code, line = health(database, env={})
    assert (code, line) == (1, "error: nothing to run: neither the shop nor the client area is set")
    code, line = health(database, env={**SHOP, "ASSIST_ORDERS_INTERVAL": "soon"})
    assert code == 1 and line.startswith("error: configuration: ASSIST_ORDERS_INTERVAL")


def under_way(job: str, started_ago: float, deadline: int | None = 300) -> RunRecord:
    summary = {} if deadline is None else {"deadline": deadline}
    return RunRecord(job, NOW - timedelta(seconds=started_ago), None, "running", summary, None)


def test_a_run_past_its_deadline_is_unhealthy_whatever_else_was_recorded() -> None:
    # The hung job's ticks are recorded as skipped every minute: a fresh heartbeat.
    runs = {"orders": run("orders", 5, "skipped"), "accounts": run("accounts", 2, "skipped")}
    verdict = judge(runs, NOW, max_age=600, under_way=[under_way("orders", 400)], grace=60)
    assert not verdict.healthy
    assert verdict.line == (
        "orders has been running for 400 s, beyond its deadline of 300 s (+60 s): it hangs — "
        "restart the daemon"
    )


def test_a_run_within_its_deadline_and_grace_is_fine() -> None:
    runs = {"orders": run("orders", 5, "skipped")}
    assert judge(runs, NOW, max_age=600, under_way=[under_way("orders", 360)], grace=60).healthy
    # Without the deadline in its marker, the configured one applies.
    old = under_way("sweep", 1000, deadline=None)
    assert judge(runs, NOW, 600, under_way=[old], deadline_seconds=2000).healthy
    assert not judge(runs, NOW, 600, under_way=[old], deadline_seconds=900, grace=60).healthy
