"""Two ``assist-sync run`` processes on one PostgreSQL database, against the sandbox.

Exactly one leads: every job runs once per tick, never twice. Killing the leader with SIGKILL
(mid-transaction, perhaps) hands the jobs over to the other within 30 s, which picks up an order
placed after the kill. No lot is opened twice: the lots opened, as the runs report them, add up
to the lots the ledger holds.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from sandbox import Sandbox
from tests.env_file import empty_env_file
from tests.jobs.processes import assist_sync, daemon_env, wait_for

HANDOVER_LIMIT = 30


@pytest.mark.slow
@pytest.mark.postgres
def test_one_leader_runs_each_tick_once_and_kill_9_hands_over(
    sandbox: Sandbox, postgres_url: str, tmp_path: Path
) -> None:
    env = daemon_env(sandbox, postgres_url)
    engine = sa.create_engine(postgres_url)

    def rows(sql: str, **params: object) -> list[sa.Row[tuple[object, ...]]]:
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(sql), params))
        except sa.exc.ProgrammingError:  # tables not created yet
            return []

    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for log in logs:
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [*assist_sync(), "--env-file", empty_env_file(tmp_path), "run"],
                        cwd=tmp_path,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        ok_runs = "SELECT count(*) FROM sync_runs WHERE job = 'client_area' AND outcome = 'ok'"
        wait_for(lambda: rows(ok_runs) and rows(ok_runs)[0][0] >= 4, 180, "four ticks", logs)
        leading = [i for i, log in enumerate(logs) if "leading: jobs scheduled" in log.read_text()]
        assert len(leading) == 1, "not exactly one leader"
        leader, follower = procs[leading[0]], procs[1 - leading[0]]
        assert "another daemon leads" in logs[1 - leading[0]].read_text()

        leader.send_signal(signal.SIGKILL)
        leader.wait(timeout=10)
        order = sandbox.shop.add_order(min(sandbox.shop.customer_ids()), [("ASSIST-3H", 1)])
        took = wait_for(
            lambda: rows("SELECT id FROM lots WHERE order_id = :o", o=order.id),
            HANDOVER_LIMIT,
            "the order placed after the kill, synced by the new leader",
            logs,
        )
        print(f"handover after kill -9: {took:.1f} s")  # quoted with -s
        assert took < HANDOVER_LIMIT
        assert "leading: jobs scheduled" in logs[1 - leading[0]].read_text()
        time.sleep(3)
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(timeout=60) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # Once per tick: two ok runs of one job never start within half an interval (1 s).
    for job in ("client_area", "accounts"):
        starts = [
            r[0]
            for r in rows(
                "SELECT started_at FROM sync_runs WHERE job = :j AND outcome = 'ok' "
                "ORDER BY started_at",
                j=job,
            )
        ]
        assert len(starts) >= 5
        for a, b in itertools.pairwise(starts):
            assert (b - a).total_seconds() >= 0.5, f"{job} ran twice in one tick at {a}, {b}"
    # No lot opened twice: the lots_opened of the orders and reconcile runs add up to the lots
    # in the ledger.
    opened = sum(
        int(summary.get("lots_opened", 0))
        for (summary,) in rows("SELECT summary FROM sync_runs WHERE job IN ('orders', 'reconcile')")
        if isinstance(summary, dict)
    )
    lots = rows("SELECT count(*), count(DISTINCT id) FROM lots")[0]
    assert lots[0] == lots[1]
    assert opened == lots[0]
    # The run the kill interrupted left nothing half-written: every run has an outcome.
    assert not rows("SELECT id FROM sync_runs WHERE finished_at IS NULL OR outcome IS NULL")
    engine.dispose()
