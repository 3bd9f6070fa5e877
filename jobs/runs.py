"""Run one job under a deadline and record how it ended: a failure is a recorded run, not a crash.

A job is a function of a ``JobContext`` returning its figures (the sync summary's ``as_dict()``).
``JobRunner.run(spec)`` gives it a fresh Deadline (``settings.run_deadline_seconds``, cut short
when the daemon stops), catches whatever it raises, records one ``RunRecord`` through
``LedgerStore.record_run`` in a transaction of its own, and logs one line with the figures.
Errors are reduced to one line with every secret masked before they are stored or logged.

While a run is under way, a marker stands for it (outcome ``running``, with its deadline, see
``LedgerStore.begin_run``); it is removed when the run is recorded. A marker still there long
after its deadline is a run that hangs: ``assist-sync health`` reports it, whatever else is
recorded meanwhile (the scheduler keeps recording the ticks it skips because of it).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from config import ConfigError, Settings
from jobs.deadline import Deadline, DeadlineExceeded, DeadlineSession
from jobs.logging import REDACTOR, Redactor, format_run_line
from ledger.db import Database, DatabaseError
from ledger.records import RunRecord
from ledger.store import LedgerStore
from wp_client.errors import RemoteError

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "failed", "skipped"
MAX_ERROR_LENGTH = 500


class SkipRun(Exception):
    """Raised by a job that has nothing it may do this time (the reason is recorded)."""


class RunProblems(Exception):
    """Raised by a job that went to the end but met problems (some clients failed): the run is
    recorded as failed, with its figures and the first problem."""

    def __init__(self, summary: Mapping[str, Any], problems: Sequence[str]) -> None:
        first = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{len(problems)} problem(s): {first}{more}")
        self.summary = summary
        self.problems = tuple(problems)


@dataclass
class JobContext:
    """What a job gets: the database, the settings, the run's start and its deadline.

    ``http_session()`` gives a requests Session bound to the deadline (each request checks it
    and has its timeouts capped); the runner closes these sessions and counts their requests.
    A job whose use case records its own run (same job name, ``started_at=now``, success and
    failure alike) sets ``recorded`` just before calling it, so the run is not recorded twice;
    the runner still logs it.
    """

    db: Database
    settings: Settings
    now: datetime
    deadline: Deadline
    sessions: list[DeadlineSession] = field(default_factory=list)
    recorded: bool = False

    def http_session(self) -> DeadlineSession:
        session = _CountingSession(self.deadline)
        self.sessions.append(session)
        return session

    @property
    def requests_made(self) -> int:
        return sum(getattr(s, "count", 0) for s in self.sessions)


JobFunction = Callable[[JobContext], Mapping[str, Any]]


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: its name (as recorded in ``sync_runs``), function and interval."""

    name: str
    run: JobFunction
    interval_seconds: int
    description: str = ""


