"""The schedule: APScheduler 3 in UTC, one interval trigger per job, explicit job options.

Every job gets ``max_instances=1`` (never overlaps itself), ``coalesce=True`` (ticks missed while
the daemon was busy or asleep run once, not in a burst), a misfire grace that fits its interval
(APScheduler's default of 1 s silently drops a tick that starts slightly late) and
``replace_existing``. Missed ticks, ticks refused because the previous run is still going, and
job errors are listened to and recorded as runs, so ``assist-sync status`` shows them.

Jobs run one at a time (one worker): they write the same clients' ledgers, and a daemon of
this size gains nothing from racing its own jobs. The first run of each job continues the
recorded rhythm (``first_run_at``), so a restart or a new leader neither repeats a run that just
happened nor waits a whole interval for one that is due.

The time logic is pure: ``misfire_grace`` and ``first_run_at`` take ``now`` and return values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from jobs.runs import FAILED, JobRunner, JobSpec, describe_error
from ledger.records import RunRecord

log = logging.getLogger(__name__)

# A late tick still runs if it starts within half its interval, and within this many seconds.
MAX_MISFIRE_GRACE = 1800
TIE_BREAK = timedelta(milliseconds=10)


def misfire_grace(interval_seconds: int) -> int:
    """Seconds a tick may start late and still run: half the interval, at least 1 s, capped."""
    return max(1, min(interval_seconds // 2, MAX_MISFIRE_GRACE))


def first_run_at(last_started: datetime | None, interval_seconds: int, now: datetime) -> datetime:
    """When a job's first run after start-up is due: now if it never ran or is overdue, else
    one interval after its last recorded start."""
    if last_started is None:
        return now
    return max(now, last_started + timedelta(seconds=interval_seconds))


def build_scheduler(
    specs: Sequence[JobSpec],
    runner: JobRunner,
    *,
    last_runs: Mapping[str, RunRecord],
    now: datetime,
    workers: int = 1,
) -> BackgroundScheduler:
    """A stopped BackgroundScheduler (UTC) with one interval job per spec and its listeners.

    ``last_runs`` (from ``LedgerStore.last_runs()``) sets each job's first run; ``now`` is UTC.
    """
    scheduler = BackgroundScheduler(
        timezone=UTC,
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for position, spec in enumerate(specs):
        last = last_runs.get(spec.name)
        due = first_run_at(last.started_at if last else None, spec.interval_seconds, now)
        scheduler.add_job(
            runner.tick,
            trigger=IntervalTrigger(seconds=spec.interval_seconds, timezone=UTC),
            args=[spec],
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=misfire_grace(spec.interval_seconds),
            replace_existing=True,
            # Jobs due at the same instant run in table order (orders before accounts...).
            next_run_time=due + position * TIE_BREAK,
        )
    scheduler.add_listener(
        EventRecorder(runner), EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES
    )
    return scheduler


class EventRecorder:
    """Turns APScheduler's missed / max-instances / error events into recorded runs."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner

    def __call__(self, event: JobEvent) -> None:
        try:
            self._record(event)
        except Exception:  # a listener must never take the scheduler thread down
            log.exception("could not record the scheduler event for %s", event.job_id)

    def _record(self, event: JobEvent) -> None:
        if isinstance(event, JobSubmissionEvent) and event.code == EVENT_JOB_MAX_INSTANCES:
            times = event.scheduled_run_times
            self.runner.skipped(
                event.job_id, "the previous run is still going", times[-1] if times else None
            )
        elif isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_MISSED:
            late = datetime.now(UTC) - event.scheduled_run_time
            self.runner.skipped(
                event.job_id,
                f"missed: started {late.total_seconds():.0f} s late, beyond its misfire grace",
                event.scheduled_run_time,
            )
        elif isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_ERROR:
            # JobRunner.run catches everything; reaching here means the runner itself broke.
            error = describe_error(event.exception) if event.exception else "unknown error"
            now = datetime.now(UTC)
            record = RunRecord(event.job_id, event.scheduled_run_time, now, FAILED, {}, error)
            self.runner.record(record, 0.0)
