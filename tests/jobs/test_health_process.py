"""``assist-sync health`` against a real daemon whose job hangs.

The daemon (a separate ``assist-sync run`` process, PostgreSQL ledger, the sandbox as shop and
client area, 1 s intervals, a 3 s run deadline) first meets a sandbox that holds a connection
open without answering: the request ends with the run's deadline, the run is recorded as
failed, and the daemon is healthy — a slow shop is no hung daemon. Then the test holds a lock on
every ledger table but ``sync_runs``: the next run waits for it with nothing to stop it, while
the scheduler goes on recording the ticks it skips. ``health`` must fail, naming the job, once
the run is past its deadline and grace — and be healthy again when the lock is released.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from sandbox import Sandbox
from tests.env_file import empty_env_file
from tests.jobs.processes import assist_sync, daemon_env, start_daemon, stop_daemon, wait_for

GRACE = 2


def health(env: dict[str, str], tmp_path: Path) -> tuple[int, str]:
    done = subprocess.run(
        [*assist_sync(), "--env-file", empty_env_file(tmp_path), "health", "--grace", str(GRACE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    return done.returncode, (done.stdout + done.stderr).strip()


@contextmanager
def ledger_locked(engine: sa.Engine) -> Iterator[None]:
    """Every ledger table but ``sync_runs`` (and the schema version) locked until exit."""
    with engine.connect() as conn, conn.begin() as transaction:
        tables = conn.scalars(
            sa.text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() "
                "AND table_name NOT IN ('sync_runs', 'alembic_version')"
            )
        ).all()
        conn.execute(sa.text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_health_fails_while_a_run_outlives_its_deadline(
    sandbox: Sandbox, postgres_url: str, tmp_path: Path
) -> None:
    env = daemon_env(sandbox, postgres_url)
    env["ASSIST_RUN_DEADLINE"] = "3"
    log = tmp_path / "daemon.log"
    engine = sa.create_engine(postgres_url)

    def rows(sql: str) -> list[sa.Row[tuple[object, ...]]]:
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(sql)))
        except sa.exc.ProgrammingError:  # no tables yet
            return []

    proc = start_daemon(env, tmp_path, log)
    try:
        # The first runs of every job (the hourly ones too) are over: orders runs alone.
        first = "SELECT DISTINCT job FROM sync_runs WHERE outcome IN ('ok', 'failed')"
        wait_for(lambda: len(rows(first)) == 5, 60, "a first run of every job", [log])

        # A hanging shop: the run ends with its deadline, recorded as failed; all is well.
        hung_at = datetime.now(UTC)
        sandbox.faults.hang(60, path="/wc/v3/orders")
        failed = (
            "SELECT finished_at - started_at FROM sync_runs WHERE job = 'orders' "
            f"AND outcome = 'failed' AND finished_at >= '{hung_at.isoformat()}'"
        )
        wait_for(lambda: rows(failed), 30, "the orders run held by the shop to fail", [log])
        assert rows(failed)[0][0].total_seconds() < 3 + 1.5  # its deadline, and one request
        assert health(env, tmp_path)[0] == 0

        with ledger_locked(engine):
            locked_at = datetime.now(UTC)
            # The run that meets the lock (it may have started just before it).
            running = "SELECT job FROM sync_runs WHERE outcome = 'running'"
            wait_for(lambda: rows(running), 30, "a run held by the lock", [log])
            [(job,)] = rows(running)
            skipped = (
                f"SELECT 1 FROM sync_runs WHERE outcome = 'skipped' AND job = '{job}' "
                f"AND finished_at >= '{locked_at.isoformat()}'"
            )
            wait_for(lambda: rows(skipped), 30, "ticks recorded as skipped meanwhile", [log])
            time.sleep(3 + GRACE + 1)
            code, line = health(env, tmp_path)
            assert code == 1, line
            assert line.startswith(f"error: {job} has been running for "), line
            assert line.endswith("beyond its deadline of 3 s (+2 s): it hangs — restart the daemon")
            assert len(line.splitlines()) == 1
        # Released, the run goes on to its end (past its deadline: failed) and health recovers.
        wait_for(lambda: not rows(running), 30, "the held run to end", [log])
        code, line = health(env, tmp_path)
        assert code == 0, line
    finally:
        code = stop_daemon(proc)
        engine.dispose()
    assert code == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
