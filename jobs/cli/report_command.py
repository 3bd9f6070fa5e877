"""``assist-sync report`` (an intervention report on demand) and ``assist-sync sweep`` (the
hourly sweep by hand: warnings by e-mail, end-of-mission reports to the client area).

Exit codes: 0 done; 1 something could not be sent or uploaded now (nothing is recorded as
sent, the next sweep retries); 2 a client, lot or setting to fix.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from config import ConfigError
from jobs.cli.context import EXIT_FAILURE, EXIT_USAGE, AppContext, UserFacingError
from jobs.cli.sync_support import progress_bar
from ledger.store import LedgerStore
from sync.mailer import Mailer
from sync.reports import ReportError, build_report, render_report_pdf
from sync.sweep import sweep as run_sweep
from wp_client.client_area import ClientAreaClient
from wp_client.errors import ConfigurationError

pass_app = click.make_pass_decorator(AppContext)


def register(group: click.Group) -> None:
    """Add ``report`` and ``sweep`` to ``group``."""
    group.add_command(report)
    group.add_command(sweep)


@click.command()
@click.argument("client")
@click.option("--lot", "lot_id", metavar="ID", help="The lot (e.g. order-13-line-9); default: all.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
@pass_app
def report(app: AppContext, client: str, lot_id: str | None, output: Path) -> None:
    """Write the intervention report of CLIENT (WordPress user id or e-mail) as a PDF.

    With --lot, the report of that pack (what the client receives at the end of the mission);
    without, a summary of every pack of the account. Nothing is uploaded or recorded.
    """
    settings = app.settings
    now = datetime.now(UTC)
    with app.database.read() as session:
        store = LedgerStore(session)
        found = store.find_client(client)
        if found is None:
            raise UserFacingError(
                f"unknown client {client!r}: give a WordPress user id or an e-mail "
                "(see `assist-sync clients`)",
                EXIT_USAGE,
            )
        try:
            data = build_report(store, found.id, lot_id, settings, now)
        except ReportError as exc:
            raise UserFacingError(
                f"{exc} (see `assist-sync balance {client}`)", EXIT_USAGE
            ) from None
    pdf = render_report_pdf(data)
    try:
        output.write_bytes(pdf)
    except OSError as exc:
        raise UserFacingError(f"cannot write {output}: {exc.strerror}", EXIT_FAILURE) from None
    click.echo(f"{output}: {data.title} ({len(pdf) // 1024 + 1} KiB)")


@click.command()
@click.option("--client", "client_id", type=int, metavar="ID", help="Only this client.")
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send and write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def sweep(app: AppContext, client_id: int | None, dry_run: bool, as_json: bool) -> None:
    """Recompute every client now, e-mail the warnings not sent yet, upload end-of-mission
    reports (what the daemon does every ASSIST_SWEEP_INTERVAL seconds).

    Without SMTP_URL/MAIL_FROM warnings are not e-mailed (they stay on the account page);
    without WP_URL/WP_USERNAME/WP_APP_PASSWORD reports are not uploaded.
    """
    settings = app.settings
    db = app.database
    # The problems are printed below, one line each: keep the sweep's log lines out of stderr.
    logging.getLogger("sync.sweep").addHandler(logging.NullHandler())
    mailer = Mailer.maybe_from_settings(settings)
    if mailer is not None:
        app.keep(mailer)
    area: ClientAreaClient | None = None
    try:
        settings.require_client_area()
    except ConfigError:
        area = None
    else:
        try:
            area = app.keep(ClientAreaClient.from_settings(settings))
        except ConfigurationError as exc:
            raise UserFacingError(str(exc), EXIT_USAGE) from None
    with progress_bar(not as_json, "clients") as progress:
        summary = run_sweep(
            db,
            settings,
            now=datetime.now(UTC),
            mailer=mailer,
            area=area,
            client_id=client_id,
            dry_run=dry_run,
            progress=progress,
        )
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
    else:
        table = Table(title="sweep" + (" (dry run)" if dry_run else ""), show_header=False)
        for label, value in summary.rows():
            table.add_row(label, value)
        Console().print(table)
        if mailer is None:
            click.echo("mail is not configured (SMTP_URL, MAIL_FROM): warnings were not e-mailed")
        if area is None:
            click.echo("the client area is not configured (WP_URL…): reports were not uploaded")
    for problem in summary.problems:
        click.echo(f"warning: {problem}", err=True)
    if summary.problems:
        raise UserFacingError(
            f"{len(summary.problems)} problem(s) above; nothing failed was recorded as sent, "
            "the next sweep retries",
            EXIT_FAILURE,
        )
