"""``assist-sync sync …`` (force a sync by hand) and ``assist-sync doctor``.

Each ``sync`` subcommand is one function: build the remote client, call the use case from
``sync/`` through ``run_sync`` (progress bar on a terminal, the summary table or ``--json``,
remote errors as one line). Exit codes: 0 done; 1 the remote failed for now (nothing was lost,
the cursor was kept); 2 configuration or credentials to fix.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jobs.cli.context import EXIT_FAILURE, EXIT_USAGE, AppContext, UserFacingError
from ledger.checks import InvalidLedgerInput
from ledger.store import UnknownClient
from sync.accounts import sync_accounts
from sync.client_area import sync_client_area
from sync.doctor import diagnose
from sync.order_cursor import CursorError
from sync.orders import sync_orders
from sync.summary import SyncSummary
from wp_client.client_area import ClientAreaClient
from wp_client.errors import ConfigurationError, RemoteError
from wp_client.woo import WooClient

pass_app = click.make_pass_decorator(AppContext)
WIDE = 120
KEPT = "nothing was lost; the cursor was kept — run it again later"
ProgressCallback = Callable[[int, int | None], None]


def register(group: click.Group) -> None:
    """Add ``sync`` (with its subcommands) and ``doctor`` to ``group``."""
    group.add_command(sync)
    group.add_command(doctor)


@click.group()
def sync() -> None:
    """Run a sync now, by hand (the daemon runs the same jobs on its schedule)."""


# --- shared by every sync subcommand ----------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(UTC)


def parse_since(value: str | None, tz: ZoneInfo) -> datetime | None:
    """``--since`` as aware UTC; a value without offset is read in the shop's time zone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserFacingError(
            f"--since {value!r} is not a date: use ISO 8601, e.g. 2026-11-01 or "
            "2026-11-01T08:00:00+01:00",
            EXIT_USAGE,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


@contextmanager
def remote_errors() -> Iterator[None]:
    """Turn remote and ledger failures of a sync into one line and an exit code."""
    try:
        yield
    except ConfigurationError as exc:  # includes AuthenticationError: a human must act
        raise UserFacingError(str(exc), EXIT_USAGE) from None
    except RemoteError as exc:  # transient, bad payload, unexpected status
        raise UserFacingError(f"{exc} ({KEPT})", EXIT_FAILURE) from None
    except CursorError as exc:
        command = "client-area" if exc.name.startswith("client_area") else "orders"
        raise UserFacingError(
            f"{exc}: run `assist-sync sync {command} --full` once to rebuild it", EXIT_FAILURE
        ) from None
    except InvalidLedgerInput as exc:
        raise UserFacingError(
            f"the ledger refused the data: {exc} ({KEPT})", EXIT_FAILURE
        ) from None


@contextmanager
def progress_bar(enabled: bool, what: str) -> Iterator[ProgressCallback | None]:
    """A rich progress bar on stderr when ``enabled`` and stderr is a terminal."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_summary(summary: SyncSummary, title: str, as_json: bool) -> None:
    """``--json``: the summary's keys as one object; else a two-column table."""
    if as_json:
        click.echo(json.dumps(summary.as_dict()))
        return
    console = Console(highlight=False)
    if not console.is_terminal:  # piped: wide enough that nothing wraps
        console = Console(highlight=False, width=WIDE)
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in summary.rows():
        table.add_row(label, value)
    console.print(title)
    console.print(table)


def json_option(f: Callable[..., None]) -> Callable[..., None]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(f)


def dry_run_option(f: Callable[..., None]) -> Callable[..., None]:
    help_text = "Do everything in a transaction that is rolled back; report what would change."
    return click.option("--dry-run", is_flag=True, help=help_text)(f)


# --- sync orders ------------------------------------------------------------------------------


