"""Admin commands on the ledger: db upgrade, balance, ledger, adjust, clients, status.

Human output is a table (French durations, dates in the configured time zone); ``--json`` prints
exactly one JSON document with ISO-8601 UTC timestamps. An unknown client is a usage error
(exit 2); an unreachable database a runtime failure (exit 1).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click

from jobs.cli import tables
from jobs.cli.context import EXIT_USAGE, AppContext, UserFacingError
from jobs.cli.ledger_output import (
    balance_json,
    console,
    event_json,
    iso,
    print_balance,
    print_events,
    print_json,
    print_status,
)
from ledger.checks import InvalidLedgerInput
from ledger.db import open_database
from ledger.french import format_datetime, format_duration
from ledger.migrations import head_revision
from ledger.records import ClientRow
from ledger.store import LedgerStore
from sync.policy import policy_from_settings

pass_app = click.make_pass_decorator(AppContext)
# One adjustment moves at most 100 000 min (about 1 667 h, far beyond any pack): a larger number
# is a typing mistake, and would not fit the database's integer columns anyway.
MAX_ADJUSTMENT_MINUTES = 100_000
MAX_ACTOR_LENGTH = 200


def register(group: click.Group) -> None:
    """Add this module's commands to ``group``."""
    for command in (db, balance, ledger_log, adjust, clients, status):
        group.add_command(command)


# --- helpers ---------------------------------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(UTC)


def resolve_client(store: LedgerStore, ref: str) -> ClientRow:
    found = store.find_client(ref)
    if found is None:
        raise UserFacingError(
            f"unknown client {ref!r}: no client has that WordPress user id or e-mail "
            "(see `assist-sync clients`)",
            EXIT_USAGE,
        )
    return found


@contextmanager
def allocation_errors(client_id: int) -> Iterator[None]:
    try:
        yield
    except InvalidLedgerInput as exc:
        raise UserFacingError(f"cannot allocate client {client_id}: {exc}") from None


# --- commands --------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """The ledger database named by ASSIST_DATABASE_URL (default ./assist-sync.sqlite3)."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Create the database or migrate it to the newest schema (also done on first use)."""
    database = app.keep(open_database(app.settings.database_url, upgrade=False))
    before = database.revision()
    database.upgrade()
    after = database.revision()
    if before == after:
        click.echo(f"{database.url}: schema already at revision {after}")
    else:
        click.echo(f"{database.url}: schema upgraded from {before or 'empty'} to {after}")


@click.command()
@click.argument("client")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def balance(app: AppContext, client: str, as_json: bool) -> None:
    """A client's remaining time and lots, recomputed now (expiry is current).

    CLIENT is a WordPress user id or an e-mail address (unknown client: exit 2). Durations read
    "2 h 15 min" and dates are local; --json gives minutes and ISO-8601 UTC timestamps.
    """
    policy = policy_from_settings(app.settings)
    with app.database.transaction() as session:
        store = LedgerStore(session)
        row = resolve_client(store, client)
        with allocation_errors(row.id):
            store.recompute(row.id, now_utc(), policy)
        result = store.balance(row.id)
    if as_json:
        print_json(balance_json(result))
    else:
        print_balance(result, app.settings.timezone)


@click.command("ledger")
@click.argument("client")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def ledger_log(app: AppContext, client: str, as_json: bool) -> None:
    """A client's event log, oldest first: every change to the credit and its source.

    CLIENT is a WordPress user id or an e-mail address (unknown client: exit 2).
    """
    with app.database.read() as session:
        store = LedgerStore(session)
        row = resolve_client(store, client)
        events = store.events(row.id)
    if as_json:
        print_json(
            {
                "client_id": row.id,
                "email": row.email,
                "events": [event_json(e) for e in events],
            }
        )
        return
    print_events(row, events, app.settings.timezone)


