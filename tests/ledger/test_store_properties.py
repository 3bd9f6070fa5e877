"""Property: whatever the history of edits, the stored log equals a recompute from scratch.

A random story of lots bought, refunded and voided, entries logged, edited and deleted, with a
recompute after each step, must leave (1) a cache that agrees with the log after every step and
(2) the same facts and balances as one recompute of the final rows in a fresh database.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.db import Database, open_database
from ledger.domain import ClientId, EntryId, EntryKind, Lot, LotId, Policy, TimeEntry
from ledger.records import OrderRecord, order_lot_id
from ledger.store import LedgerStore

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
POLICY = Policy(rounding_minutes=5)
CLIENT = 12

days = st.integers(min_value=0, max_value=400)
entry_ids = st.sampled_from(["wp-1", "wp-2", "wp-3", "wp-4", "wp-5"])
order_ids = st.sampled_from([101, 102, 103])

steps = st.one_of(
    st.tuples(
        st.just("log"),
        entry_ids,
        st.integers(min_value=0, max_value=400),
        days,
        st.sampled_from(list(EntryKind)),
    ),
    st.tuples(st.just("delete"), entry_ids),
    st.tuples(
        st.just("buy"),
        order_ids,
        st.sampled_from([180, 300, 600]),
        days,
        st.sampled_from([90, 180, 365]),
        st.integers(min_value=1, max_value=2),
    ),
    st.tuples(st.just("refund"), order_ids),
    st.tuples(st.just("void"), order_ids),
)


def apply(store: LedgerStore, step: tuple, clock: datetime) -> None:  # type: ignore[type-arg]
    kind = step[0]
    if kind == "log":
        _, entry_id, minutes, day, entry_kind = step
        entry = TimeEntry(
            EntryId(entry_id), ClientId(CLIENT), entry_kind, minutes, T0 + timedelta(days=day)
        )
        store.upsert_entry(entry, clock)
    elif kind == "delete":
        store.delete_entry(step[1], clock)
    elif kind == "buy":
        _, order_id, minutes, day, valid_days, quantity = step
        opened = T0 + timedelta(days=day)
        store.upsert_order(
            OrderRecord(order_id, "completed", clock, "h", clock, CLIENT, None, opened)
        )
        store.upsert_lot(
            Lot(
                id=LotId(order_lot_id(order_id, 1)),
                client_id=ClientId(CLIENT),
                opened_at=opened,
                expires_at=opened + timedelta(days=valid_days),
                quantity=quantity,
                pack_minutes=minutes,
                hourly_rate=Decimal("60.00"),
                sku="PACK",
                order_id=order_id,
                order_line_id=1,
            )
        )
    else:
        lot = store.get_lot(order_lot_id(step[1], 1))
        if lot is None:
            return
        if kind == "refund":
            changed = {"refunded_quantity": min(lot.quantity, lot.refunded_quantity + 1)}
        else:
            changed = {"voided": True}
        store.upsert_lot(Lot(**{**lot.__dict__, **changed}))


def nonzero(facts: dict) -> dict:  # type: ignore[type-arg]
    """Facts summed from the log, without the keys that went back to 0."""
    return {key: value for key, value in facts.items() if value}


def replay_final_rows(source: Database, target: Database, now: datetime) -> None:
    with source.read() as s:
        store = LedgerStore(s)
        lots, entries = store.lots_of_client(CLIENT), store.entries_of_client(CLIENT)
        orders = [store.get_order(i) for i in {lot.order_id for lot in lots}]
    with target.transaction() as s:
        fresh = LedgerStore(s)
        fresh.ensure_client(CLIENT)
        for order in orders:
            assert order is not None
            fresh.upsert_order(
                OrderRecord(order.id, order.status, order.date_modified, "h", now, CLIENT)
            )
        for lot in lots:
            fresh.upsert_lot(lot)
        for entry in entries:
            fresh.upsert_entry(entry, now)
        fresh.recompute(CLIENT, now, POLICY)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(story=st.lists(st.tuples(steps, days), min_size=1, max_size=12))
def test_the_log_of_any_story_equals_a_recompute_from_scratch(
    story: list[tuple[tuple, int]],  # type: ignore[type-arg]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'story.sqlite3'}")
        fresh_db = open_database(f"sqlite:///{Path(folder) / 'fresh.sqlite3'}")
        try:
            with db.transaction() as s:
                LedgerStore(s).ensure_client(CLIENT)
            clock = T0
            for step, day in story:
                clock += timedelta(minutes=1)
                now = T0 + timedelta(days=day)
                with db.transaction() as s:
                    store = LedgerStore(s)
                    apply(store, step, clock)
                    allocation = store.recompute(CLIENT, now, POLICY)
                    assert nonzero(store.previous_facts(CLIENT)) == allocation.facts
                    assert store.audit(CLIENT) == []
            replay_final_rows(db, fresh_db, now)
            with db.read() as s, fresh_db.read() as f:
                story_store, fresh_store = LedgerStore(s), LedgerStore(f)
                assert nonzero(story_store.previous_facts(CLIENT)) == nonzero(
                    fresh_store.previous_facts(CLIENT)
                )
                story_balance, fresh_balance = (
                    story_store.balance(CLIENT),
                    fresh_store.balance(CLIENT),
                )
                assert story_balance.remaining_minutes == fresh_balance.remaining_minutes
                assert story_balance.uncovered_minutes == fresh_balance.uncovered_minutes
                assert [(lot.id, lot.used_minutes, lot.status) for lot in story_balance.lots] == [
                    (lot.id, lot.used_minutes, lot.status) for lot in fresh_balance.lots
                ]
        finally:
            db.close()
            fresh_db.close()