class JobRunner:
    """Runs jobs one call at a time (thread-safe: each call has its own context and session)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        redactor: Redactor = REDACTOR,
    ) -> None:
        self.db = db
        self.settings = settings
        self.stop = stop if stop is not None else threading.Event()
        self.clock = clock
        self.redactor = redactor

    def run(self, spec: JobSpec) -> RunRecord:
        """Run ``spec`` once, record and log the outcome, return the record. Never raises
        (except BaseException such as KeyboardInterrupt, which stops the process anyway)."""
        started_at = self.clock()
        began = time.monotonic()
        deadline = Deadline(self.settings.run_deadline_seconds, stop=self.stop)
        marker = self._mark_running(spec.name, started_at)
        context = JobContext(self.db, self.settings, started_at, deadline)
        summary: dict[str, Any] = {}
        error: str | None = None
        try:
            summary = _json_safe(spec.run(context))
            outcome = OK
        except SkipRun as exc:
            outcome, error = SKIPPED, str(exc)
        except RunProblems as exc:
            summary = _json_safe(exc.summary)
            outcome, error = FAILED, str(exc)
        except DeadlineExceeded as exc:
            outcome, error = FAILED, str(exc)
        except ConfigError as exc:
            outcome, error = FAILED, "configuration: " + "; ".join(exc.problems)
        except (RemoteError, DatabaseError) as exc:
            outcome, error = FAILED, describe_error(exc)
        except Exception as exc:
            # Not a failure of the shop, the client area or the database: a bug, whose
            # traceback (secrets masked like every log record) is what a fix needs.
            outcome, error = FAILED, describe_error(exc)
            log.error("%s: unexpected error", spec.name, exc_info=True)
        finally:
            for session in context.sessions:
                session.close()
        if context.sessions:
            summary.setdefault("requests", context.requests_made)
        seconds = time.monotonic() - began
        summary.setdefault("seconds", round(seconds, 3))
        record = RunRecord(
            job=spec.name,
            started_at=started_at,
            finished_at=self.clock(),
            outcome=outcome,
            summary=self.redactor.redact_value(summary),
            error=self._clean(error),
        )
        self.record(record, seconds, store=not context.recorded, marker=marker)
        return record

    def _mark_running(self, job: str, started_at: datetime) -> int | None:
        """Store the marker of a run under way; None (logged) if the database refuses it."""
        try:
            with self.db.transaction() as session:
                deadline = {"deadline": self.settings.run_deadline_seconds}
                return LedgerStore(session).begin_run(job, started_at, deadline)
        except Exception as exc:
            log.error("could not mark the %s run as running: %s", job, describe_error(exc))
            return None

    def tick(self, spec: JobSpec) -> None:
        """The scheduler's entry: run ``spec`` unless the daemon is stopping. A tick still
        waiting for its turn at shutdown is not started: nothing happens, nothing is recorded."""
        if self.stop.is_set():
            log.info("%s not started: the daemon is stopping", spec.name)
            return
        self.run(spec)

    def skipped(self, job: str, reason: str, scheduled_at: datetime | None = None) -> RunRecord:
        """Record and log a run that did not happen (missed tick, previous run still going)."""
        now = self.clock()
        summary: dict[str, Any] = {}
        if scheduled_at is not None:
            summary["scheduled_at"] = scheduled_at.astimezone(UTC).isoformat()
        record = RunRecord(job, now, now, SKIPPED, summary, self._clean(reason))
        self.record(record, 0.0)
        return record

    def record(
        self, record: RunRecord, seconds: float, *, store: bool = True, marker: int | None = None
    ) -> None:
        """Log ``record``'s line and (if ``store``) store it in a transaction of its own, which
        also removes the run's ``marker``; a storage failure is logged, never raised (the next
        run will try again)."""
        figures = {k: v for k, v in record.summary.items() if k != "scheduled_at"}
        line = format_run_line(record.job, record.outcome, seconds, figures, record.error)
        level = logging.WARNING if record.outcome == FAILED else logging.INFO
        log.log(
            level,
            line,
            extra={
                "job": record.job,
                "outcome": record.outcome,
                "seconds": round(seconds, 3),
                "summary": record.summary,
                "error": record.error,
            },
        )
        if not store and marker is None:
            return
        try:
            with self.db.transaction() as session:
                ledger = LedgerStore(session)
                if marker is not None:
                    ledger.end_run(marker)
                if store:
                    ledger.record_run(record)
        except Exception as exc:
            log.error("could not record the %s run: %s", record.job, describe_error(exc))

    def _clean(self, error: str | None) -> str | None:
        if error is None:
            return None
        text = " ".join(error.split())
        if len(text) > MAX_ERROR_LENGTH:
            text = text[: MAX_ERROR_LENGTH - 1] + "…"
        return self.redactor.redact(text)


def describe_error(exc: BaseException) -> str:
    """``Type: first line of the message`` — enough to act on, no traceback."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


class _CountingSession(DeadlineSession):
    """A DeadlineSession that counts the requests it sends (for runs whose summary lacks it)."""

    count = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return super().request(method, url, *args, **kwargs)


def _json_safe(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary as plain JSON values (Decimal and datetime become strings)."""
    result: dict[str, Any] = json.loads(json.dumps(dict(summary), default=str))
    return result