@click.command()
@click.argument("client")
@click.option(
    "--minutes",
    type=click.IntRange(-MAX_ADJUSTMENT_MINUTES, MAX_ADJUSTMENT_MINUTES),
    required=True,
    help="Minutes to credit (positive) or debit (negative).",
)
@click.option("--reason", required=True, help="Why: kept in the ledger with the change.")
@click.option("--actor", default=None, help="Who makes the change [default: cli:<login>].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def adjust(
    app: AppContext, client: str, minutes: int, reason: str, actor: str | None, as_json: bool
) -> None:
    """Credit (N > 0) or debit (N < 0) a client's time, with a reason.

    A credit opens a lot that never expires; a debit is deducted like work, now.
    CLIENT is a WordPress user id or an e-mail address (unknown client: exit 2).
    """
    if not reason.strip():
        raise UserFacingError("--reason must say why the credit changes", EXIT_USAGE)
    if minutes == 0:
        raise UserFacingError("--minutes must not be 0", EXIT_USAGE)
    actor = actor or f"cli:{_login()}"
    if len(actor) > MAX_ACTOR_LENGTH:  # the ledger keeps who acted in 200 characters
        raise UserFacingError(f"--actor is at most {MAX_ACTOR_LENGTH} characters", EXIT_USAGE)
    policy = policy_from_settings(app.settings)
    with app.database.transaction() as session:
        store = LedgerStore(session)
        row = resolve_client(store, client)
        with allocation_errors(row.id):
            ref = store.add_adjustment(row.id, minutes, reason, now_utc(), actor, policy=policy)
        result = store.balance(row.id)
    if as_json:
        print_json(
            {
                "client_id": row.id,
                "adjustment_id": ref,
                "minutes": minutes,
                "reason": reason.strip(),
                "actor": actor,
                "remaining_minutes": result.remaining_minutes,
                "uncovered_minutes": result.uncovered_minutes,
            }
        )
        return
    verb = "Credited {} to" if minutes > 0 else "Debited {} from"
    click.echo(
        f"{verb.format(format_duration(abs(minutes)))} client {row.id} ({ref}): {reason.strip()}. "
        f"Remaining: {format_duration(result.remaining_minutes)}, "
        f"uncovered: {format_duration(result.uncovered_minutes)}."
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list.")
@pass_app
def clients(app: AppContext, as_json: bool) -> None:
    """Every client with remaining and uncovered time (as of its last recompute).

    The daemon recomputes every client at each sweep; `assist-sync balance CLIENT` recomputes
    one client now.
    """
    with app.database.read() as session:
        rows = LedgerStore(session).clients()
    if as_json:
        print_json(
            [
                {
                    "client_id": r.id,
                    "email": r.email,
                    "remaining_minutes": r.remaining_minutes,
                    "uncovered_minutes": r.uncovered_minutes,
                    "open_lots": r.open_lots,
                }
                for r in rows
            ]
        )
        return
    tz = app.settings.timezone
    out = console()
    if not rows:
        out.print("No client yet.")
        return
    headers = ("Client", "E-mail", "Name", "Remaining", "Uncovered", "Open lots", "As of")
    cells = [
        (
            str(r.id),
            r.email or "",
            r.name or "",
            format_duration(r.remaining_minutes),
            format_duration(r.uncovered_minutes),
            str(r.open_lots),
            format_datetime(r.recomputed_at, tz) if r.recomputed_at else "never",
        )
        for r in rows
    ]
    out.print(tables.table(out, headers, cells))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """The database, sync cursors, the last run of each job and what the ledger holds."""
    database = app.database
    with database.read() as session:
        store = LedgerStore(session)
        cursors = store.cursors()
        runs = store.last_runs()
        counts = store.status_counts()
    document: dict[str, Any] = {
        "database": {
            "url": database.url,
            "dialect": database.dialect,
            "revision": database.revision(),
            "head": head_revision(),
        },
        "cursors": {
            name: {"value": value, "updated_at": iso(at)} for name, (value, at) in cursors.items()
        },
        "last_runs": {
            job: {
                "started_at": iso(run.started_at),
                "finished_at": iso(run.finished_at),
                "outcome": run.outcome,
                "summary": run.summary,
                "error": run.error,
            }
            for job, run in runs.items()
        },
        "counts": counts,
    }
    if as_json:
        print_json(document)
        return
    print_status(document, cursors, runs, app.settings.timezone)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
