"""The client area's state (the ``assist/v1`` plugin's data) and the mutators tests use.

Tickets and time entries carry a GMT modification time that every change bumps; deleting one
leaves a tombstone (``deleted: true``) so a mirror sees it. ``accounts`` holds what the daemon
pushed per client, ``reports`` the PDFs it uploaded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.dates import as_utc, gmt_text, utc_now

KINDS = ("production", "correction", "training", "exchange")
TICKET_STATUSES = ("open", "in_progress", "done", "closed")
DECISIONS = ("buy_pack", "bill")


@dataclass
class Ticket:
    id: int
    client_id: int
    title: str
    status: str
    estimate_minutes: int | None
    created: datetime
    modified: datetime
    decision: str | None = None
    decided_at: datetime | None = None
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "title": self.title,
            "status": self.status,
            "estimate_minutes": self.estimate_minutes,
            "decision": self.decision,
            "decided_at_gmt": gmt_text(self.decided_at) if self.decided_at else None,
            "date_created_gmt": gmt_text(self.created),
            "date_modified_gmt": gmt_text(self.modified),
            "deleted": self.deleted,
        }


@dataclass
class Entry:
    id: int
    ticket_id: int
    client_id: int
    kind: str
    minutes: int
    performed_at: datetime
    note: str
    author_id: int
    created: datetime
    modified: datetime
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "client_id": self.client_id,
            "kind": self.kind,
            "minutes": self.minutes,
            "performed_at_gmt": gmt_text(self.performed_at),
            "note": self.note,
            "author_id": self.author_id,
            "date_created_gmt": gmt_text(self.created),
            "date_modified_gmt": gmt_text(self.modified),
            "deleted": self.deleted,
        }


@dataclass
class Account:
    """The last payload pushed for a client, and how many times it was written."""

    client_id: int
    hash: str
    payload: dict[str, Any]
    received_at: datetime
    writes: int = 1


@dataclass
class Report:
    id: int
    client_id: int
    lot_id: str
    title: str
    filename: str
    sha256: str
    content: bytes
    created: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "lot_id": self.lot_id,
            "title": self.title,
            "date_created_gmt": gmt_text(self.created),
            "sha256": self.sha256,
        }


@dataclass
class ClientAreaState:
    """Tickets, time entries, pushed accounts and reports; ``is_client`` says who is a client."""

    is_client: Callable[[int], bool]
    clock: Callable[[], datetime] = utc_now
    tickets: dict[int, Ticket] = field(default_factory=dict)
    entries: dict[int, Entry] = field(default_factory=dict)
    accounts: dict[int, Account] = field(default_factory=dict)
    reports: dict[int, Report] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _next_ticket: int = 1
    _next_entry: int = 1
    _next_report: int = 1

    def _when(self, at: datetime | None) -> datetime:
        return as_utc(at) if at else self.clock()

    def add_ticket(
        self,
        client_id: int,
        title: str,
        *,
        estimate_minutes: int | None = None,
        status: str = "open",
        at: datetime | None = None,
    ) -> Ticket:
        with self.lock:
            when = self._when(at)
            ticket = Ticket(
                self._next_ticket, client_id, title, status, estimate_minutes, when, when
            )
            self._next_ticket += 1
            self.tickets[ticket.id] = ticket
            return ticket

    def edit_ticket(
        self, ticket_id: int, *, touch: bool = True, at: datetime | None = None, **changes: Any
    ) -> Ticket:
        """Change ``title``, ``status`` or ``estimate_minutes`` of a ticket."""
        with self.lock:
            ticket = self.tickets[ticket_id]
            for name, value in changes.items():
                if name not in ("title", "status", "estimate_minutes"):
                    raise TypeError(f"cannot edit {name!r} of a ticket")
                setattr(ticket, name, value)
            if touch:
                ticket.modified = max(self._when(at), ticket.modified)
            return ticket

    def delete_ticket(self, ticket_id: int, *, at: datetime | None = None) -> Ticket:
        with self.lock:
            ticket = self.tickets[ticket_id]
            ticket.deleted = True
            ticket.modified = max(self._when(at), ticket.modified)
            return ticket

    def decide(self, ticket_id: int, choice: str, *, at: datetime | None = None) -> Ticket:
        """The client's overrun decision (``buy_pack`` or ``bill``), as the page records it."""
        if choice not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}, not {choice!r}")
        with self.lock:
            ticket = self.tickets[ticket_id]
            when = self._when(at)
            ticket.decision, ticket.decided_at = choice, when
            ticket.modified = max(when, ticket.modified)
            return ticket

    def add_entry(
        self,
        ticket_id: int,
        kind: str,
        minutes: int,
        *,
        performed_at: datetime | None = None,
        note: str = "",
        author_id: int = 1,
        at: datetime | None = None,
    ) -> Entry:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        with self.lock:
            ticket = self.tickets[ticket_id]
            when = self._when(at)
            entry = Entry(
                self._next_entry,
                ticket_id,
                ticket.client_id,
                kind,
                minutes,
                as_utc(performed_at) if performed_at else when,
                note,
                author_id,
                when,
                when,
            )
            self._next_entry += 1
            self.entries[entry.id] = entry
            return entry

    def edit_entry(
        self, entry_id: int, *, touch: bool = True, at: datetime | None = None, **changes: Any
    ) -> Entry:
        """Change ``kind``, ``minutes``, ``performed_at`` or ``note`` of an entry."""
        with self.lock:
            entry = self.entries[entry_id]
            for name, value in changes.items():
                if name not in ("kind", "minutes", "performed_at", "note"):
                    raise TypeError(f"cannot edit {name!r} of an entry")
                setattr(entry, name, as_utc(value) if name == "performed_at" else value)
            if touch:
                entry.modified = max(self._when(at), entry.modified)
            return entry

    def delete_entry(self, entry_id: int, *, at: datetime | None = None) -> Entry:
        """Delete an entry, leaving a tombstone listed with ``deleted: true``."""
        with self.lock:
            entry = self.entries[entry_id]
            entry.deleted = True
            entry.modified = max(self._when(at), entry.modified)
            return entry

    # ---- what the daemon sends -------------------------------------------------------------------
    def receive_account(self, item: Any) -> tuple[str, dict[str, Any] | None]:
        """Store one pushed account; ("updated"|"unchanged", None) or ("error", error item)."""
        if not isinstance(item, dict) or not isinstance(item.get("client_id"), int):
            client = item.get("client_id") if isinstance(item, dict) else None
            return "error", {
                "client_id": client,
                "code": "assist_invalid_item",
                "message": "Chaque élément doit avoir client_id, hash et payload.",
            }
        client_id = item["client_id"]
        digest, payload = item.get("hash"), item.get("payload")
        if not isinstance(digest, str) or not isinstance(payload, dict):
            return "error", {
                "client_id": client_id,
                "code": "assist_invalid_item",
                "message": "Chaque élément doit avoir client_id, hash et payload.",
            }
        if not self.is_client(client_id):
            return "error", {
                "client_id": client_id,
                "code": "assist_unknown_client",
                "message": f"Aucun utilisateur {client_id}.",
            }
        with self.lock:
            current = self.accounts.get(client_id)
            if current is not None and current.hash == digest:
                return "unchanged", None
            writes = current.writes + 1 if current else 1
            self.accounts[client_id] = Account(client_id, digest, payload, self.clock(), writes)
            return "updated", None

    def receive_report(
        self, client_id: int, lot_id: str, title: str, filename: str, content: bytes
    ) -> tuple[Report, bool]:
        """Store a report; the same (client, lot, sha256) returns the existing one (False)."""
        digest = hashlib.sha256(content).hexdigest()
        with self.lock:
            for report in self.reports.values():
                if (report.client_id, report.lot_id, report.sha256) == (client_id, lot_id, digest):
                    return report, False
            report = Report(
                self._next_report, client_id, lot_id, title, filename, digest, content, self.clock()
            )
            self._next_report += 1
            self.reports[report.id] = report
            return report, True
