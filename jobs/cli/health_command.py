"""``assist-sync health``: exit 0 while a daemon runs the jobs on this database, 1 otherwise.

Made for a container's HEALTHCHECK (Docker reads 0 as healthy, 1 as unhealthy and reserves 2):
every failure — settings, database, a stale heartbeat, a run that outlived its deadline — exits
1 with one line. It reads the database without migrating it and writes nothing. The judgement
is ``jobs.health``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from config import ConfigError
from jobs.cli.context import EXIT_FAILURE, AppContext, UserFacingError
from jobs.health import OVERRUN_GRACE, default_max_age, judge
from jobs.tasks import job_table
from ledger.db import open_database
from ledger.store import LedgerStore

pass_app = click.make_pass_decorator(AppContext)


def register(group: click.Group) -> None:
    """Add ``health`` to ``group``."""
    group.add_command(health)


@click.command()
@click.option(
    "--max-age",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Oldest acceptable last run (default: 3 × the shortest interval + ASSIST_RUN_DEADLINE).",
)
@click.option(
    "--grace",
    type=click.IntRange(min=0),
    default=OVERRUN_GRACE,
    show_default=True,
    metavar="SECONDS",
    help="How long a run may outlast its deadline before it counts as hung.",
)
@pass_app
def health(app: AppContext, max_age: int | None, grace: int) -> None:
    """Exit 0 if the daemon's newest recorded run is recent enough and no run outlived its
    deadline, else 1 with one line.

    Any run counts (a failed run still shows the daemon alive; `assist-sync status` says why it
    failed). Meant for a container HEALTHCHECK; reads the database, never migrates or writes it.
    """
    try:
        settings = app.settings
    except ConfigError as exc:
        raise UserFacingError("configuration: " + "; ".join(exc.problems)) from None
    specs, _ = job_table(settings)
    if not specs:
        raise UserFacingError("nothing to run: neither the shop nor the client area is set")
    limit = max_age or default_max_age(specs, settings.run_deadline_seconds)
    db = app.keep(open_database(settings.database_url, upgrade=False))
    if db.revision() is None:
        raise UserFacingError("the ledger has no schema yet (the leading daemon creates it)")
    with db.read() as session:
        store = LedgerStore(session)
        runs, under_way = store.last_runs(), store.open_runs()
    verdict = judge(
        runs,
        datetime.now(UTC),
        limit,
        under_way=under_way,
        deadline_seconds=settings.run_deadline_seconds,
        grace=grace,
    )
    if not verdict.healthy:
        raise UserFacingError(verdict.line, EXIT_FAILURE)
    click.echo(verdict.line)
