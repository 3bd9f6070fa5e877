"""Orders → lots: the incremental sync of paid pack orders into the ledger (docs/design.md §4).

A run (``sync_orders``):

* freezes its upper bound at ``now`` and reads the orders modified in
  ``(cursor, bound)`` with ``dates_are_gmt=true``, ordered by id ascending; ``--full`` reads
  every order (status ``any``, then ``trash``: ``any`` leaves trashed orders out, so an
  incremental run sees a trashed order only at the next full reconciliation);
* when rows shift under a listing (an order edited while its pages are read changes
  ``X-WP-Total``), reads that listing again from page 1 with the same bound;
* prepares each page (``sync.order_batch``) then applies it in one write transaction
  (``sync.order_apply``); every page is fetched before the previous one commits, so the last
  page is known when it commits and the new cursor (the bound minus the overlap window) is
  saved in that same transaction — never past a page that failed;
* in a full run, asks the shop for each order the ledger knows that the listing did not show
  (one request each): a 404 means it was deleted, and its lots are voided;
* retries held guest orders whose billing e-mail now belongs to a ledger client (one request
  per such order, none otherwise), so a no-change run makes exactly one list request;
* then refreshes the packs' product pages when they are due (``sync.product_pages``: one
  request a day at most, never a failure of the run);
* records its outcome as job ``job`` (``orders``; the daemon's nightly full pass records itself
  as ``reconcile``, once). A failure (``wp_client`` errors, a deadline) is recorded and
  re-raised: pages already committed stay, the cursor stays where it was.

``since`` and ``client_id`` narrow one run and never move the cursor. ``dry_run`` does all of it
in one transaction that is rolled back, and reports what would have changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from config import Settings
from ledger.db import Database
from ledger.store import LedgerStore
from sync.order_apply import Tally, apply_batch
from sync.order_batch import DELETED, QUARANTINE_SOURCE, Batch, Shop, prepare_batch
from sync.order_cursor import CURSOR_NAME, OrderCursor, whole_seconds
from sync.policy import policy_from_settings
from sync.product_pages import refresh_product_pages
from sync.sessions import Sessions, SharedSession, recorded, run_in, with_last
from sync.summary import SyncSummary
from wp_client.errors import BadPayloadError
from wp_client.woo import WooClient

JOB = "orders"
LISTING_ATTEMPTS = 3  # a listing that shifts more often than this fails the run
log = logging.getLogger("sync.orders")
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class OrdersSummary(SyncSummary):
    """What one orders run did. ``as_dict()`` is the ``--json`` object."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "orders_read",
        "lots_opened",
        "lots_changed",
        "lots_voided",
        "skipped",
        "quarantined",
        "requests",
        "seconds",
    )
    LABELS: ClassVar[dict[str, str]] = {
        "orders_read": "orders read",
        "lots_opened": "lots opened",
        "lots_changed": "lots changed",
        "lots_voided": "lots voided",
        "skipped": "lines skipped (not a pack)",
        "quarantined": "orders quarantined",
        "unassigned": "guest orders held unassigned",
        "flagged": "new admin flags",
        "vanished": "orders deleted from the shop",
        "requests": "requests made",
        "seconds": "time",
    }

    orders_read: int = 0
    lots_opened: int = 0
    lots_changed: int = 0
    lots_voided: int = 0
    skipped: int = 0
    quarantined: int = 0
    requests: int = 0
    seconds: float = 0.0
    unassigned: int = 0
    flagged: int = 0
    vanished: int = 0
    dry_run: bool = False


