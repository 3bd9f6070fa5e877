"""The schedule: UTC interval jobs with explicit options; missed and refused ticks recorded."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from config import load_settings
from jobs.runs import FAILED, OK, SKIPPED, JobContext, JobRunner, JobSpec
from jobs.scheduler import (
    MAX_MISFIRE_GRACE,
    TIE_BREAK,
    build_scheduler,
    first_run_at,
    misfire_grace,
)
from ledger.db import Database, open_database
from ledger.models import SyncRun
from ledger.records import RunRecord

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_misfire_grace_is_half_the_interval_within_bounds() -> None:
    assert misfire_grace(1) == 1
    assert misfire_grace(2) == 1
    assert misfire_grace(120) == 60
    assert misfire_grace(3600) == 1800
    assert misfire_grace(86400) == MAX_MISFIRE_GRACE


def test_first_run_continues_the_recorded_rhythm() -> None:
    assert first_run_at(None, 300, NOW) == NOW
    assert first_run_at(NOW - timedelta(seconds=100), 300, NOW) == NOW + timedelta(seconds=200)
    assert first_run_at(NOW - timedelta(seconds=300), 300, NOW) == NOW
    assert first_run_at(NOW - timedelta(days=2), 86400, NOW) == NOW


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    database = open_database(sqlite_url)
    try:
        yield database
    finally:
        database.close()


def runs_of(db: Database, job: str) -> list[SyncRun]:
    with db.read() as session:
        rows = session.query(SyncRun).filter(SyncRun.job == job).order_by(SyncRun.id).all()
        session.expunge_all()
        return rows


def test_jobs_get_explicit_options_and_continue_from_the_last_run(db: Database) -> None:
    runner = JobRunner(db, load_settings({}, dotenv_path=None))
    specs = [JobSpec("orders", lambda c: {}, 300), JobSpec("reconcile", lambda c: {}, 86400)]
    last = {"orders": RunRecord("orders", NOW - timedelta(seconds=60), NOW, OK)}
    scheduler = build_scheduler(specs, runner, last_runs=last, now=NOW)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"orders", "reconcile"}
    orders = jobs["orders"]
    assert (orders.max_instances, orders.coalesce, orders.misfire_grace_time) == (1, True, 150)
    assert isinstance(orders.trigger, IntervalTrigger)
    assert orders.trigger.interval == timedelta(seconds=300)
    assert str(orders.trigger.timezone) == "UTC"
    assert orders.next_run_time == NOW + timedelta(seconds=240)
    assert jobs["reconcile"].next_run_time == NOW + TIE_BREAK  # due now, after orders
    assert jobs["reconcile"].misfire_grace_time == MAX_MISFIRE_GRACE
    assert str(scheduler.timezone) == "UTC"


def test_jobs_run_on_their_interval_and_failures_do_not_stop_them(db: Database) -> None:
    runner = JobRunner(db, load_settings({}, dotenv_path=None))
    calls: list[str] = []

    def counting(context: JobContext) -> Mapping[str, Any]:
        calls.append("count")
        return {"n": len(calls)}

    def failing(context: JobContext) -> Mapping[str, Any]:
        raise ValueError("the shop answered nonsense")

    specs = [JobSpec("count", counting, 1), JobSpec("broken", failing, 1)]
    scheduler = build_scheduler(specs, runner, last_runs={}, now=datetime.now(UTC))
    scheduler.start()
    try:
        time.sleep(3.5)
    finally:
        scheduler.shutdown(wait=True)
    counted = runs_of(db, "count")
    assert 3 <= len(counted) <= 5
    assert all(run.outcome == OK for run in counted)
    starts = [run.started_at for run in counted]
    # Once per tick: never two runs of one job within one interval.
    assert all((b - a).total_seconds() > 0.5 for a, b in itertools.pairwise(starts))
    broken = runs_of(db, "broken")
    assert len(broken) >= 3
    assert {(run.outcome, run.error) for run in broken} == {
        (FAILED, "ValueError: the shop answered nonsense")
    }


def test_a_run_still_going_makes_the_next_tick_a_recorded_skip(db: Database) -> None:
    stop = threading.Event()
    runner = JobRunner(db, load_settings({}, dotenv_path=None), stop=stop)

    def slow(context: JobContext) -> Mapping[str, Any]:
        context.deadline.sleep(2.6)
        return {}

    scheduler = build_scheduler(
        [JobSpec("slow", slow, 1)], runner, last_runs={}, now=datetime.now(UTC)
    )
    scheduler.start()
    try:
        time.sleep(2.2)
    finally:
        stop.set()
        scheduler.shutdown(wait=True)
    runs = runs_of(db, "slow")
    skipped = [run for run in runs if run.outcome == SKIPPED]
    assert skipped, [(run.outcome, run.error) for run in runs]
    assert skipped[0].error == "the previous run is still going"
    assert "scheduled_at" in skipped[0].summary
    # The slow run itself was told to stop by the shutdown, and says so.
    assert [run.error for run in runs if run.outcome == FAILED] == [
        "stopped: the daemon is shutting down"
    ]
