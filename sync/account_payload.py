"""What a client's page "Mon assistance" shows, built from the ledger, and its content hash.

``account_payload`` reads one client through the store (cached balance and lots as of the last
recompute, charges, live entries and tickets, uploaded reports) and returns the JSON object of
``docs/client-area-api.md``. ``content_hash`` is the sha256 of its canonical JSON *without*
``synced_at``, so that an account whose content did not change hashes the same on every run
and is never sent again.

Dates are UTC, naive ISO seconds (the API's convention; the page shows them in Europe/Paris).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from config import Settings
from ledger.domain import EntryKind, TimeEntry
from ledger.engine import deducted_minutes
from ledger.french import format_date, format_duration
from ledger.records import LotRow, ReportRow, TicketRecord
from ledger.store import LedgerStore
from sync.labels import lot_label, status_label
from sync.product_pages import product_urls as known_product_urls
from sync.warnings import WarningOptions, detect_warnings, logged_minutes_by_ticket

RECENT_TASKS = 20
KIND_ORDER = (
    EntryKind.PRODUCTION,
    EntryKind.CORRECTION,
    EntryKind.TRAINING,
    EntryKind.EXCHANGE,
    EntryKind.ADJUSTMENT,
)
UNHASHED = ("synced_at",)


def gmt(moment: datetime | None) -> str | None:
    """``2026-11-26T10:15:00`` (UTC, no offset), or None."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def content_hash(payload: Mapping[str, Any]) -> str:
    """sha256 (hex) of the payload's canonical JSON, ``synced_at`` left out."""
    kept = {k: v for k, v in payload.items() if k not in UNHASHED}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def account_payload(
    store: LedgerStore,
    client_id: int,
    settings: Settings,
    now: datetime,
    *,
    product_urls: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The account payload of ``client_id`` at ``now``. Raises UnknownClient."""
    balance = store.balance(client_id)
    entries = store.entries_of_client(client_id)
    tickets = store.tickets_of_client(client_id, include_deleted=True)
    charged: dict[str, int] = defaultdict(int)
    for lot in balance.lots:
        for entry, minutes, _absorbed in store.charges_of_lot(lot.id):
            charged[entry.id] += minutes
    options = WarningOptions.from_settings(settings, known_product_urls(store, product_urls))
    live_tickets = [t for t in tickets if not t.deleted]
    warnings = detect_warnings(
        balance,
        live_tickets,
        logged_minutes_by_ticket(entries, settings.rounding_minutes),
        now,
        options,
    )
    return {
        "synced_at": gmt(now),
        "remaining_minutes": balance.remaining_minutes,
        "uncovered_minutes": balance.uncovered_minutes,
        "remaining_label": format_duration(balance.remaining_minutes),
        "lots": [_lot(lot, settings) for lot in balance.lots],
        "recent_tasks": _recent_tasks(entries, tickets, charged, settings.rounding_minutes),
        "warnings": [w.as_payload() for w in warnings],
        "reports": _reports(store.reports_of_client(client_id), balance.lots, settings),
    }


def _lot(lot: LotRow, settings: Settings) -> dict[str, Any]:
    return {
        "id": lot.id,
        "sku": lot.sku,
        "label": lot_label(lot, settings.catalog),
        "opened_at": gmt(lot.opened_at),
        "expires_at": gmt(lot.expires_at),
        "granted_minutes": lot.granted_minutes,
        "used_minutes": lot.used_minutes,
        "expired_minutes": lot.expired_minutes,
        "remaining_minutes": lot.remaining_minutes,
        "status": lot.status.value,
        "status_label": status_label(lot.status),
    }


def _recent_tasks(
    entries: list[TimeEntry],
    tickets: list[TicketRecord],
    charged: Mapping[str, int],
    rounding: int,
) -> list[dict[str, Any]]:
    """One task per ticket (admin debits are one task each), most recent work first.

    ``deducted_minutes`` is what the task drew from the packs; ``uncovered_minutes`` the
    deductible time no pack covered (exchange time is shown, never deducted).
    """
    titles = {t.id: t.title for t in tickets}
    groups: dict[str, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.ticket_id if entry.ticket_id is not None else f"entry:{entry.id}"].append(
            entry
        )
    tasks: list[tuple[datetime, str, dict[str, Any]]] = []
    for key, group in groups.items():
        by_kind: dict[str, int] = defaultdict(int)
        for entry in group:
            by_kind[entry.kind.value] += entry.minutes
        deductible = sum(deducted_minutes(e, rounding) for e in group)
        drawn = sum(charged.get(e.id, 0) for e in group)
        last = max(e.performed_at for e in group)
        first = group[0]
        if first.ticket_id is not None:
            ticket: int | str | None = int(key) if key.isdigit() else key
            title = titles.get(key) or f"Demande {key}"
        else:
            ticket, title = None, f"Ajustement : {first.note}" if first.note else "Ajustement"
        task: dict[str, Any] = {
            "ticket_id": ticket,
            "title": title,
            "performed_at": gmt(last),
            "minutes_by_kind": {
                kind.value: by_kind[kind.value] for kind in KIND_ORDER if by_kind.get(kind.value)
            },
            "deducted_minutes": drawn,
        }
        if deductible > drawn:
            task["uncovered_minutes"] = deductible - drawn
        tasks.append((last, key, task))
    tasks.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [task for _, _, task in tasks[:RECENT_TASKS]]


def _reports(
    reports: list[ReportRow], lots: tuple[LotRow, ...], settings: Settings
) -> list[dict[str, Any]]:
    """Reports the client area holds (uploaded, so with a remote id), newest first."""
    by_id = {lot.id: lot for lot in lots}
    out: list[dict[str, Any]] = []
    for report in sorted(reports, key=lambda r: (r.created_at, r.id), reverse=True):
        if report.remote_id is None:
            continue
        lot = by_id.get(report.lot_id)
        if lot is None:
            title = "Relevé d'assistance – tous vos packs"
        else:
            label = lot_label(lot, settings.catalog)
            title = (
                f"Rapport d'intervention – {label} du "
                f"{format_date(lot.opened_at, settings.timezone)}"
            )
        out.append({"id": report.remote_id, "title": title, "created_at": gmt(report.created_at)})
    return out