def sync_orders(
    db: Database,
    woo: WooClient,
    settings: Settings,
    *,
    now: datetime,
    full: bool = False,
    since: datetime | None = None,
    client_id: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    per_page: int = 100,
    job: str = JOB,
) -> OrdersSummary:
    """Bring the ledger's orders and lots up to date with the shop. See the module docstring.

    ``now`` is the run's clock (aware UTC): the frozen upper bound and every timestamp written.
    ``progress(done, total)`` is called after each batch (``total`` None when unknown).
    ``per_page`` (1–100) is the listing's page size; ``job`` the name the run is recorded as.
    Raises what the shop client raises (``wp_client.errors``), ``DatabaseError``, or
    ``CursorError`` for an unreadable stored cursor; the failure is recorded first.
    """
    run = _OrdersRun(
        db, woo, settings, now=now, full=full, since=since, client_id=client_id, per_page=per_page
    )
    started, requests_before = time.monotonic(), woo.requests_made

    def summary() -> OrdersSummary:
        t = run.tally
        return OrdersSummary(
            orders_read=t.orders_read,
            lots_opened=t.lots_opened,
            lots_changed=t.lots_changed,
            lots_voided=t.lots_voided,
            skipped=t.skipped,
            quarantined=t.quarantined,
            requests=woo.requests_made - requests_before,
            seconds=round(time.monotonic() - started, 3),
            unassigned=t.unassigned,
            flagged=t.flagged,
            vanished=t.vanished,
            dry_run=dry_run,
        )

    return recorded(
        db,
        job,
        now,
        lambda: run_in(db, dry_run, lambda sessions: run.execute(sessions, progress)),
        summary,
        dry_run=dry_run,
    )


@dataclass
class _Fetched:
    """Orders read from the shop for one batch, not yet compared with the ledger."""

    raws: Sequence[object]
    lookup_guests: bool
    vanished: list[int] = field(default_factory=list)


