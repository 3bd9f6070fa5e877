"""Client area → ledger: mirror tickets and time entries, recompute every client they touch.

A run (``sync_client_area``) reads two streams, tickets first (so that entries find their
ticket and decisions are known), then time entries. Each stream:

* resumes from its own cursor (``client_area.tickets``, ``client_area.entries``; the orders
  sync's ``OrderCursor`` value) and freezes its upper bound at ``now``: it reads the rows
  modified in ``(cursor, bound]``, ordered by id; ``--full`` reads every row;
* first retries the rows it quarantined earlier from their stored payload (an entry whose
  ticket was not known yet is taken once the ticket arrived — no request needed);
* applies each page in one write transaction: upserts (a stale version changes nothing, so the
  overlap window re-reads harmlessly), tombstones delete, malformed rows are quarantined with
  their reason while the page goes on, and every client whose rows changed is recomputed by the
  engine in that same transaction (its decisions included);
* saves its cursor (the bound minus the overlap window) with its last page only: a page that
  fails leaves the cursor where it was and the next run reads it again.

A full run also reports (admin flag ``entry_vanished``) the live entries the listing no longer
shows without a tombstone: they are kept, never deleted silently. ``client_id`` narrows one run
to a client and never moves a cursor; ``dry_run`` does everything in one rolled-back
transaction. The run is recorded as job ``client_area``; a failure is recorded then re-raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from config import Settings
from ledger.db import Database
from ledger.records import Change
from ledger.store import LedgerStore
from sync.area_records import (
    ENTRY_PREFIX,
    MalformedRecord,
    parse_entry,
    parse_ticket,
    record_key,
    ticket_problem,
)
from sync.order_cursor import OrderCursor, whole_seconds
from sync.policy import policy_from_settings
from sync.sessions import Sessions, SharedSession, recorded, run_in, with_last
from sync.summary import SyncSummary
from wp_client.client_area import ClientAreaClient

JOB = "client_area"
TICKETS, ENTRIES = "client_area.tickets", "client_area.entries"  # cursor and quarantine names
VANISHED_FLAG = "entry_vanished"


@dataclass(frozen=True)
class ClientAreaSummary(SyncSummary):
    """What one client-area run did. ``as_dict()`` is the ``--json`` object."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "records_read",
        "changed",
        "deleted",
        "quarantined",
        "requests",
        "seconds",
    )
    LABELS: ClassVar[dict[str, str]] = {
        "tickets_read": "tickets read",
        "entries_read": "time entries read",
        "changed": "records new or changed",
        "deleted": "records deleted",
        "quarantined": "records quarantined",
        "released": "quarantined records taken",
        "recomputed": "clients recomputed",
        "vanished": "entries gone without a tombstone",
        "requests": "requests made",
        "seconds": "time",
    }

    records_read: int = 0
    changed: int = 0
    deleted: int = 0
    quarantined: int = 0
    requests: int = 0
    seconds: float = 0.0
    tickets_read: int = 0
    entries_read: int = 0
    released: int = 0
    recomputed: int = 0
    vanished: int = 0
    vanished_ids: tuple[str, ...] = ()
    dry_run: bool = False


# --- the use case -----------------------------------------------------------------------------


def sync_client_area(
    db: Database,
    area: ClientAreaClient,
    settings: Settings,
    *,
    now: datetime,
    full: bool = False,
    client_id: int | None = None,
    dry_run: bool = False,
    per_page: int = 100,
) -> ClientAreaSummary:
    """Bring the ledger's tickets and time entries up to date. See the module docstring.

    ``now`` (aware UTC) is the frozen upper bound and the time of every write. Raises what the
    client raises (``wp_client.errors``), ``DatabaseError``, or ``CursorError`` for an
    unreadable stored cursor (``full`` rewrites it) — after recording the failed run (not in a
    dry run).
    """
    run = _AreaRun(area, settings, now=now, full=full, client_id=client_id, per_page=per_page)
    started, requests_before = time.monotonic(), area.requests_made

    def summary() -> ClientAreaSummary:
        t = run.tally
        return ClientAreaSummary(
            records_read=t.tickets_read + t.entries_read,
            changed=t.changed,
            deleted=t.deleted,
            quarantined=t.quarantined,
            requests=area.requests_made - requests_before,
            seconds=round(time.monotonic() - started, 3),
            tickets_read=t.tickets_read,
            entries_read=t.entries_read,
            released=t.released,
            recomputed=t.recomputed,
            vanished=len(t.vanished),
            vanished_ids=tuple(t.vanished[:50]),
            dry_run=dry_run,
        )

    return recorded(
        db, JOB, now, lambda: run_in(db, dry_run, run.execute), summary, dry_run=dry_run
    )


