"""Persistence of the ledger: the only module that queries the database.

``LedgerStore(session)`` is a repository bound to one Session (from ``Database.transaction()``
or ``Database.read()``); it flushes but never commits. It is assembled from one part per
concern: shop (clients, orders, lots, flags), client area (tickets, entries), accounts
(recompute, adjustments, balances, the log), audit (the cache agrees with the log) and
bookkeeping (cursors, quarantine, runs, outbox, warnings, reports).
"""

from __future__ import annotations

from ledger.store.accounts import SYSTEM_ACTOR
from ledger.store.audit import AuditRepository
from ledger.store.base import UnknownClient
from ledger.store.bookkeeping import BookkeepingRepository


class LedgerStore(AuditRepository, BookkeepingRepository):
    """Everything the sync use cases, the daemon and the CLI read and write."""


__all__ = ["SYSTEM_ACTOR", "LedgerStore", "UnknownClient"]