@sync.command("orders")
@click.option("--full", is_flag=True, help="Reconcile every order (also catches hidden edits).")
@click.option("--since", metavar="ISO", help="Read orders modified after this date (shop zone).")
@click.option("--client", "client_id", type=click.IntRange(min=1), help="Only this WP user id.")
@dry_run_option
@json_option
@pass_app
def sync_orders_command(
    app: AppContext,
    full: bool,
    since: str | None,
    client_id: int | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Paid pack orders → credits. Incremental unless --full; --since and --client narrow one
    run and never move the cursor."""
    settings = app.settings
    settings.require_shop()
    since_utc = parse_since(since, settings.timezone)
    with remote_errors():
        woo = app.keep(WooClient.from_settings(settings))
        db = app.database
        with progress_bar(not as_json, "orders") as progress:
            summary = sync_orders(
                db,
                woo,
                settings,
                now=now_utc(),
                full=full,
                since=since_utc,
                client_id=client_id,
                dry_run=dry_run,
                progress=progress,
            )
    title = "Orders sync (dry run: nothing was written)" if dry_run else "Orders sync"
    print_summary(summary, title, as_json)


# --- sync client-area, sync accounts, sync all ------------------------------------------------


def client_option(f: Callable[..., None]) -> Callable[..., None]:
    help_text = "Only this client (WP user id); never moves a cursor."
    return click.option("--client", "client_id", type=click.IntRange(min=1), help=help_text)(f)


@contextmanager
def area_errors() -> Iterator[None]:
    """``remote_errors`` plus an unknown ``--client`` as one line."""
    with remote_errors():
        try:
            yield
        except UnknownClient as exc:
            raise UserFacingError(
                f"{exc} (run `assist-sync clients` to list them)", EXIT_USAGE
            ) from None


def _client_area(app: AppContext) -> ClientAreaClient:
    settings = app.settings
    settings.require_client_area()
    with remote_errors():
        area: ClientAreaClient = app.keep(ClientAreaClient.from_settings(settings))
    return area


def _title(what: str, dry_run: bool) -> str:
    return f"{what} (dry run: nothing was written)" if dry_run else what


@sync.command("client-area")
@click.option("--full", is_flag=True, help="Read every ticket and entry again (reconcile).")
@client_option
@dry_run_option
@json_option
@pass_app
def sync_client_area_command(
    app: AppContext, full: bool, client_id: int | None, dry_run: bool, as_json: bool
) -> None:
    """Tickets and time entries → the ledger (edits and deletions included)."""
    area = _client_area(app)
    with area_errors():
        summary = sync_client_area(
            app.database,
            area,
            app.settings,
            now=now_utc(),
            full=full,
            client_id=client_id,
            dry_run=dry_run,
        )
    print_summary(summary, _title("Client area sync", dry_run), as_json)


@sync.command("accounts")
@click.option("--full", is_flag=True, help="Push every account again, changed or not.")
@client_option
@dry_run_option
@json_option
@pass_app
def sync_accounts_command(
    app: AppContext, full: bool, client_id: int | None, dry_run: bool, as_json: bool
) -> None:
    """Balances, packs, tasks, warnings and reports → each client's account page
    (only the accounts that changed)."""
    area = _client_area(app)
    with area_errors():
        summary = sync_accounts(
            app.database,
            area,
            app.settings,
            now=now_utc(),
            full=full,
            client_id=client_id,
            dry_run=dry_run,
        )
    print_summary(summary, _title("Accounts push", dry_run), as_json)


@sync.command("all")
@click.option("--full", is_flag=True, help="Full reconciliation at every step.")
@client_option
@dry_run_option
@json_option
@pass_app
def sync_all_command(
    app: AppContext, full: bool, client_id: int | None, dry_run: bool, as_json: bool
) -> None:
    """Orders, then the client area, then the accounts; stops at the first step that fails.

    With --dry-run each step rolls back on its own (a step does not see the previous one's
    changes). --json prints one object with a key per step.
    """
    settings = app.settings
    settings.require_shop()
    area = _client_area(app)
    steps: dict[str, SyncSummary] = {}
    with area_errors():
        woo = app.keep(WooClient.from_settings(settings))
        db = app.database
        steps["orders"] = sync_orders(
            db, woo, settings, now=now_utc(), full=full, client_id=client_id, dry_run=dry_run
        )
        steps["client_area"] = sync_client_area(
            db, area, settings, now=now_utc(), full=full, client_id=client_id, dry_run=dry_run
        )
        steps["accounts"] = sync_accounts(
            db, area, settings, now=now_utc(), full=full, client_id=client_id, dry_run=dry_run
        )
    if as_json:
        click.echo(json.dumps({name: summary.as_dict() for name, summary in steps.items()}))
        return
    titles = {
        "orders": "Orders sync",
        "client_area": "Client area sync",
        "accounts": "Accounts push",
    }
    for name, summary in steps.items():
        print_summary(summary, _title(titles[name], dry_run), False)


# --- doctor -----------------------------------------------------------------------------------


@click.command()
@pass_app
def doctor(app: AppContext) -> None:
    """Check the shop URL, credentials and permissions (and the client area if configured).

    One line per check; exit 0 when all pass, 1 otherwise.
    """
    report = diagnose(app.settings)
    for text in report.lines():
        click.echo(text)
    if report.failed:
        raise UserFacingError(
            f"{report.failed} of {len(report.findings)} checks failed", EXIT_FAILURE
        )
