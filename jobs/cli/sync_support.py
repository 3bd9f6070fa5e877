"""What every ``assist-sync sync`` subcommand shares: the clock, ``--since``, the common
options, remote failures as one line with an exit code, the progress bar and the summary.

Exit codes: 0 done; 1 the remote failed for now (nothing was lost, the cursor was kept);
2 configuration or credentials to fix.
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

from jobs.cli.context import EXIT_FAILURE, EXIT_USAGE, UserFacingError
from ledger.checks import InvalidLedgerInput
from ledger.store import UnknownClient
from sync.order_cursor import CursorError
from sync.summary import SyncSummary
from wp_client.errors import ConfigurationError, RemoteError

WIDE = 120
KEPT = "nothing was lost; the cursor was kept — run it again later"
ProgressCallback = Callable[[int, int | None], None]


def now_utc() -> datetime:
    """The run's clock: aware UTC."""
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
    """``--json``: print the summary as one JSON object."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(f)


def dry_run_option(f: Callable[..., None]) -> Callable[..., None]:
    """``--dry-run``: a rolled-back transaction; nothing written or sent."""
    help_text = "Do everything in a transaction that is rolled back; report what would change."
    return click.option("--dry-run", is_flag=True, help=help_text)(f)


def client_option(f: Callable[..., None]) -> Callable[..., None]:
    """``--client ID``: narrow the run to one client."""
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


def title_of(what: str, dry_run: bool) -> str:
    """The summary's title, which says when nothing was written."""
    return f"{what} (dry run: nothing was written)" if dry_run else what
