"""The daemon's main loop: seek leadership, run the schedule while leading, stop cleanly.

A follower tries to take leadership every ``retry_seconds``. The leader migrates the schema,
starts the scheduler and checks its leadership every ``check_seconds``; if it is lost (database
connection gone, lock file replaced) it stops its jobs at once and becomes a follower again.
``stop`` (set by SIGTERM/SIGINT) ends the loop: running jobs are told to stop at their next
HTTP request, their transaction rolls back or completes, the scheduler is shut down waiting for
them, and leadership is released.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from config import Settings
from jobs.leader import Leadership
from jobs.runs import JobRunner, JobSpec
from jobs.scheduler import build_scheduler
from ledger.db import Database
from ledger.store import LedgerStore

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the daemon running it stopped before it ended"


@dataclass(frozen=True)
class Timing:
    """How often a follower retries and a leader checks its lock (both well under 30 s)."""

    retry_seconds: float = 5.0
    check_seconds: float = 5.0


class Daemon:
    """Runs ``specs`` on ``db`` whenever ``leadership`` is held, until ``stop`` is set."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        specs: Sequence[JobSpec],
        leadership: Leadership,
        *,
        timing: Timing = Timing(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.settings = settings
        self.specs = tuple(specs)
        self.leadership = leadership
        self.timing = timing
        self.clock = clock
        self._scheduler: BackgroundScheduler | None = None
        self._runner: JobRunner | None = None

    def serve(self, stop: threading.Event) -> None:
        """Lead or follow until ``stop`` is set; always leaves with jobs stopped, lock released."""
        log.info(
            "daemon started: %d jobs (%s), %s",
            len(self.specs),
            ", ".join(f"{s.name} every {s.interval_seconds} s" for s in self.specs),
            self.leadership.description,
        )
        announced_follower = False
        try:
            while not stop.is_set():
                if self._scheduler is None:
                    if self.leadership.try_acquire():
                        announced_follower = False
                        if self._lead():
                            continue
                        stop.wait(self.timing.retry_seconds)  # the database is not usable yet
                        continue
                    if not announced_follower:
                        log.info(
                            "another daemon leads; retrying every %g s", self.timing.retry_seconds
                        )
                        announced_follower = True
                    stop.wait(self.timing.retry_seconds)
                else:
                    stop.wait(self.timing.check_seconds)
                    if not stop.is_set() and not self.leadership.check():
                        log.warning("leadership lost: stopping the jobs")
                        self._follow()
        finally:
            self._follow()
            log.info("daemon stopped")

    def _lead(self) -> bool:
        """Migrate, close the runs a previous leader left under way (it is gone: only the
        leader runs jobs), read the last runs and start the schedule; False (leadership
        released) if the database is not usable."""
        try:
            self.db.upgrade()
            with self.db.transaction() as session:
                closed = LedgerStore(session).close_open_runs(self.clock(), INTERRUPTED)
            if closed:
                log.warning(
                    "%d run(s) of a previous leader never ended: recorded as failed", closed
                )
            with self.db.read() as session:
                last_runs = LedgerStore(session).last_runs()
        except Exception as exc:
            log.error("leading, but the database is not usable: %s", exc)
            self.leadership.release()
            return False
        self._runner = JobRunner(self.db, self.settings, stop=threading.Event())
        self._scheduler = build_scheduler(
            self.specs, self._runner, last_runs=last_runs, now=self.clock()
        )
        self._scheduler.start()
        log.info("leading: jobs scheduled")
        return True

    def _follow(self) -> None:
        """Stop the jobs (waiting for the running one to end) and release leadership."""
        scheduler, runner = self._scheduler, self._runner
        self._scheduler, self._runner = None, None
        if runner is not None:
            runner.stop.set()
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self.leadership.release()


def stop_on_signals(stop: threading.Event) -> None:
    """Set ``stop`` on SIGTERM or SIGINT (main thread only).

    The handler hands the work to a thread: setting an Event takes a lock the interrupted main
    thread may be holding inside ``Event.wait``, and a signal handler must not wait for it.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name

        def request_stop() -> None:
            if not stop.is_set():
                log.info("%s received: stopping", name)
            stop.set()

        threading.Thread(target=request_stop, name="stop-request", daemon=True).start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
