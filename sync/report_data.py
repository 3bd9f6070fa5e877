"""The values of an intervention report: what ``build_report`` gathers and the template shows.

Plain frozen data, no behaviour beyond formatting a title; dates are aware UTC, minutes ``int``,
money ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ledger.french import PARIS, format_date

NO_TICKET = "Hors demande"


class ReportError(LookupError):
    """The report cannot be made: unknown client or lot. The message is one line."""


@dataclass(frozen=True)
class ReportLot:
    id: str
    label: str
    sku: str | None
    opened_at: datetime
    expires_at: datetime | None
    granted: int  # what it can cover (after refunds and voiding)
    used: int
    expired: int
    remaining: int
    status: str


@dataclass(frozen=True)
class ReportLine:
    """One time entry. ``charged`` is what this report's lot(s) covered of it."""

    entry_id: str
    performed_at: datetime
    kind: str
    kind_label: str
    minutes: int
    charged: int
    deducted: bool
    absorbed: bool
    note: str


@dataclass(frozen=True)
class ReportTask:
    ticket_id: str | None
    title: str
    lines: tuple[ReportLine, ...]

    @property
    def charged(self) -> int:
        return sum(line.charged for line in self.lines)

    @property
    def exchange(self) -> int:
        return sum(line.minutes for line in self.lines if not line.deducted)


@dataclass(frozen=True)
class UncoveredLine:
    """Time no lot covered when it was done, and how it was settled (in French)."""

    entry_id: str
    performed_at: datetime
    title: str
    minutes: int
    settlement: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class ReportTotals:
    granted: int
    used: int
    expired: int
    remaining: int
    exchange: int
    pending: int  # uncovered, not settled yet
    billed: int
    billed_amount: Decimal


@dataclass(frozen=True)
class ReportData:
    title: str
    agency_name: str
    agency_email: str | None
    agency_url: str | None
    client_id: int
    client_name: str | None
    client_email: str | None
    lot: ReportLot | None  # None: the whole account
    lots: tuple[ReportLot, ...]
    tasks: tuple[ReportTask, ...]
    uncovered: tuple[UncoveredLine, ...]
    totals: ReportTotals
    generated_at: datetime
    timezone: ZoneInfo
    ended_at: datetime | None = None  # when the lot was used up or expired (None: still open)

    @property
    def has_absorbed(self) -> bool:
        return any(line.absorbed for task in self.tasks for line in task.lines)

    @property
    def filename(self) -> str:
        scope = self.lot.id if self.lot is not None else "compte"
        return f"rapport-{self.client_id}-{scope}.pdf"


def report_title(label: str | None, opened_at: datetime | None, tz: ZoneInfo = PARIS) -> str:
    """``"Rapport d'intervention – Pack Assistance 3h du 01/12/2026"``; with no lot (None), the
    title of the whole-account summary. ``label`` is ``sync.labels.pack_label(...)`` of the lot
    (what the account page lists next to each report)."""
    if label is None or opened_at is None:
        return "Relevé d'assistance – tous vos packs"
    return f"Rapport d'intervention – {label} du {format_date(opened_at, tz)}"
