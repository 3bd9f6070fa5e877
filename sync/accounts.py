"""Ledger → account pages: push each client's payload when it changed, through the outbox.

A run (``sync_accounts``):

1. **queues** — for each client (in write transactions of up to 100 clients): recomputes a
   client whose cached balance is stale (never computed, or an open lot past its expiry),
   builds the payload (``sync.account_payload``) and its content hash, and hands it to the
   outbox (``enqueue``), which keeps it only when that content is not already queued or sent.
   An unchanged account is therefore never sent again: a second run with nothing changed makes
   no request at all. ``full`` queues every account again.
2. **sends** what is due (new, or failed earlier and due again) in batches of at most 100 with
   ``POST /accounts/batch``. No transaction is open during a request. Per item: ``updated`` or
   ``unchanged`` → sent, and the hash is remembered; an item error → failed, retried after a
   growing delay. A transport failure marks the whole batch failed (retried later) and ends
   the run with that error. A crash between sending and marking is harmless: the item is sent
   again and the server, seeing the same hash, answers ``unchanged`` without writing.

``client_id`` narrows the run to one client; ``dry_run`` queues in a rolled-back transaction
and sends nothing; ``checkpoint`` (the daemon's deadline and shutdown) is called before each
transaction of the queueing, which makes no request that would notice them. The run is
recorded as job ``accounts``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from config import Settings
from ledger.db import Database
from ledger.domain import LotStatus
from ledger.records import OutboxItem
from ledger.store import LedgerStore
from sync.account_payload import account_payload, content_hash
from sync.policy import policy_from_settings
from sync.sessions import Sessions, SharedSession, recorded, run_in
from sync.summary import SyncSummary
from wp_client.client_area import MAX_BATCH, ClientAreaClient
from wp_client.errors import ConfigurationError, RemoteError

__all__ = [
    "JOB",
    "OUTBOX_KIND",
    "AccountsSummary",
    "account_payload",
    "retry_delay",
    "sync_accounts",
]

JOB = "accounts"
OUTBOX_KIND = "account"
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)


@dataclass(frozen=True)
class AccountsSummary(SyncSummary):
    """What one accounts run did. ``as_dict()`` is the ``--json`` object."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "accounts_pushed",
        "unchanged",
        "failed",
        "requests",
        "seconds",
    )
    LABELS: ClassVar[dict[str, str]] = {
        "queued": "accounts changed (queued)",
        "accounts_pushed": "accounts delivered",
        "unchanged": "accounts unchanged (not sent)",
        "failed": "accounts failed (retried later)",
        "refreshed": "stale balances recomputed",
        "requests": "requests made",
        "seconds": "time",
    }

    accounts_pushed: int = 0
    unchanged: int = 0
    failed: int = 0
    requests: int = 0
    seconds: float = 0.0
    queued: int = 0
    refreshed: int = 0
    errors: tuple[str, ...] = ()
    dry_run: bool = False


def retry_delay(attempts: int) -> timedelta:
    """How long a failed item waits: 1 min, doubling with each attempt, at most 6 h."""
    delay: timedelta = FIRST_RETRY * (2 ** min(attempts, 20))
    return min(delay, LAST_RETRY)


