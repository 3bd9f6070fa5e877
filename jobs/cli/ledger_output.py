"""How the ledger commands print: JSON documents and rich tables in French."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from ledger.french import format_amount, format_date, format_datetime, format_duration
from ledger.records import ClientBalance, ClientRow, EventRow, LotRow, RunRecord

WIDE = 180  # columns used when stdout is not a terminal (rich would wrap at 80)


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with a ``Z``, or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def print_json(document: object) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def console() -> Console:
    """Rich output on stdout; when piped, wide enough that tables do not wrap."""
    out = Console(highlight=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=WIDE)
    return out


def lot_json(lot: LotRow) -> dict[str, Any]:
    """One lot of ``balance --json``. Its minutes add up: ``granted_minutes = used_minutes +
    expired_minutes + remaining_minutes + refunded_minutes + voided_minutes`` (refunded: packs
    refunded from a lot that still counts; voided: the whole grant of a cancelled or refunded
    order)."""
    return {
        "id": lot.id,
        "sku": lot.sku,
        "order_id": lot.order_id,
        "order_line_id": lot.order_line_id,
        "granted_minutes": lot.granted_minutes,
        "used_minutes": lot.used_minutes,
        "expired_minutes": lot.expired_minutes,
        "remaining_minutes": lot.remaining_minutes,
        "refunded_minutes": lot.refunded_minutes,
        "voided_minutes": lot.cancelled_minutes,
        "opened_at": iso(lot.opened_at),
        "expires_at": iso(lot.expires_at),
        "status": lot.status.value,
    }


def balance_json(b: ClientBalance) -> dict[str, Any]:
    """The document of ``balance --json``: exactly the keys issue 2 specifies."""
    return {
        "client_id": b.client_id,
        "email": b.email,
        "remaining_minutes": b.remaining_minutes,
        "uncovered_minutes": b.uncovered_minutes,
        "lots": [lot_json(lot) for lot in b.lots],
    }


def event_json(e: EventRow) -> dict[str, Any]:
    return {
        "id": e.id,
        "fact": e.fact,
        "lot_id": e.lot_id,
        "entry_id": e.entry_id,
        "delta": e.delta,
        "value": e.value,
        "amount": str(e.amount) if e.amount is not None else None,
        "effective_at": iso(e.effective_at),
        "recorded_at": iso(e.recorded_at),
        "source": e.source,
        "reason": e.reason,
        "actor": e.actor,
    }


def who(b: ClientBalance | ClientRow) -> str:
    client_id = b.client_id if isinstance(b, ClientBalance) else b.id
    parts = [f"Client {client_id}"]
    if b.email:
        parts.append(b.email)
    if b.name:
        parts.append(f"({b.name})")
    return " ".join(parts)


def print_balance(b: ClientBalance, tz: ZoneInfo) -> None:
    out = console()
    out.print(f"[bold]{who(b)}[/bold]")
    out.print(
        f"Remaining: [bold]{format_duration(b.remaining_minutes)}[/bold]   "
        f"Uncovered: {format_duration(b.uncovered_minutes)}   "
        f"Billed: {format_duration(b.billed_minutes)}"
    )
    # Bought = Used + Expired + Left + Refunded + Voided, on every line.
    table = Table("Lot", "Pack", "Order", "Bought", "Used", "Expired", "Left", "Refunded")
    for column in ("Voided", "Opened", "Expires", "Status"):
        table.add_column(column)
    for lot in b.lots:
        order = f"{lot.order_id} / {lot.order_line_id}" if lot.order_id is not None else "-"
        table.add_row(
            lot.id,
            lot.sku or (lot.reason or "adjustment"),
            order,
            format_duration(lot.granted_minutes),
            format_duration(lot.used_minutes),
            format_duration(lot.expired_minutes),
            format_duration(lot.remaining_minutes),
            format_duration(lot.refunded_minutes),
            format_duration(lot.cancelled_minutes),
            format_date(lot.opened_at, tz),
            format_date(lot.expires_at, tz) if lot.expires_at else "never",
            lot.status.value,
        )
    out.print(table)


def print_events(client: ClientRow, events: list[EventRow], tz: ZoneInfo) -> None:
    """The ``ledger`` table: one row per event, oldest first, times in ``tz``."""
    out = console()
    out.print(f"[bold]{who(client)}[/bold] — {len(events)} events")
    table = Table("#", "Effective", "Fact", "Lot", "Entry", "Change", "Value", "Amount", "Source")
    for column in ("Reason", "Recorded", "By"):
        table.add_column(column)
    for e in events:
        table.add_row(
            str(e.id),
            format_datetime(e.effective_at, tz),
            e.fact,
            e.lot_id or "",
            e.entry_id or "",
            ("+" if e.delta > 0 else "") + format_duration(e.delta),
            format_duration(e.value),
            format_amount(e.amount) if e.amount is not None else "",
            e.source,
            e.reason or "",
            format_datetime(e.recorded_at, tz),
            e.actor,
        )
    out.print(table)


def print_status(
    document: dict[str, Any],
    cursors: dict[str, tuple[str, datetime]],
    runs: dict[str, RunRecord],
    tz: ZoneInfo,
) -> None:
    """The ``status`` report: the database line, cursors, last runs and the counts."""
    out = console()
    info, counts = document["database"], document["counts"]
    out.print(f"Database: {info['url']} ({info['dialect']}, schema {info['revision']})")
    table = Table("Cursor", "Value", "Moved")
    for name, (value, at) in cursors.items():
        table.add_row(name, value, format_datetime(at, tz))
    out.print(table if cursors else "Cursors: none yet")
    table = Table("Job", "Last run", "Outcome", "Error")
    for job, run in runs.items():
        table.add_row(job, format_datetime(run.started_at, tz), run.outcome, run.error or "")
    out.print(table if runs else "Runs: none yet")
    out.print(
        f"Clients: {counts['clients']}   Lots: "
        + ", ".join(f"{n} {s}" for s, n in counts["lots"].items())
        + f"   Entries: {counts['entries']}   Quarantined: {counts['quarantined']}"
        + f"   Unassigned orders: {counts['unassigned_orders']}"
        + f"   Admin flags: {counts['admin_flags']}   Outbox: {counts['outbox_pending']}"
    )
