"""``assist-sync run``: the daemon (``--once``: every job once); ``assist-sync demo``.

Any number of daemons may point at one database; one leads and runs the jobs, the others wait
to take over. SIGTERM or SIGINT stops a daemon cleanly: the running job stops at its next
request (its transaction rolls back or has committed, nothing is half-written), the scheduler
shuts down, leadership is released and the exit code is 0.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jobs.cli import tables
from jobs.cli.context import EXIT_USAGE, AppContext, UserFacingError
from jobs.cli.ledger_output import console
from jobs.daemon import Daemon, stop_on_signals
from jobs.demo import (
    DEMO_DATABASE,
    KEEP_RUNNING_INTERVALS,
    ClientLine,
    DemoBusy,
    NotADemoLedger,
    client_rows,
    demo_settings,
    full_pass,
    prepare_demo,
)
from jobs.leader import Leadership, LeadershipError, leadership_for
from jobs.logging import configure_logging, format_run_line
from jobs.runs import FAILED, OK, JobRunner, JobSpec
from jobs.tasks import job_table
from ledger.db import open_database
from ledger.records import RunRecord
from sandbox import Sandbox

log = logging.getLogger("jobs.daemon")
pass_app = click.make_pass_decorator(AppContext)


def register(group: click.Group) -> None:
    """Add this module's commands to ``group``."""
    group.add_command(run)
    group.add_command(demo)


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


@click.command()
@click.option(
    "--keep-running",
    is_flag=True,
    help="Leave the sandbox and the daemon running (every 10 s) until Ctrl-C.",
)
@click.option(
    "--database",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_DATABASE,
    show_default=True,
    help="The demo ledger (SQLite), emptied first: only a file a demo made, unless --force.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Empty the --database file even if it is not a demo ledger.",
)
@click.option("--port", type=int, default=0, help="Sandbox port (default: any free port).")
def demo(keep_running: bool, database: Path, force: bool, port: int) -> None:
    """A first look: the sandbox shop and client area, one full pass, a table of clients.

    Starts the sandbox (a seeded WooCommerce shop and client area on 127.0.0.1), runs the jobs
    once into a fresh SQLite ledger — every order, the client area, the sweep, the accounts —
    and prints each client's balance, packs and warnings. Reads neither .env nor ASSIST_*.
    """
    database = database.resolve()
    if not database.parent.is_dir():
        raise UserFacingError(f"folder {database.parent} does not exist", EXIT_USAGE)
    try:
        lock = prepare_demo(database, force=force)
    except DemoBusy as exc:
        raise UserFacingError(str(exc)) from None
    except NotADemoLedger as exc:
        raise UserFacingError(str(exc), EXIT_USAGE) from None
    with lock, Sandbox(port=port) as sandbox:
        extra = KEEP_RUNNING_INTERVALS if keep_running else None
        settings = demo_settings(sandbox, database, extra)
        handler = configure_logging(settings)
        # The pass prints its own lines; the daemon's log lines are for --keep-running.
        handler.setLevel(logging.WARNING)
        out = console()
        out.print(f"Sandbox shop and client area: {sandbox.url}")
        out.print(f"Fresh ledger: {database}\n")
        db = open_database(settings.database_url)
        records: list[RunRecord] = []
        try:
            for spec, run_job in full_pass(db, settings):
                with out.status(f"{spec.name}: {spec.description}…"):
                    record = run_job()
                records.append(record)
                mark = "[green]✓[/]" if record.outcome == OK else "[red]✗[/]"
                line = format_run_line(
                    record.job, record.outcome, record.summary.get("seconds", 0.0),
                    record.summary, record.error,
                )  # fmt: skip
                out.print(f"{mark} {escape(line)}")
            out.print(_client_table(out, client_rows(db, settings, datetime.now(UTC))))
            _where_next(out, sandbox, database, keep_running)
            if keep_running:
                handler.setLevel(logging.NOTSET)
                stop = threading.Event()
                stop_on_signals(stop)
                specs, _ = job_table(settings)
                Daemon(db, settings, specs, lock).serve(stop)
        finally:
            db.close()
    failed = [record.job for record in records if record.outcome != OK]
    if failed:
        raise UserFacingError(f"the demo pass failed: {', '.join(failed)} (see above)")


def _client_table(out: Console, rows: list[ClientLine]) -> Table:
    headers = ("Client", "E-mail", "Remaining", "Uncovered", "Open packs", "Warnings")
    cells = [
        (
            str(row.client_id),
            row.email,
            row.remaining,
            row.uncovered,
            "\n".join(row.packs) or "—",
            "\n".join(row.warnings) or "—",
        )
        for row in rows
    ]
    return tables.table(out, headers, cells)


def _where_next(out: Console, sandbox: Sandbox, database: Path, keep_running: bool) -> None:
    example = database.name if database.parent == Path.cwd() else str(database)
    out.print("\n[bold]Where to look next[/]")
    out.print("The ledger of this demo stays in place; explore it with:")
    out.print(f"  export ASSIST_DATABASE_URL=sqlite:///{example}")
    me = _command_name()
    for command in (
        "clients",
        "balance CLIENT    # CLIENT: an id or e-mail of the table",
        "ledger CLIENT     # every event of its ledger",
        "status            # cursors, last runs, counts",
        "report CLIENT -o report.pdf",
    ):
        out.print(f"  {me} {command}", highlight=False, soft_wrap=True)
    if not keep_running:
        out.print(
            "The sandbox stops now. `assist-sync demo --keep-running` keeps it and the daemon "
            "up, with the .env lines that point at it."
        )
        return
    out.print("\nThe sandbox and the daemon keep running (Ctrl-C stops both). These .env lines")
    out.print("point any other assist-sync command at the sandbox:")
    for line in sandbox.env_lines():
        out.print(f"  {line}", highlight=False, markup=False)
    out.print()


def _command_name() -> str:
    """``assist-sync`` when that is what the shell finds, else the path it was run as
    (``.venv/bin/assist-sync`` from a fresh clone)."""
    invoked = Path(sys.argv[0])
    if invoked.name != "assist-sync":
        return "assist-sync"
    found = shutil.which("assist-sync")
    if found and Path(found).resolve() == invoked.resolve():
        return "assist-sync"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked)
