"""Every run is recorded with its outcome and figures; a failure is a record, never a crash."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config import ConfigError, load_settings
from jobs.deadline import DeadlineExceeded
from jobs.logging import MASK, Redactor
from jobs.runs import FAILED, OK, SKIPPED, JobContext, JobRunner, JobSpec, SkipRun
from ledger.db import Database, open_database
from ledger.models import SyncRun
from ledger.records import RunRecord
from ledger.store import LedgerStore

SECRET = "cs_live_secret_value_123456"


class StepClock:
    """A UTC clock that advances one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    try:
        yield database
    finally:
        database.close()


def runner_for(db: Database, **env: str) -> JobRunner:
    settings = load_settings({"WOO_CONSUMER_SECRET": SECRET, **env}, dotenv_path=None)
    redactor = Redactor()
    redactor.add_settings(settings)
    return JobRunner(db, settings, clock=StepClock(), redactor=redactor)


def stored_runs(db: Database) -> dict[str, Any]:
    with db.read() as session:
        return LedgerStore(session).last_runs()


def test_an_ok_run_is_recorded_with_its_figures(db: Database) -> None:
    seen: list[JobContext] = []

    def orders(context: JobContext) -> Mapping[str, Any]:
        seen.append(context)
        return {"orders_read": 12, "lots_opened": 2, "requests": 3}

    record = runner_for(db).run(JobSpec("orders", orders, 60))
    assert record.outcome == OK
    assert record.summary["orders_read"] == 12
    assert record.summary["requests"] == 3
    assert "seconds" in record.summary
    assert record.error is None
    assert record.finished_at is not None and record.finished_at > record.started_at
    assert seen[0].now == record.started_at
    assert seen[0].deadline.seconds == 900
    stored = stored_runs(db)["orders"]
    assert (stored.outcome, stored.summary["lots_opened"], stored.error) == (OK, 2, None)
    assert stored.started_at == record.started_at


@pytest.mark.parametrize(
    ("exception", "outcome", "error"),
    [
        (
            RuntimeError(f"GET /orders?consumer_secret={SECRET}\nsecond line"),
            FAILED,
            f"RuntimeError: GET /orders?consumer_secret={MASK}",
        ),
        (
            ConfigError(["WOO_URL is not set", "WP_URL is not set"]),
            FAILED,
            "configuration: WOO_URL is not set; WP_URL is not set",
        ),
        (DeadlineExceeded("deadline of 900 s exceeded"), FAILED, "deadline of 900 s exceeded"),
        (SkipRun("SMTP_URL is not set"), SKIPPED, "SMTP_URL is not set"),
    ],
)
def test_a_failing_job_becomes_a_recorded_run(
    db: Database, exception: Exception, outcome: str, error: str
) -> None:
    def job(context: JobContext) -> Mapping[str, Any]:
        raise exception

    record = runner_for(db).run(JobSpec("orders", job, 60))
    assert (record.outcome, record.error) == (outcome, error)
    stored = stored_runs(db)["orders"]
    assert (stored.outcome, stored.error) == (outcome, error)
    assert SECRET not in str(stored)


def test_secrets_in_the_summary_are_masked(db: Database) -> None:
    def job(context: JobContext) -> Mapping[str, Any]:
        return {"note": f"used {SECRET}", "when": datetime(2026, 1, 1, tzinfo=UTC)}

    record = runner_for(db).run(JobSpec("sweep", job, 60))
    assert record.summary["note"] == f"used {MASK}"
    assert record.summary["when"] == "2026-01-01 00:00:00+00:00"


def test_requests_are_counted_when_the_job_does_not_say(db: Database) -> None:
    def job(context: JobContext) -> Mapping[str, Any]:
        session = context.http_session()
        with pytest.raises(Exception):  # noqa: B017 - nothing listens on port 1
            session.get("http://127.0.0.1:1/", timeout=(1, 1))
        return {}

    record = runner_for(db).run(JobSpec("accounts", job, 60))
    assert record.outcome == OK
    assert record.summary["requests"] == 1


def test_a_stopping_runner_fails_its_run_cleanly(db: Database) -> None:
    runner = runner_for(db)
    runner.stop = threading.Event()
    runner.stop.set()

    def job(context: JobContext) -> Mapping[str, Any]:
        context.deadline.check()
        return {"unreached": 1}

    record = runner.run(JobSpec("orders", job, 60))
    assert record.outcome == FAILED
    assert record.error == "stopped: the daemon is shutting down"


def test_skipped_ticks_are_recorded(db: Database) -> None:
    runner = runner_for(db)
    scheduled = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    runner.skipped("reconcile", "the previous run is still going", scheduled)
    stored = stored_runs(db)["reconcile"]
    assert stored.outcome == SKIPPED
    assert stored.error == "the previous run is still going"
    assert stored.summary == {"scheduled_at": "2026-03-01T08:00:00+00:00"}


def test_a_broken_database_does_not_escape_the_runner(tmp_path: Any) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    database.close()
    (tmp_path / "gone.sqlite3").unlink()
    (tmp_path / "gone.sqlite3").mkdir()  # a directory where the file was: unusable
    record = runner_for(database).run(JobSpec("orders", lambda c: {"orders_read": 0}, 60))
    assert record.outcome == OK


def test_a_use_case_that_records_its_run_is_not_recorded_twice(db: Database) -> None:
    def job(context: JobContext) -> Mapping[str, Any]:
        context.recorded = True
        with context.db.transaction() as session:
            LedgerStore(session).record_run(
                RunRecord("orders", context.now, context.now, OK, {"orders_read": 1})
            )
        return {"orders_read": 1}

    runner_for(db).run(JobSpec("orders", job, 60))
    with db.read() as session:
        assert session.query(SyncRun).filter(SyncRun.job == "orders").count() == 1


def test_a_tick_waiting_at_shutdown_is_not_started(db: Database) -> None:
    runner = runner_for(db)
    calls: list[str] = []

    def job(context: JobContext) -> Mapping[str, Any]:
        calls.append("ran")
        return {}

    runner.tick(JobSpec("orders", job, 60))
    runner.stop.set()
    runner.tick(JobSpec("orders", job, 60))
    assert calls == ["ran"]
    with db.read() as session:
        assert session.query(SyncRun).count() == 1


def test_a_run_under_way_is_marked_until_it_is_recorded(db: Database) -> None:
    seen: list[list[RunRecord]] = []

    def orders(context: JobContext) -> Mapping[str, Any]:
        with db.read() as session:
            seen.append(LedgerStore(session).open_runs())
        return {}

    record = runner_for(db, ASSIST_RUN_DEADLINE="120").run(JobSpec("orders", orders, 60))
    [[marker]] = seen
    assert (marker.job, marker.outcome, marker.finished_at) == ("orders", "running", None)
    assert marker.started_at == record.started_at and marker.summary == {"deadline": 120}
    with db.read() as session:
        assert LedgerStore(session).open_runs() == []
        assert session.query(SyncRun).count() == 1  # the marker is gone, the run is recorded


def test_a_use_case_that_records_itself_leaves_no_marker(db: Database) -> None:
    def orders(context: JobContext) -> Mapping[str, Any]:
        context.recorded = True
        with db.transaction() as session:
            LedgerStore(session).record_run(RunRecord("orders", context.now, context.now, OK))
        raise DeadlineExceeded("deadline of 1 s exceeded")

    runner_for(db).run(JobSpec("orders", orders, 60))
    with db.read() as session:
        assert LedgerStore(session).open_runs() == []
        assert [r.outcome for r in session.query(SyncRun)] == [OK]