def sync_accounts(
    db: Database,
    area: ClientAreaClient,
    settings: Settings,
    *,
    now: datetime,
    full: bool = False,
    client_id: int | None = None,
    dry_run: bool = False,
    product_urls: Mapping[str, str] | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> AccountsSummary:
    """Queue the accounts that changed and send what is due. See the module docstring.

    Raises ``UnknownClient`` for an unknown ``client_id``, what the client raises
    (``wp_client.errors``; items of a failed batch are marked for a retry first), or
    ``DatabaseError`` — after recording the failed run (not in a dry run).
    """
    run = _AccountsRun(area, settings, now=now, full=full, client_id=client_id)
    run.product_urls = product_urls
    run.checkpoint = checkpoint
    started, requests_before = time.monotonic(), area.requests_made

    def summary() -> AccountsSummary:
        t = run.tally
        return AccountsSummary(
            accounts_pushed=t.pushed,
            unchanged=t.unchanged,
            failed=t.failed,
            requests=area.requests_made - requests_before,
            seconds=round(time.monotonic() - started, 3),
            queued=t.queued,
            refreshed=t.refreshed,
            errors=tuple(t.errors[:20]),
            dry_run=dry_run,
        )

    def work() -> None:
        run_in(db, dry_run, run.queue)
        if not dry_run:
            run.send(Sessions(db))

    return recorded(db, JOB, now, work, summary, dry_run=dry_run)


@dataclass
class _Tally:
    pushed: int = 0
    unchanged: int = 0
    failed: int = 0
    queued: int = 0
    refreshed: int = 0
    errors: list[str] = field(default_factory=list)


class _AccountsRun:
    def __init__(
        self,
        area: ClientAreaClient,
        settings: Settings,
        *,
        now: datetime,
        full: bool,
        client_id: int | None,
    ) -> None:
        self.area, self.settings, self.now = area, settings, now
        self.full, self.client_id = full, client_id
        self.policy = policy_from_settings(settings)
        self.product_urls: Mapping[str, str] | None = None
        self.checkpoint: Callable[[], None] | None = None
        self.tally = _Tally()

    # --- 1. queue what changed ----------------------------------------------------------

    def queue(self, sessions: Sessions | SharedSession) -> None:
        with sessions.reading() as store:
            clients = [self.client_id] if self.client_id is not None else store.client_ids()
        for start in range(0, len(clients), MAX_BATCH):
            if self.checkpoint is not None:
                self.checkpoint()
            with sessions.writing() as store:
                for client in clients[start : start + MAX_BATCH]:
                    self._queue_one(store, client)

    def _queue_one(self, store: LedgerStore, client: int) -> None:
        balance = store.balance(client)
        stale = balance.recomputed_at is None or any(
            lot.status is LotStatus.OPEN
            and lot.expires_at is not None
            and lot.expires_at <= self.now
            for lot in balance.lots
        )
        if stale:
            store.recompute(client, self.now, self.policy)
            self.tally.refreshed += 1
        payload = account_payload(
            store, client, self.settings, self.now, product_urls=self.product_urls
        )
        digest = content_hash(payload)
        item = {"client_id": client, "hash": digest, "payload": payload}
        if store.enqueue(OUTBOX_KIND, str(client), item, digest, self.now, force=self.full):
            self.tally.queued += 1
        else:
            self.tally.unchanged += 1

    # --- 2. send what is due ------------------------------------------------------------

    def send(self, sessions: Sessions) -> None:
        tried: set[int] = set()
        while True:
            with sessions.reading() as store:
                items = self._due(store, tried)
            if not items:
                return
            tried.update(item.id for item in items)
            try:
                answer = self.area.push_accounts([item.payload for item in items])
            except ConfigurationError:
                raise  # credentials or URL to fix: the items stay due as they are
            except RemoteError as exc:
                with sessions.writing() as store:
                    for item in items:
                        self._failed(store, item, f"batch not delivered: {exc}")
                raise
            with sessions.writing() as store:
                self._settle(store, items, answer)

    def _due(self, store: LedgerStore, tried: set[int]) -> list[OutboxItem]:
        if self.client_id is None:
            items = store.due(OUTBOX_KIND, self.now, limit=MAX_BATCH)
        else:
            wanted = str(self.client_id)
            items = [i for i in store.due(OUTBOX_KIND, self.now, limit=10_000) if i.key == wanted]
        return [item for item in items if item.id not in tried]

    def _settle(
        self, store: LedgerStore, items: Sequence[OutboxItem], answer: Mapping[str, list[Any]]
    ) -> None:
        delivered = {_as_id(v) for key in ("updated", "unchanged") for v in answer[key]}
        problems: dict[int | None, str] = {}
        for error in answer["errors"]:
            if isinstance(error, Mapping):
                code, message = error.get("code"), error.get("message")
                problems[_as_id(error.get("client_id"))] = f"{code}: {message}"
        for item in items:
            client = int(item.key)
            if client in delivered:
                store.mark_sent(item.id, self.now, content_hash=item.content_hash)
                store.save_account_hash(client, item.content_hash, self.now)
                self.tally.pushed += 1
            else:
                reason = problems.get(client, "the client area gave no answer for this account")
                self._failed(store, item, reason)

    def _failed(self, store: LedgerStore, item: OutboxItem, reason: str) -> None:
        retry_at = self.now + retry_delay(item.attempts)
        store.mark_failed(item.id, self.now, reason, retry_at)
        self.tally.failed += 1
        self.tally.errors.append(f"client {item.key}: {reason}")


def _as_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
