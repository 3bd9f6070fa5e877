"""Real daemon processes on one database: one leader runs each tick once; kill -9 hands over."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.db import Database, open_database
from ledger.models import SyncRun
from tests.jobs.counting_daemon import JOB, RUN_SECONDS

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 1
HANDOVER_LIMIT = 30


def start_daemon(url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.counting_daemon", url, str(INTERVAL)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def runs(db: Database) -> list[tuple[float, float, int]]:
    """(start, end, pid) of every finished count run, in order."""
    with db.read() as session:
        rows = session.query(SyncRun).filter(SyncRun.job == JOB).order_by(SyncRun.id).all()
        return [
            (r.started_at.timestamp(), r.finished_at.timestamp(), int(r.summary["pid"]))
            for r in rows
            if r.outcome == "ok" and r.finished_at is not None
        ]


def wait_for(predicate: object, seconds: float, what: str) -> float:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if predicate():  # type: ignore[operator]
            return time.monotonic() - began
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {seconds} s")


def assert_once_per_tick(found: list[tuple[float, float, int]]) -> None:
    for (start_a, end_a, pid_a), (start_b, _, pid_b) in itertools.pairwise(found):
        # Never two runs at the same time, never two runs within one tick.
        assert start_b >= end_a, f"runs overlap: {pid_a} and {pid_b}"
        assert start_b - start_a >= INTERVAL * 0.5, f"two runs in one tick: {pid_a}, {pid_b}"


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    else:
        from tests.services import postgres_schema

        with postgres_schema() as url:
            yield url


@pytest.mark.slow
def test_two_daemons_one_leader_and_kill_9_hands_over(shared_url: str, tmp_path: Path) -> None:
    db = open_database(shared_url)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = {}
    try:
        for log in logs:
            proc = start_daemon(shared_url, log)
            procs[proc.pid] = proc
        wait_for(lambda: len(runs(db)) >= 4, 20, "four runs")
        found = runs(db)
        assert_once_per_tick(found)
        leaders = {pid for _, _, pid in found}
        assert len(leaders) == 1, "two processes ran the job"
        leader = leaders.pop()
        (follower,) = set(procs) - {leader}

        procs[leader].send_signal(signal.SIGKILL)
        procs[leader].wait(timeout=10)
        killed_at = time.time()
        took = wait_for(
            lambda: any(pid == follower for _, _, pid in runs(db)), HANDOVER_LIMIT, "handover"
        )
        print(f"handover after kill -9: {took:.1f} s")  # quoted with -s
        assert took < HANDOVER_LIMIT
        wait_for(lambda: sum(pid == follower for _, _, pid in runs(db)) >= 3, 10, "new leader")
        found = runs(db)
        assert_once_per_tick(found)
        assert all(pid == leader for start, _, pid in found if start < killed_at - RUN_SECONDS)

        procs[follower].send_signal(signal.SIGTERM)
        assert procs[follower].wait(timeout=20) == 0
        with db.read() as session:
            assert session.query(SyncRun).filter(SyncRun.finished_at.is_(None)).count() == 0
        output = logs[0].read_text() + logs[1].read_text()
        assert "leading: jobs scheduled" in output
        assert "another daemon leads" in output
        assert "Traceback" not in output
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        db.close()
