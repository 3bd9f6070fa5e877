"""``assist-sync run``: the daemon (and ``--once``: every job once, for cron or a check).

Any number of daemons may point at one database; one leads and runs the jobs, the others wait
to take over. SIGTERM or SIGINT stops a daemon cleanly: the running job stops at its next
request (its transaction rolls back or has committed, nothing is half-written), the scheduler
shuts down, leadership is released and the exit code is 0.
"""

from __future__ import annotations

import logging
import threading

import click

from jobs.cli.context import EXIT_USAGE, AppContext, UserFacingError
from jobs.daemon import Daemon, stop_on_signals
from jobs.leader import Leadership, LeadershipError, leadership_for
from jobs.logging import configure_logging
from jobs.runs import FAILED, JobRunner, JobSpec
from jobs.tasks import job_table
from ledger.db import open_database

log = logging.getLogger("jobs.daemon")
pass_app = click.make_pass_decorator(AppContext)


def register(group: click.Group) -> None:
    """Add this module's commands to ``group``."""
    group.add_command(run)


@click.command()
@click.option(
    "--once",
    is_flag=True,
    help="Run every configured job once, in order, then exit (1 if one failed).",
)
@pass_app
def run(app: AppContext, once: bool) -> None:
    """Run the scheduled jobs: orders, client area, accounts, sweep, reconciliation.

    Intervals come from ASSIST_ORDERS_INTERVAL, ASSIST_CLIENT_AREA_INTERVAL,
    ASSIST_ACCOUNTS_INTERVAL, ASSIST_SWEEP_INTERVAL, ASSIST_RECONCILE_INTERVAL (seconds); each run
    stops after ASSIST_RUN_DEADLINE seconds. Logs go to stderr, one line per run
    (ASSIST_LOG_FORMAT=json for JSON lines). Stop with SIGTERM or Ctrl-C.
    """
    settings = app.settings
    configure_logging(settings)
    specs, left_out = job_table(settings)
    for job, problems in left_out.items():
        log.warning("%s not scheduled: %s", job, "; ".join(problems))
    if not specs:
        raise UserFacingError(
            "nothing to run: set WOO_URL/WOO_CONSUMER_KEY/WOO_CONSUMER_SECRET for the shop "
            "and/or WP_URL/WP_USERNAME/WP_APP_PASSWORD for the client area",
            EXIT_USAGE,
        )
    try:
        leadership = leadership_for(settings.database_url)
    except LeadershipError as exc:
        raise UserFacingError(str(exc), EXIT_USAGE) from exc
    if once:
        _run_once(app, specs, leadership)
        return
    # The leader migrates the schema: several daemons starting at once must not race to.
    db = app.keep(open_database(settings.database_url, upgrade=False))
    stop = threading.Event()
    stop_on_signals(stop)
    Daemon(db, settings, specs, leadership).serve(stop)


def _run_once(app: AppContext, specs: list[JobSpec], leadership: Leadership) -> None:
    """Each job once, as the leader: a running daemon would otherwise run them alongside."""
    if not leadership.try_acquire():
        raise UserFacingError("a daemon is running on this database: it runs these jobs already")
    with leadership:
        runner = JobRunner(app.database, app.settings)
        failed = [spec.name for spec in specs if runner.run(spec).outcome == FAILED]
    if failed:
        raise UserFacingError(f"failed: {', '.join(failed)} (see the log above)")
