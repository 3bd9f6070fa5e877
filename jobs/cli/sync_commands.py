"""``assist-sync sync …`` (force a sync by hand) and ``assist-sync doctor``.

Each ``sync`` subcommand is one function: build the remote client, call the use case from
``sync/`` (with the progress bar on a terminal), print the summary table or ``--json``; remote
failures become one line and an exit code (``jobs.cli.sync_support``): 0 done; 1 the remote
failed for now (nothing was lost, the cursor was kept); 2 configuration or credentials to fix.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

import click

from config import Settings
from jobs.cli.context import AppContext, UserFacingError
from jobs.cli.sync_support import (
    area_errors,
    client_option,
    dry_run_option,
    json_option,
    now_utc,
    parse_since,
    print_summary,
    progress_bar,
    remote_errors,
    title_of,
)
from ledger.db import Database
from sync.accounts import sync_accounts
from sync.client_area import sync_client_area
from sync.doctor import diagnose
from sync.orders import sync_orders
from sync.summary import SyncSummary
from wp_client.client_area import ClientAreaClient
from wp_client.woo import WooClient

pass_app = click.make_pass_decorator(AppContext)


def register(group: click.Group) -> None:
    """Add ``sync`` (with its subcommands) and ``doctor`` to ``group``."""
    group.add_command(sync)
    group.add_command(doctor)


@click.group()
def sync() -> None:
    """Run a sync now, by hand (the daemon runs the same jobs on its schedule)."""


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


def _client_area(app: AppContext) -> ClientAreaClient:
    settings = app.settings
    settings.require_client_area()
    with remote_errors():
        area: ClientAreaClient = app.keep(ClientAreaClient.from_settings(settings))
    return area


class _AreaSync(Protocol):
    """What ``sync_client_area`` and ``sync_accounts`` have in common."""

    def __call__(
        self,
        db: Database,
        area: ClientAreaClient,
        settings: Settings,
        *,
        now: datetime,
        full: bool,
        client_id: int | None,
        dry_run: bool,
    ) -> SyncSummary: ...


def _run_area_sync(
    app: AppContext,
    use_case: _AreaSync,
    title: str,
    full: bool,
    client_id: int | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """One client-area use case, run now with the command's options; then its summary."""
    area = _client_area(app)
    with area_errors():
        summary = use_case(
            app.database,
            area,
            app.settings,
            now=now_utc(),
            full=full,
            client_id=client_id,
            dry_run=dry_run,
        )
    print_summary(summary, title_of(title, dry_run), as_json)


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
    _run_area_sync(app, sync_client_area, "Client area sync", full, client_id, dry_run, as_json)


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
    _run_area_sync(app, sync_accounts, "Accounts push", full, client_id, dry_run, as_json)


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
        print_summary(summary, title_of(titles[name], dry_run), False)


# --- doctor -----------------------------------------------------------------------------------


@click.command()
@pass_app
def doctor(app: AppContext) -> None:
    """Check the shop URL, credentials, permissions and pack products (and the client area).

    One line per check; exit 0 when all pass, 2 when a setting is missing or unusable, 1 when
    another check failed.
    """
    report = diagnose(app.settings)
    for text in report.lines():
        click.echo(text)
    if report.failed:
        raise UserFacingError(
            f"{report.failed} of {len(report.findings)} checks failed", report.exit_code
        )
