"""Checking rule 10: the cached balances are what the append-only log sums to."""

from __future__ import annotations

from sqlalchemy import select

from ledger.domain import Fact
from ledger.models import ChargeModel, LotModel
from ledger.store.accounts import AccountsRepository


class AuditRepository(AccountsRepository):
    def audit(self, client_id: int) -> list[str]:
        """Every place where the client's cached balances or charges differ from the sums of
        the event log, one line each; empty when they agree. A lot changed since the last
        recompute shows up here until the client is recomputed. Raises UnknownClient."""
        client = self._client_model(client_id)
        facts = self.previous_facts(client_id)
        problems: list[str] = []

        def compare(what: str, cached: int, logged: int) -> None:
            if cached != logged:
                problems.append(f"{what}: cached {cached} min, the log sums to {logged} min")

        lots = self.session.scalars(select(LotModel).where(LotModel.client_id == client_id))
        for lot in lots:
            charged = sum(
                v for (f, lot_id, _), v in facts.items() if f is Fact.CHARGE and lot_id == lot.id
            )
            expired = facts.get((Fact.EXPIRY, lot.id, ""), 0)
            granted = facts.get((Fact.GRANT, lot.id, ""), 0)
            compare(f"lot {lot.id} used", lot.used_minutes, charged)
            compare(f"lot {lot.id} expired", lot.expired_minutes, expired)
            compare(f"lot {lot.id} remaining", lot.remaining_minutes, granted - charged - expired)
        for fact, cached in (
            (Fact.UNCOVERED, client.uncovered_minutes),
            (Fact.BILLED, client.billed_minutes),
        ):
            logged = sum(v for (f, _, _), v in facts.items() if f is fact)
            compare(f"client {client_id} {fact.value}", cached, logged)
        remaining = sum(
            v if f is Fact.GRANT else -v
            for (f, _, _), v in facts.items()
            if f in (Fact.GRANT, Fact.CHARGE, Fact.EXPIRY)
        )
        compare(f"client {client_id} remaining", client.remaining_minutes, remaining)
        stored = {
            (c.lot_id, c.entry_id): c.minutes
            for c in self.session.scalars(
                select(ChargeModel).where(ChargeModel.client_id == client_id)
            )
        }
        logged_charges = {
            (lot_id, entry_id): v
            for (f, lot_id, entry_id), v in facts.items()
            if f is Fact.CHARGE and v
        }
        if stored != logged_charges:
            problems.append(f"client {client_id} charges differ from the CHARGE facts of the log")
        return problems
