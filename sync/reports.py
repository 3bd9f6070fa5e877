"""End-of-mission intervention reports (docs/design.md §2.9): the data, and the French PDF.

``build_report`` reads one client's rows through the store and lets the engine say, for a lot
(or for the whole account when ``lot_id`` is None), which entries it covered, which exchange
time was recorded without being deducted, which time no lot covered and how it was settled.
It writes nothing. ``render_report_pdf`` (``sync.report_pdf``) renders ``templates/report.html``
with Jinja2 and turns it into a PDF with WeasyPrint. The same data always gives the same bytes,
so a report uploaded twice is recognised by its sha256 (the client area answers with the
existing one). The values themselves are in ``sync.report_data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from email.utils import parseaddr

from config import Settings
from ledger.domain import (
    Allocation,
    Charge,
    ClientId,
    EntryKind,
    Lot,
    LotBalance,
    LotSource,
    LotStatus,
    TimeEntry,
    Uncovered,
)
from ledger.engine import allocate
from ledger.french import format_amount, format_long_date
from ledger.store import LedgerStore
from sync.labels import kind_label, lot_label, pack_label, status_label
from sync.policy import policy_from_settings
from sync.report_data import (
    NO_TICKET,
    ReportData,
    ReportError,
    ReportLine,
    ReportLot,
    ReportTask,
    ReportTotals,
    UncoveredLine,
    report_title,
)
from sync.report_pdf import render_report_html, render_report_pdf

__all__ = [
    "ReportData",
    "ReportError",
    "build_report",
    "end_of_mission_report",
    "render_report_html",
    "render_report_pdf",
    "report_title",
]


def build_report(
    store: LedgerStore,
    client_id: int,
    lot_id: str | None,
    settings: Settings,
    now: datetime,
    *,
    generated_at: datetime | None = None,
) -> ReportData:
    """The report of ``lot_id`` (None: every lot of the client) as of ``now``.

    ``generated_at`` (default ``now``) is the date printed on it. Raises ReportError for an
    unknown client or a lot that is not the client's.
    """
    client = store.find_client(str(client_id))
    if client is None:
        raise ReportError(f"no client {client_id} in the ledger")
    lots = store.lots_of_client(client_id)
    if lot_id is not None and lot_id not in {lot.id for lot in lots}:
        raise ReportError(f"client {client_id} has no lot {lot_id!r}")
    entries = store.entries_of_client(client_id)
    tickets = {t.id: t.title for t in store.tickets_of_client(client_id, include_deleted=True)}
    allocation = allocate(
        ClientId(client_id),
        lots,
        entries,
        store.decisions_of_client(client_id),
        now,
        policy_from_settings(settings),
    )
    scope = _Scope(lots, entries, allocation, lot_id, settings)
    report_lots = tuple(scope.report_lot(lot) for lot in scope.lots)
    lot = report_lots[0] if lot_id is not None else None
    tasks = scope.tasks(tickets)
    uncovered = scope.uncovered(tickets)
    billed = [u for u in uncovered if u.amount is not None]
    totals = ReportTotals(
        granted=sum(r.granted for r in report_lots),
        used=sum(r.used for r in report_lots),
        expired=sum(r.expired for r in report_lots),
        remaining=sum(r.remaining for r in report_lots),
        exchange=sum(task.exchange for task in tasks),
        pending=scope.pending_minutes,
        billed=sum(u.minutes for u in billed),
        billed_amount=sum((u.amount for u in billed if u.amount is not None), Decimal("0.00")),
    )
    name, email = parseaddr(settings.mail_from or "")
    return ReportData(
        title=report_title(
            lot.label if lot else None, lot.opened_at if lot else None, settings.timezone
        ),
        agency_name=name or "Service assistance",
        agency_email=email or None,
        agency_url=settings.wp_url or settings.woo_url,
        client_id=client_id,
        client_name=client.name,
        client_email=client.email,
        lot=lot,
        lots=report_lots,
        tasks=tasks,
        uncovered=uncovered,
        totals=totals,
        generated_at=generated_at or now,
        timezone=settings.timezone,
        ended_at=scope.ended_at(lot_id) if lot_id is not None else None,
    )


def end_of_mission_report(
    store: LedgerStore, client_id: int, lot_id: str, settings: Settings, now: datetime
) -> ReportData | None:
    """The report of a lot that is used up or expired, dated when that happened (so that the
    same lot gives the same PDF at every sweep); None while the lot is still open or voided."""
    report = build_report(store, client_id, lot_id, settings, now)
    if report.ended_at is None:
        return None
    return replace(report, generated_at=report.ended_at)


class _Scope:
    """Which lots, entries and charges one report covers; private to ``build_report``."""

    def __init__(
        self,
        lots: Sequence[Lot],
        entries: Sequence[TimeEntry],
        allocation: Allocation,
        lot_id: str | None,
        settings: Settings,
    ) -> None:
        self.settings = settings
        self.all_lots: dict[str, Lot] = {lot.id: lot for lot in lots}
        self.balances: dict[str, LotBalance] = {b.lot_id: b for b in allocation.lots}
        self.lots = [lot for lot in lots if lot_id is None or lot.id == lot_id]
        ids = {lot.id for lot in self.lots}
        self.charges = [c for c in allocation.charges if c.lot_id in ids]
        self.all_charges = allocation.charges
        self.uncovered_parts = {u.entry_id: u for u in allocation.uncovered}
        charged_entries = {c.entry_id for c in self.charges}
        tickets_in_scope = {e.ticket_id for e in entries if e.id in charged_entries}
        start = min((lot.opened_at for lot in self.lots), default=None)
        ends = [lot.expires_at for lot in self.lots]
        end = None if lot_id is None or None in ends else max(e for e in ends if e is not None)

        def in_window(entry: TimeEntry) -> bool:
            if lot_id is None:
                return True
            after = start is not None and entry.performed_at >= start
            return after and (end is None or entry.performed_at < end)

        # The whole account lists every entry: covered, exchange and uncovered (a task no lot
        # ever covered included). A lot's report lists what it covered; exchange time and
        # uncovered time of the same tasks belong to it when done while the lot was valid.
        self.entries = [
            e
            for e in entries
            if lot_id is None
            or e.id in charged_entries
            or (
                e.ticket_id in tickets_in_scope
                and in_window(e)
                and (e.kind is EntryKind.EXCHANGE or e.id in self.uncovered_parts)
            )
        ]

    def report_lot(self, lot: Lot) -> ReportLot:
        balance = self.balances[lot.id]
        return ReportLot(
            id=lot.id,
            label=lot_label(lot, self.settings.catalog),
            sku=lot.sku,
            opened_at=lot.opened_at,
            expires_at=lot.expires_at,
            granted=balance.granted - balance.voided,
            used=balance.used,
            expired=balance.expired,
            remaining=balance.remaining,
            status=status_label(balance.status),
        )

    def tasks(self, titles: dict[str, str]) -> tuple[ReportTask, ...]:
        by_ticket: dict[str | None, list[ReportLine]] = {}
        for entry in self.entries:
            mine = [c for c in self.charges if c.entry_id == entry.id]
            by_ticket.setdefault(entry.ticket_id, []).append(
                ReportLine(
                    entry_id=entry.id,
                    performed_at=entry.performed_at,
                    kind=entry.kind.value,
                    kind_label=kind_label(entry.kind.value),
                    minutes=entry.minutes,
                    charged=sum(c.minutes for c in mine),
                    deducted=entry.kind.deducted,
                    absorbed=any(c.absorbed for c in mine),
                    note=entry.note,
                )
            )
        tasks = [
            ReportTask(
                ticket,
                titles.get(ticket, f"Demande {ticket}") if ticket else NO_TICKET,
                tuple(lines),
            )
            for ticket, lines in by_ticket.items()
        ]
        return tuple(sorted(tasks, key=lambda t: (t.lines[0].performed_at, t.ticket_id or "")))

    def uncovered(self, titles: dict[str, str]) -> tuple[UncoveredLine, ...]:
        lines: list[UncoveredLine] = []
        for entry in self.entries:
            title = titles.get(entry.ticket_id or "", NO_TICKET)
            for charge in self.all_charges:
                if charge.entry_id == entry.id and charge.absorbed:
                    lines.append(self._absorbed(entry, title, charge))
            part = self.uncovered_parts.get(entry.id)
            if part is not None:
                lines.append(self._unsettled(entry, title, part))
        return tuple(lines)

    def ended_at(self, lot_id: str) -> datetime | None:
        """When the lot expired or its last minute was charged; None if open or voided."""
        balance = self.balances[lot_id]
        lot = self.all_lots[lot_id]
        if balance.status is LotStatus.EXPIRED:
            return lot.expires_at
        if balance.status is not LotStatus.USED_UP:
            return None
        performed = {e.id: e.performed_at for e in self.entries}
        moments = [
            lot.opened_at if c.absorbed else performed.get(c.entry_id, lot.opened_at)
            for c in self.charges
        ]
        return max(moments, default=lot.opened_at)

    @property
    def pending_minutes(self) -> int:
        ids = {e.id for e in self.entries}
        return sum(
            u.minutes for u in self.uncovered_parts.values() if u.entry_id in ids and not u.billed
        )

    def _absorbed(self, entry: TimeEntry, title: str, charge: Charge) -> UncoveredLine:
        lot = self.all_lots[charge.lot_id]
        label = pack_label(lot.sku, self.settings.catalog, lot.source)
        where = "de ce pack" if charge in self.charges and len(self.lots) == 1 else f"du {label}"
        since = format_long_date(lot.opened_at, self.settings.timezone)
        opened = "ajouté" if lot.source is LotSource.ADJUSTMENT else "acheté"
        return UncoveredLine(
            entry.id,
            entry.performed_at,
            title,
            charge.minutes,
            f"déduit {where} ({opened} le {since})",
        )

    def _unsettled(self, entry: TimeEntry, title: str, part: Uncovered) -> UncoveredLine:
        if part.billed and part.hourly_rate is not None and part.amount is not None:
            settlement = (
                f"facturé à {format_amount(part.hourly_rate)} HT de l'heure, "
                f"soit {format_amount(part.amount)} HT"
            )
            return UncoveredLine(
                entry.id, entry.performed_at, title, part.minutes, settlement, part.amount
            )
        settlement = "non couvert : sera déduit du prochain pack ou facturé selon votre choix"
        return UncoveredLine(entry.id, entry.performed_at, title, part.minutes, settlement)