@dataclass
class _Tally:
    tickets_read: int = 0
    entries_read: int = 0
    changed: int = 0
    deleted: int = 0
    quarantined: int = 0
    released: int = 0
    recomputed: int = 0
    vanished: list[str] = field(default_factory=list)


class _AreaRun:
    def __init__(
        self,
        area: ClientAreaClient,
        settings: Settings,
        *,
        now: datetime,
        full: bool,
        client_id: int | None,
        per_page: int,
    ) -> None:
        self.area, self.settings, self.now = area, settings, now
        self.full, self.client_id, self.per_page = full, client_id, per_page
        self.bound = whole_seconds(now)
        self.policy = policy_from_settings(settings)
        self.tally = _Tally()
        self.quarantined: dict[str, set[str]] = {}
        self.seen_entries: set[str] = set()
        self.tickets: dict[int, dict[str, int]] = {}
        self.ensured: set[int] = set()

    def execute(self, sessions: Sessions | SharedSession) -> None:
        self._stream(sessions, TICKETS, self.area.iter_ticket_pages, self._ticket)
        self._stream(sessions, ENTRIES, self.area.iter_entry_pages, self._entry)
        if self.full:
            with sessions.writing() as store:
                self._report_vanished(store)

    # --- one stream ---------------------------------------------------------------------

    def _stream(
        self,
        sessions: Sessions | SharedSession,
        name: str,
        pages: Callable[..., Iterator[list[dict[str, Any]]]],
        take: Callable[[LedgerStore, object, bool, set[int]], None],
    ) -> None:
        with sessions.reading() as store:
            # A full run reads everything and rewrites the cursor, even one that cannot be read.
            cursor = None if self.full else OrderCursor.decode(store.cursor(name), name)
            held = store.quarantined(name)
        self.quarantined[name] = {q.record_id for q in held}
        if held and self.client_id is None:
            with sessions.writing() as store:
                touched: set[int] = set()
                for row in held:
                    take(store, row.payload, True, touched)
                self._recompute(store, touched)
        lower = None if cursor is None else cursor.modified_after
        reader = pages(
            modified_after=lower,
            modified_before=self.bound,
            client=self.client_id,
            per_page=self.per_page,
        )
        committed = 0
        for page, last in with_last(reader):
            with sessions.writing() as store:
                touched = set()
                for raw in page:
                    take(store, raw, False, touched)
                self._recompute(store, touched)
                if last:
                    self._save_cursor(store, name)
            committed += 1
        if committed == 0:  # nothing modified since the cursor: it moves alone
            with sessions.writing() as store:
                self._save_cursor(store, name)

    def _save_cursor(self, store: LedgerStore, name: str) -> None:
        if self.client_id is None:
            cursor = OrderCursor.after_run(self.bound, self.settings.overlap_seconds)
            store.save_cursor(name, cursor.encode(), self.now)

    def _recompute(self, store: LedgerStore, clients: set[int]) -> None:
        for client in sorted(clients):
            store.recompute(client, self.now, self.policy)
        self.tally.recomputed += len(clients)

    def _refuse(
        self, store: LedgerStore, name: str, key: str, reason: str, raw: object, retry: bool
    ) -> None:
        """Quarantine a row (a retried one simply stays where it is)."""
        if retry:
            return
        store.quarantine(name, key, reason, raw, self.now)
        self.quarantined[name].add(key)
        self.tally.quarantined += 1

    def _taken(self, store: LedgerStore, name: str, key: str) -> None:
        """The row was taken: if it was quarantined, it no longer is."""
        if key in self.quarantined[name]:
            store.release_quarantine(name, key)
            self.quarantined[name].discard(key)
            self.tally.released += 1

    # --- tickets ------------------------------------------------------------------------

    def _ticket(self, store: LedgerStore, raw: object, retry: bool, touched: set[int]) -> None:
        if not retry:
            self.tally.tickets_read += 1
        try:
            ticket = parse_ticket(raw)
        except MalformedRecord as problem:
            key = record_key(raw, entry=False)
            self._refuse(store, TICKETS, key, problem.reason, raw, retry)
            return
        self._ensure_client(store, ticket.client_id)
        change = store.upsert_ticket(ticket)
        if change is Change.CHANGED and ticket.deleted:
            self.tally.deleted += 1
        elif change is not Change.UNCHANGED and not ticket.deleted:
            self.tally.changed += 1
        if change is not Change.UNCHANGED:
            touched.add(ticket.client_id)
        self._taken(store, TICKETS, ticket.id)

    # --- time entries -------------------------------------------------------------------

    def _entry(self, store: LedgerStore, raw: object, retry: bool, touched: set[int]) -> None:
        if not retry:
            self.tally.entries_read += 1
            self.seen_entries.add(record_key(raw, entry=True))
        try:
            update = parse_entry(raw)
        except MalformedRecord as problem:
            key = record_key(raw, entry=True)
            self._refuse(store, ENTRIES, key, problem.reason, raw, retry)
            return
        before = store.get_entry(update.id)
        if update.entry is None:  # a tombstone
            if before is not None and store.delete_entry(update.id, self.now):
                self.tally.deleted += 1
                touched.add(before.client_id)
            self._taken(store, ENTRIES, update.id)
            return
        entry = update.entry
        reason = ticket_problem(entry, self._tickets_of(store, entry.client_id))
        if reason is not None:
            self._refuse(store, ENTRIES, update.id, reason, raw, retry)
            return
        self._ensure_client(store, entry.client_id)
        change = store.upsert_entry(entry, update.modified_at, author=update.author)
        if change is not Change.UNCHANGED:
            self.tally.changed += 1
            touched.add(entry.client_id)
            if before is not None and before.client_id != entry.client_id:
                touched.add(before.client_id)  # moved to another client: both change
        self._taken(store, ENTRIES, update.id)

    def _ensure_client(self, store: LedgerStore, client: int) -> None:
        """Clients seen in the client area exist in the ledger (asked once per run)."""
        if client not in self.ensured:
            store.ensure_client(client)
            self.ensured.add(client)

    def _tickets_of(self, store: LedgerStore, client: int) -> dict[str, int]:
        """The client's tickets (deleted ones included): ticket id → client id. Read once per
        run: the tickets stream is over when entries are read, so they no longer change."""
        if client not in self.tickets:
            self.tickets[client] = {
                t.id: t.client_id for t in store.tickets_of_client(client, include_deleted=True)
            }
        return self.tickets[client]

    # --- full runs ----------------------------------------------------------------------

    def _report_vanished(self, store: LedgerStore) -> None:
        """Flag live mirrored entries the full listing did not show (no tombstone either)."""
        clients = [self.client_id] if self.client_id is not None else store.client_ids()
        for client in clients:
            for entry in store.entries_of_client(client):
                if entry.id.startswith(ENTRY_PREFIX) and entry.id not in self.seen_entries:
                    self.tally.vanished.append(entry.id)
                    store.flag(
                        VANISHED_FLAG,
                        entry.id,
                        f"time entry {entry.id} of client {client} ({entry.minutes} min on "
                        f"{entry.performed_at:%Y-%m-%d}) is no longer listed by the client area "
                        "and left no tombstone; it is still counted — check it and delete or "
                        "restore it there",
                        self.now,
                    )
