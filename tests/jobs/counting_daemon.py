"""A daemon process with one counting job, for the leader tests: the daemon's own code
(Daemon, leadership, scheduler, runner, signals), without the shop.

    python -m tests.jobs.counting_daemon DATABASE_URL INTERVAL_SECONDS

Each run sleeps a little (so that two leaders would overlap visibly) and returns this
process's pid, which ends up in the run's summary in ``sync_runs``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

from config import load_settings
from jobs.daemon import Daemon, Timing, stop_on_signals
from jobs.leader import leadership_for
from jobs.logging import configure_logging
from jobs.runs import JobContext, JobSpec
from ledger.db import open_database

JOB = "count"
RUN_SECONDS = 0.3


def count(context: JobContext) -> Mapping[str, Any]:
    context.deadline.sleep(RUN_SECONDS)
    return {"pid": os.getpid()}


def main(url: str, interval: int) -> None:
    settings = load_settings({"ASSIST_DATABASE_URL": url}, dotenv_path=None)
    configure_logging(settings)
    db = open_database(settings.database_url, upgrade=False)
    stop = threading.Event()
    stop_on_signals(stop)
    try:
        daemon = Daemon(
            db,
            settings,
            [JobSpec(JOB, count, interval)],
            leadership_for(settings.database_url),
            timing=Timing(retry_seconds=1.0, check_seconds=1.0),
        )
        daemon.serve(stop)
    finally:
        db.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