class _OrdersRun:
    """The state of one run: its bound, what it has seen, its counters."""

    def __init__(
        self,
        db: Database,
        woo: WooClient,
        settings: Settings,
        *,
        now: datetime,
        full: bool,
        since: datetime | None,
        client_id: int | None,
        per_page: int,
    ) -> None:
        self.db, self.woo, self.settings = db, woo, settings
        self.per_page = per_page
        self.now, self.full, self.since, self.client_id = now, full, since, client_id
        self.bound = whole_seconds(now)
        self.tally = Tally()
        self.policy = policy_from_settings(settings)
        self.shop = Shop(woo.order_refunds, woo.customers_by_email)
        self.seen: set[int] = set()
        self.quarantined: set[str] = set()
        self.total: int | None = None
        self.run_clients: dict[str, int] = {}
        self.db_reading: Callable[[], AbstractContextManager[LedgerStore]] = Sessions(db).reading

    @property
    def moves_cursor(self) -> bool:
        return self.since is None and self.client_id is None

    def execute(self, sessions: Sessions | SharedSession, progress: Progress | None) -> None:
        self.db_reading = sessions.reading
        with sessions.reading() as store:
            stored = store.cursor(CURSOR_NAME)
            self.quarantined = {q.record_id for q in store.quarantined(QUARANTINE_SOURCE)}
        lower = self.since
        if lower is None and not self.full:
            cursor = OrderCursor.decode(stored)  # CursorError: a full run rewrites it
            lower = cursor.modified_after if cursor is not None else None
        committed = batches = 0
        for fetched, last in with_last(self._fetch(lower)):
            # prepared only now: its reads see every batch committed before it
            batch = self._prepare(sessions, fetched)
            with sessions.writing() as store:
                apply_batch(
                    batch,
                    store,
                    self.tally,
                    tz=self.settings.timezone,
                    policy=self.policy,
                    now=self.now,
                    quarantined=self.quarantined,
                )
                if last:
                    self._save_cursor(store)
            committed += len(batch.items)
            batches += 1
            if progress is not None:
                progress(committed, self.total)
        if batches == 0:  # nothing to read at all: the cursor moves alone
            with sessions.writing() as store:
                self._save_cursor(store)
        refresh_product_pages(sessions, self.woo, self.settings.catalog.packs, self.now)

    def _save_cursor(self, store: LedgerStore) -> None:
        if self.moves_cursor:
            cursor = OrderCursor.after_run(self.bound, self.settings.overlap_seconds)
            store.save_cursor(CURSOR_NAME, cursor.encode(), self.now)

    def _fetch(self, lower: datetime | None) -> Iterator[_Fetched]:
        """What the run reads from the shop, batch by batch (requests only, no ledger write)."""
        listings = [("any",), ("trash",)] if self.full else [("any",)]
        for status in listings:
            yield from self._listing(status, lower)
        if self.full and self.since is None:
            yield from self._vanished()
        yield from self._held_guests()

    def _listing(self, status: tuple[str, ...], lower: datetime | None) -> Iterator[_Fetched]:
        """The pages of one listing. When rows shift under it (an order edited while pages are
        read changes ``X-WP-Total``), the listing starts again from page 1 with the same
        frozen bound: what was already applied is skipped as unchanged, nothing is missed."""
        for attempt in range(1, LISTING_ATTEMPTS + 1):
            pages = self.woo.iter_order_pages(
                modified_after=lower,
                modified_before=self.bound,
                status=status,
                customer=self.client_id,
                per_page=self.per_page,
            )
            try:
                for page in pages:
                    if pages.total is not None and status == ("any",):
                        self.total = pages.total
                    fresh = [raw for raw in page if raw["id"] not in self.seen]
                    self.seen.update(raw["id"] for raw in page)
                    self._note_clients(fresh)
                    yield _Fetched(fresh, lookup_guests=self.full)
                return
            except BadPayloadError as exc:
                if exc.reason != "page" or attempt == LISTING_ATTEMPTS:
                    raise
                log.warning("orders listing shifted while read (%s); reading it again", exc)

    def _note_clients(self, raws: Sequence[dict[str, Any]]) -> None:
        """Remember the e-mails of this run's customers, for the held guests (see below)."""
        for raw in raws:
            billing = raw.get("billing")
            email = billing.get("email") if isinstance(billing, dict) else None
            customer = raw.get("customer_id")
            if isinstance(email, str) and email.strip() and isinstance(customer, int) and customer:
                self.run_clients[email.strip().lower()] = customer

    def _prepare(self, sessions: Sessions | SharedSession, fetched: _Fetched) -> Batch:
        with sessions.reading() as store:
            batch = prepare_batch(
                fetched.raws,
                store,
                self.shop,
                catalog=self.settings.catalog,
                tz=self.settings.timezone,
                quarantined=self.quarantined,
                lookup_guests=fetched.lookup_guests,
            )
        batch.vanished = fetched.vanished
        return batch

    def _vanished(self) -> Iterator[_Fetched]:
        """Orders the ledger holds live lots for (or holds unassigned) that the full listing
        did not show: ask the shop for each one; a 404 voids their lots."""
        with self.db_reading() as store:
            known = store.live_order_ids(self.client_id)
            if self.client_id is None:
                known |= {o.id for o in store.unassigned_orders() if o.status != DELETED}
        missing = sorted(order_id for order_id in known if order_id not in self.seen)
        yield from self._read_each(missing, lookup_guests=True)

    def _held_guests(self) -> Iterator[_Fetched]:
        """Held guest orders whose e-mail now belongs to a client — of the ledger, or of an
        order of this run not committed yet: read each one again (one request each), so it
        is matched without waiting for an edit. None held, no request."""
        held: list[int] = []
        with self.db_reading() as store:
            for row in store.unassigned_orders():
                if row.status == DELETED or not row.billing_email:
                    continue
                owner = self.run_clients.get(row.billing_email)
                if owner is None:
                    client = store.find_client(row.billing_email)
                    owner = client.id if client is not None else None
                if owner is not None and self.client_id in (None, owner):
                    held.append(row.id)
        yield from self._read_each(held, lookup_guests=False)

    def _read_each(self, order_ids: list[int], *, lookup_guests: bool) -> Iterator[_Fetched]:
        """``order_ids`` read one request each, in batches of 100; a 404 is a vanished order."""
        for start in range(0, len(order_ids), 100):
            found: list[object] = []
            gone: list[int] = []
            for order_id in order_ids[start : start + 100]:
                raw = self.woo.get_order(order_id)
                if raw is None:
                    gone.append(order_id)
                else:
                    found.append(raw)
                self.seen.add(order_id)
            yield _Fetched(found, lookup_guests=lookup_guests, vanished=gone)
