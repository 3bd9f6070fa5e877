"""The ledger proper: recompute a client through the engine, admin adjustments, balances, log.

``recompute`` is the only writer of events, charges and cached balances. It loads the client's
lots, live entries and decisions, sums the log into the previous facts, and lets
``ledger.engine.allocate`` say what changed. When nothing changed it writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select

from ledger.domain import (
    Allocation,
    ClientId,
    EntryId,
    EntryKind,
    Event,
    Fact,
    FactKey,
    Lot,
    LotId,
    LotSource,
    Minutes,
    Policy,
    TimeEntry,
)
from ledger.engine import allocate, unit_rate_on
from ledger.models import (
    AccountState,
    AdjustmentModel,
    ChargeModel,
    Client,
    EventModel,
    LotModel,
)
from ledger.records import ClientBalance, EventRow, adjustment_id
from ledger.store.area import AreaRepository
from ledger.store.base import UnknownClient, lot_row_from_model
from ledger.store.shop import ShopRepository
from ledger.store.sources import EventSources

SYSTEM_ACTOR = "system"


class AccountsRepository(ShopRepository, AreaRepository):
    # --- the engine ----------------------------------------------------------------------

    def recompute(
        self,
        client_id: int,
        now: datetime,
        policy: Policy,
        *,
        actor: str = SYSTEM_ACTOR,
        reason: str | None = None,
    ) -> Allocation:
        """Allocate the client from scratch at ``now`` and record what changed.

        Appends the engine's events (with their source, and ``actor``/``reason``), replaces the
        charges and refreshes the cached balances, each only if it changed. Raises
        UnknownClient, or ``InvalidLedgerInput`` when the stored rows make no sense.
        """
        client = self._lock_client(client_id)
        lots = self.lots_of_client(client_id)
        entries = self.entries_of_client(client_id)
        allocation = allocate(
            ClientId(client_id),
            lots,
            entries,
            self.decisions_of_client(client_id),
            now,
            policy,
            self.previous_facts(client_id),
        )
        if allocation.events:
            self._append_events(client_id, allocation.events, now, actor, reason)
        self._replace_charges(client_id, allocation)
        self._refresh_lots(allocation)
        totals = (
            allocation.remaining_minutes,
            allocation.uncovered_minutes,
            allocation.billed_minutes,
        )
        cached = (client.remaining_minutes, client.uncovered_minutes, client.billed_minutes)
        if totals != cached or client.recomputed_at is None:
            client.remaining_minutes, client.uncovered_minutes, client.billed_minutes = totals
            client.recomputed_at = now
        self.session.flush()
        return allocation

    def _lock_client(self, client_id: int) -> Client:
        """The client's row, locked until the end of the transaction.

        Two recomputes of one client (the daemon and an admin's ``balance``) must not both
        append the same difference to the log: on PostgreSQL ``SELECT ... FOR UPDATE`` makes
        the second wait and then see the first one's events (SQLite's ``BEGIN IMMEDIATE``
        already serializes writers).
        """
        client = self.session.scalars(
            select(Client)
            .where(Client.id == client_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if client is None:
            raise UnknownClient(client_id)
        return client

    def previous_facts(self, client_id: int) -> dict[FactKey, Minutes]:
        """The facts as the log sums them: ``SUM(delta)`` per (fact, lot, entry)."""
        lot = func.coalesce(EventModel.lot_id, "")
        entry = func.coalesce(EventModel.entry_id, "")
        rows = self.session.execute(
            select(EventModel.fact, lot, entry, func.sum(EventModel.delta))
            .where(EventModel.client_id == client_id)
            .group_by(EventModel.fact, lot, entry)
        )
        return {
            (Fact(fact), lot_id, entry_id): int(total) for fact, lot_id, entry_id, total in rows
        }

    def _append_events(
        self,
        client_id: int,
        events: Iterable[Event],
        now: datetime,
        actor: str,
        reason: str | None,
    ) -> None:
        events = tuple(events)
        sources = EventSources(self.session, events)
        for event in events:
            self.session.add(
                EventModel(
                    client_id=client_id,
                    fact=event.fact.value,
                    lot_id=event.lot_id,
                    entry_id=event.entry_id,
                    delta=event.delta,
                    value=event.value,
                    amount=event.amount,
                    effective_at=event.at,
                    recorded_at=now,
                    source=sources.of(event),
                    reason=reason or sources.reason(event),
                    actor=actor,
                )
            )

    def _replace_charges(self, client_id: int, allocation: Allocation) -> None:
        stored = sorted(
            (c.entry_id, c.lot_id, c.minutes, c.absorbed)
            for c in self.session.scalars(
                select(ChargeModel).where(ChargeModel.client_id == client_id)
            )
        )
        wanted = sorted((c.entry_id, c.lot_id, c.minutes, c.absorbed) for c in allocation.charges)
        if stored == wanted:
            return
        self.session.execute(delete(ChargeModel).where(ChargeModel.client_id == client_id))
        for entry_id, lot_id, minutes, absorbed in wanted:
            self.session.add(
                ChargeModel(
                    client_id=client_id,
                    entry_id=entry_id,
                    lot_id=lot_id,
                    minutes=minutes,
                    absorbed=absorbed,
                )
            )

    def _refresh_lots(self, allocation: Allocation) -> None:
        for balance in allocation.lots:
            row = self.session.get(LotModel, balance.lot_id)
            if row is None:
                continue
            fresh = (
                balance.used,
                balance.expired,
                balance.remaining,
                balance.voided,
                balance.status.value,
            )
            cached = (
                row.used_minutes,
                row.expired_minutes,
                row.remaining_minutes,
                row.voided_minutes,
                row.status,
            )
            if fresh != cached:
                (
                    row.used_minutes,
                    row.expired_minutes,
                    row.remaining_minutes,
                    row.voided_minutes,
                    row.status,
                ) = fresh

    # --- admin adjustments ---------------------------------------------------------------

    def add_adjustment(
        self,
        client_id: int,
        minutes: int,
        reason: str,
        now: datetime,
        actor: str,
        *,
        policy: Policy | None = None,
    ) -> str:
        """An admin credit (minutes > 0: a lot that never expires, at the unit rate) or debit
        (minutes < 0: an ``adjustment`` entry at ``now``), then a recompute whose events carry
        ``reason`` and ``actor`` (changes due before it are recorded first, as the system's).
        Returns the id of the lot or entry ("adjust-<n>").

        Raises ValueError for an empty reason or 0 minutes, UnknownClient for an unknown client.
        """
        reason = reason.strip()
        if not reason:
            raise ValueError("an adjustment needs a reason (say why the credit changes)")
        if minutes == 0:
            raise ValueError("an adjustment of 0 minutes changes nothing")
        policy = policy or Policy()
        # Record first what happened without the admin (a lot that expired or was paid since the
        # last recompute), so that only the adjustment's own consequences carry its reason.
        self.recompute(client_id, now, policy)
        adjustment = AdjustmentModel(
            client_id=client_id, minutes=minutes, reason=reason, actor=actor, created_at=now
        )
        self.session.add(adjustment)
        self.session.flush()
        ref = adjustment_id(adjustment.id)
        if minutes > 0:
            self.upsert_lot(
                Lot(
                    id=LotId(ref),
                    client_id=ClientId(client_id),
                    opened_at=now,
                    expires_at=None,
                    quantity=1,
                    pack_minutes=minutes,
                    hourly_rate=unit_rate_on(policy, now.astimezone(policy.timezone).date()),
                    source=LotSource.ADJUSTMENT,
                    reason=reason,
                )
            )
        else:
            entry = TimeEntry(
                id=EntryId(ref),
                client_id=ClientId(client_id),
                kind=EntryKind.ADJUSTMENT,
                minutes=-minutes,
                performed_at=now,
                note=reason,
            )
            self.upsert_entry(entry, now, author=actor)
        self.recompute(client_id, now, policy, actor=actor, reason=reason)
        return ref

    # --- reading -------------------------------------------------------------------------

    def balance(self, client_id: int) -> ClientBalance:
        """The cached balance as of the last recompute. Raises UnknownClient."""
        client = self._client_model(client_id)
        lots = self.session.scalars(
            select(LotModel)
            .where(LotModel.client_id == client_id)
            .order_by(LotModel.opened_at, LotModel.id)
        )
        return ClientBalance(
            client_id=client.id,
            email=client.email,
            name=client.name,
            remaining_minutes=client.remaining_minutes,
            uncovered_minutes=client.uncovered_minutes,
            billed_minutes=client.billed_minutes,
            recomputed_at=client.recomputed_at,
            lots=tuple(lot_row_from_model(row) for row in lots),
        )

    def events(self, client_id: int) -> list[EventRow]:
        """The client's log, oldest first (in the order it was recorded)."""
        rows = self.session.scalars(
            select(EventModel).where(EventModel.client_id == client_id).order_by(EventModel.id)
        )
        return [
            EventRow(
                id=r.id,
                client_id=r.client_id,
                fact=r.fact,
                lot_id=r.lot_id,
                entry_id=r.entry_id,
                delta=r.delta,
                value=r.value,
                amount=r.amount,
                effective_at=r.effective_at,
                recorded_at=r.recorded_at,
                source=r.source,
                reason=r.reason,
                actor=r.actor,
            )
            for r in rows
        ]

    # --- what was pushed to the account page ---------------------------------------------

    def account_hash(self, client_id: int) -> str | None:
        """The hash of the account payload last pushed for the client, or None."""
        row = self.session.get(AccountState, client_id)
        return None if row is None else row.last_hash

    def save_account_hash(self, client_id: int, content_hash: str, now: datetime) -> None:
        row = self.session.get(AccountState, client_id)
        if row is None:
            self.session.add(
                AccountState(client_id=client_id, last_hash=content_hash, pushed_at=now)
            )
        else:
            row.last_hash, row.pushed_at = content_hash, now
        self.session.flush()
