"""LedgerStore on both databases: upserts, lots, recompute, the event log, adjustments."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.db import Database, open_database
from ledger.domain import (
    Choice,
    ClientId,
    EntryId,
    EntryKind,
    Fact,
    Lot,
    LotId,
    LotSource,
    LotStatus,
    Policy,
    TicketId,
    TimeEntry,
)
from ledger.records import Change, OrderRecord, TicketRecord, order_lot_id
from ledger.store import LedgerStore, UnknownClient

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
POLICY = Policy()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


def order(order_id: int = 13, status: str = "processing", **kw: object) -> OrderRecord:
    values: dict[str, object] = {
        "id": order_id,
        "status": status,
        "date_modified": T0,
        "content_hash": "h1",
        "seen_at": T0,
        "client_id": 12,
        "billing_email": "anne@example.fr",
        "date_paid": T0,
    }
    values.update(kw)
    return OrderRecord(**values)  # type: ignore[arg-type]


def pack_lot(order_id: int = 13, line: int = 9, **kw: object) -> Lot:
    values: dict[str, object] = {
        "id": LotId(order_lot_id(order_id, line)),
        "client_id": ClientId(12),
        "opened_at": T0,
        "expires_at": T0 + timedelta(days=90),
        "quantity": 1,
        "pack_minutes": 180,
        "hourly_rate": Decimal("60.00"),
        "sku": "ASSIST-3H",
        "order_id": order_id,
        "order_line_id": line,
    }
    values.update(kw)
    return Lot(**values)  # type: ignore[arg-type]


def work(entry_id: str, minutes: int, days: float, **kw: object) -> TimeEntry:
    values: dict[str, object] = {
        "id": EntryId(entry_id),
        "client_id": ClientId(12),
        "kind": EntryKind.PRODUCTION,
        "minutes": minutes,
        "performed_at": T0 + timedelta(days=days),
    }
    values.update(kw)
    return TimeEntry(**values)  # type: ignore[arg-type]


def seed(db: Database) -> None:
    """Client 12 with one 3 h pack (order 13 line 9) and 45 min of work on day 1."""
    with db.transaction() as s:
        store = LedgerStore(s)
        store.ensure_client(12, "Anne@Example.fr", "Anne")
        store.upsert_order(order())
        store.upsert_lot(pack_lot())
        store.upsert_entry(work("wp-40", 45, 1), T0 + timedelta(days=1))


class WriteCounter:
    """Counts INSERT/UPDATE/DELETE statements the engine sends while active."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.writes: list[str] = []

    def _on_execute(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.writes.append(statement)

    def __enter__(self) -> WriteCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._on_execute)


# --- clients and orders ------------------------------------------------------------------


def test_clients_are_found_by_id_or_email_in_any_case(db: Database) -> None:
    seed(db)
    with db.read() as s:
        store = LedgerStore(s)
        assert store.find_client("12") is not None
        found = store.find_client(" anne@EXAMPLE.fr ")
        assert found is not None and found.id == 12 and found.name == "Anne"
        assert store.find_client("13") is None
        assert store.find_client("nobody@example.fr") is None
        assert store.client_ids() == [12]


def test_ensure_client_reports_creation_and_changes_only(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.ensure_client(5, "a@example.fr") is True
        assert store.ensure_client(5, "a@example.fr") is False
        assert store.ensure_client(5) is False  # None keeps the stored e-mail
        assert store.ensure_client(5, name="Alice") is True
    with db.read() as s:
        row = LedgerStore(s).find_client("5")
    assert row is not None and (row.email, row.name) == ("a@example.fr", "Alice")


def test_upsert_order_is_idempotent_and_keeps_its_status_history(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.upsert_order(order()) is Change.OPENED
        assert store.upsert_order(order(seen_at=T0 + timedelta(hours=1))) is Change.UNCHANGED
        later = T0 + timedelta(days=2)
        refunded = order(status="refunded", date_modified=later, content_hash="h2", seen_at=later)
        assert store.upsert_order(refunded) is Change.CHANGED
        assert store.upsert_order(refunded) is Change.UNCHANGED
    with db.read() as s:
        store = LedgerStore(s)
        row = store.get_order(13)
        assert row is not None
        assert (row.status, row.content_hash, row.first_seen, row.last_seen) == (
            "refunded",
            "h2",
            T0,
            later,
        )
        assert store.order_status_history(13) == [
            (None, "processing", T0),
            ("processing", "refunded", later),
        ]
        assert store.get_order(99) is None


def test_guest_orders_without_client_are_listed_as_unassigned(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        store.upsert_order(order(21, client_id=None, billing_email="guest@example.fr"))
        store.upsert_order(order(22))
    with db.read() as s:
        store = LedgerStore(s)
        assert [o.id for o in store.unassigned_orders()] == [21]
        assert store.status_counts()["unassigned_orders"] == 1


# --- lots ----------------------------------------------------------------------------------


def test_reading_the_same_order_line_never_opens_a_second_lot(db: Database) -> None:
    seed(db)
    for _ in range(2):
        with db.transaction() as s:
            assert LedgerStore(s).upsert_lot(pack_lot()) is Change.UNCHANGED
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.upsert_lot(pack_lot(refunded_quantity=1)) is Change.CHANGED
        assert store.upsert_lot(pack_lot(refunded_quantity=1)) is Change.UNCHANGED
    with db.read() as s:
        lots = LedgerStore(s).lots_of_order(13)
    assert [(lot.id, lot.refunded_quantity) for lot in lots] == [("order-13-line-9", 1)]


def test_live_order_ids_are_the_orders_holding_a_lot_not_voided(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        store = LedgerStore(s)
        store.ensure_client(14, "bruno@example.fr", "Bruno")
        store.upsert_order(order(20, client_id=14))
        store.upsert_lot(pack_lot(20, 1, client_id=ClientId(14)))
        store.upsert_order(order(21, status="cancelled"))
        store.upsert_lot(pack_lot(21, 1, voided=True))
    with db.read() as s:
        store = LedgerStore(s)
        assert store.live_order_ids() == {13, 20}
        assert store.live_order_ids(12) == {13}
        assert store.live_order_ids(99) == set()


def test_an_order_line_lot_id_must_come_from_its_order_and_line(db: Database) -> None:
    seed(db)
    with db.transaction() as s, pytest.raises(ValueError, match="order-13-line-10"):
        LedgerStore(s).upsert_lot(pack_lot(line=10, id=LotId("order-13-line-9")))


def test_the_database_refuses_two_lots_for_one_order_line(db: Database) -> None:
    seed(db)
    duplicate = pack_lot(id=LotId("other"), source=LotSource.ADJUSTMENT)
    with pytest.raises(sa.exc.IntegrityError), db.transaction() as s:
        LedgerStore(s).upsert_lot(duplicate)


def test_lots_round_trip_with_aware_utc_datetimes_and_decimal_rates(db: Database) -> None:
    paris = datetime(2026, 3, 29, 3, 30, tzinfo=UTC).astimezone()  # any zone: stored as UTC
    with db.transaction() as s:
        store = LedgerStore(s)
        store.upsert_order(order())
        store.upsert_lot(pack_lot(opened_at=paris, hourly_rate=Decimal("57")))
    with db.read() as s:
        (lot,) = LedgerStore(s).lots_of_client(12)
    assert lot.opened_at == paris and lot.opened_at.tzinfo is UTC
    assert lot.hourly_rate == Decimal("57.00") and isinstance(lot.hourly_rate, Decimal)


def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), db.transaction() as s:
        LedgerStore(s).upsert_order(order(date_modified=datetime(2026, 1, 1)))


# --- tickets and entries --------------------------------------------------------------------


def test_entries_upsert_stale_versions_and_tombstones(db: Database) -> None:
    seed(db)
    day2 = T0 + timedelta(days=2)
    with db.transaction() as s:
        store = LedgerStore(s)
        edited = work("wp-40", 60, 1)
        assert store.upsert_entry(edited, day2) is Change.CHANGED
        assert store.upsert_entry(work("wp-40", 45, 1), T0) is Change.UNCHANGED  # stale
        assert store.upsert_entry(edited, day2) is Change.UNCHANGED
        assert store.delete_entry("wp-40", day2) is True
        assert store.delete_entry("wp-40", day2) is False
        assert store.delete_entry("wp-404", day2) is False
        assert store.entries_of_client(12) == []
        assert store.upsert_entry(edited, day2) is Change.UNCHANGED  # same version stays deleted
        assert store.upsert_entry(edited, day2 + timedelta(hours=1)) is Change.CHANGED  # restored
        assert [e.minutes for e in store.entries_of_client(12)] == [60]


def test_tickets_carry_decisions_for_the_engine(db: Database) -> None:
    ticket = TicketRecord(
        id="wp-7",
        client_id=12,
        title="Refonte du menu",
        status="open",
        modified_at=T0,
        estimate_minutes=240,
    )
    decided = TicketRecord(
        **{**ticket.__dict__, "decision": Choice.BILL, "decided_at": T0, "modified_at": T0}
    )
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.upsert_ticket(ticket) is Change.OPENED
        assert store.upsert_ticket(ticket) is Change.UNCHANGED
        later = TicketRecord(**{**decided.__dict__, "modified_at": T0 + timedelta(hours=1)})
        assert store.upsert_ticket(later) is Change.CHANGED
        assert store.decisions_of_client(12)[0].choice is Choice.BILL
        assert store.tickets_of_client(12) == [later]
        assert store.delete_ticket("wp-7", T0 + timedelta(days=1)) is True
        assert store.tickets_of_client(12) == []
        assert store.decisions_of_client(12) == []
        assert len(store.tickets_of_client(12, include_deleted=True)) == 1


# --- recompute and the log -------------------------------------------------------------------


def test_recompute_records_events_with_their_source_and_caches_balances(db: Database) -> None:
    seed(db)
    now = T0 + timedelta(days=2)
    with db.transaction() as s:
        allocation = LedgerStore(s).recompute(12, now, POLICY)
    assert allocation.remaining_minutes == 135
    with db.read() as s:
        store = LedgerStore(s)
        events = store.events(12)
        balance = store.balance(12)
    assert [(e.fact, e.lot_id, e.entry_id, e.delta, e.source) for e in events] == [
        ("grant", "order-13-line-9", None, 180, "order 13 line 9"),
        ("charge", "order-13-line-9", "wp-40", 45, "time entry wp-40"),
    ]
    assert all(e.recorded_at == now and e.actor == "system" for e in events)
    assert (balance.remaining_minutes, balance.uncovered_minutes, balance.recomputed_at) == (
        135,
        0,
        now,
    )
    (lot,) = balance.lots
    assert (lot.used_minutes, lot.remaining_minutes, lot.status) == (45, 135, LotStatus.OPEN)


def test_a_second_recompute_with_nothing_changed_writes_nothing(db: Database) -> None:
    seed(db)
    now = T0 + timedelta(days=2)
    with db.transaction() as s:
        LedgerStore(s).recompute(12, now, POLICY)
    with WriteCounter(db.engine) as counter, db.transaction() as s:
        allocation = LedgerStore(s).recompute(12, now + timedelta(hours=1), POLICY)
    assert allocation.events == ()
    assert counter.writes == []


def test_editing_and_deleting_entries_keeps_the_log_summing_to_the_balances(
    db: Database,
) -> None:
    seed(db)
    steps = [
        lambda st: st.upsert_entry(work("wp-41", 200, 3), T0 + timedelta(days=3)),  # overrun
        lambda st: st.upsert_entry(work("wp-40", 15, 1), T0 + timedelta(days=4)),  # edited
        lambda st: st.delete_entry("wp-41", T0 + timedelta(days=5)),
        lambda st: st.upsert_lot(pack_lot(voided=True, reason="order 13 cancelled")),
    ]
    for day, step in enumerate(steps, start=3):
        with db.transaction() as s:
            store = LedgerStore(s)
            step(store)
            store.recompute(12, T0 + timedelta(days=day), POLICY)
        with db.read() as s:
            store = LedgerStore(s)
            events, balance = store.events(12), store.balance(12)
            assert store.audit(12) == []
        assert_log_sums_to(events, balance)
    assert balance.lots[0].status is LotStatus.VOIDED
    assert balance.uncovered_minutes == 15  # the voided lot's work became uncovered
    voiding = next(e for e in reversed(events) if e.fact == "grant")
    assert (voiding.delta, voiding.reason) == (-180, "order 13 cancelled")
    deleted = [e for e in events if e.entry_id == "wp-41"]
    assert deleted[-1].source == "time entry wp-41 (deleted)"


def test_expiry_is_recorded_when_recomputed_after_the_lot_expires(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        LedgerStore(s).recompute(12, T0 + timedelta(days=200), POLICY)
    with db.read() as s:
        store = LedgerStore(s)
        balance, events = store.balance(12), store.events(12)
    (lot,) = balance.lots
    assert (lot.expired_minutes, lot.remaining_minutes, lot.status) == (135, 0, LotStatus.EXPIRED)
    assert events[-1].fact == "expiry" and events[-1].effective_at == T0 + timedelta(days=90)
    assert_log_sums_to(events, balance)


def assert_log_sums_to(events: list, balance: object) -> None:  # type: ignore[type-arg]
    """Balances derive from the log: per lot, grant − charges − expiry = remaining."""
    from ledger.records import ClientBalance

    assert isinstance(balance, ClientBalance)
    totals: dict[tuple[str, str], int] = {}
    for e in events:
        key = (e.fact, e.lot_id or e.entry_id or "")
        totals[key] = totals.get(key, 0) + e.delta
    for lot in balance.lots:
        granted = totals.get((Fact.GRANT.value, lot.id), 0)
        charged = sum(e.delta for e in events if e.fact == "charge" and e.lot_id == lot.id)
        expired = totals.get((Fact.EXPIRY.value, lot.id), 0)
        assert granted - charged - expired == lot.remaining_minutes, lot.id
        assert charged == lot.used_minutes and expired == lot.expired_minutes
    uncovered = sum(e.delta for e in events if e.fact == "uncovered")
    assert uncovered == balance.uncovered_minutes
    assert sum(lot.remaining_minutes for lot in balance.lots) == balance.remaining_minutes


def test_a_lot_moved_to_another_client_leaves_the_first_clients_log(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        LedgerStore(s).recompute(12, T0 + timedelta(days=2), POLICY)
    with db.transaction() as s:
        store = LedgerStore(s)
        store.upsert_lot(pack_lot(client_id=ClientId(30)))
        store.recompute(12, T0 + timedelta(days=3), POLICY)
        store.recompute(30, T0 + timedelta(days=3), POLICY)
    with db.read() as s:
        store = LedgerStore(s)
        assert store.balance(12).remaining_minutes == 0
        assert store.balance(12).uncovered_minutes == 45
        assert store.balance(30).remaining_minutes == 180
        assert_log_sums_to(store.events(12), store.balance(12))


def test_two_writers_creating_the_same_client_at_once_both_succeed(
    postgres_url: str,
) -> None:
    first, second = open_database(postgres_url), open_database(postgres_url)
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with second.transaction() as s:
                LedgerStore(s).ensure_client(50, "late@example.fr")
                LedgerStore(s).upsert_entry(work("wp-9", 30, 1, client_id=ClientId(50)), T0)
        except BaseException as exc:
            errors.append(exc)

    try:
        with first.transaction() as s:
            LedgerStore(s).ensure_client(50, "first@example.fr", "Paul")
            racer = threading.Thread(target=other_writer)
            racer.start()
            time.sleep(0.5)  # the other writer is now waiting on the uncommitted row
        racer.join(timeout=30)
        assert errors == []
        with first.read() as s:
            (row,) = [c for c in LedgerStore(s).clients() if c.id == 50]
        assert (row.email, row.name) == ("late@example.fr", "Paul")
    finally:
        first.close()
        second.close()


def test_two_runs_saving_a_new_cursor_at_once_both_succeed(postgres_url: str) -> None:
    first, second = open_database(postgres_url), open_database(postgres_url)
    errors: list[BaseException] = []

    def other_run() -> None:
        try:
            with second.transaction() as s:
                LedgerStore(s).save_cursor("client_area", "2", T0 + timedelta(hours=1))
        except BaseException as exc:
            errors.append(exc)

    try:
        with first.transaction() as s:
            LedgerStore(s).save_cursor("client_area", "1", T0)
            racer = threading.Thread(target=other_run)
            racer.start()
            time.sleep(0.5)  # the other run now waits on the uncommitted cursor
        racer.join(timeout=30)
        assert errors == []
        with first.read() as s:
            assert LedgerStore(s).cursors() == {"client_area": ("2", T0 + timedelta(hours=1))}
    finally:
        first.close()
        second.close()


# --- adjustments ---------------------------------------------------------------------------


def test_an_admin_credit_is_a_lot_that_never_expires_with_its_reason(db: Database) -> None:
    seed(db)
    now = T0 + timedelta(days=3)
    with db.transaction() as s:
        ref = LedgerStore(s).add_adjustment(12, 60, "  geste commercial ", now, "cli:marie")
    assert ref.startswith("adjust-")
    with db.read() as s:
        store = LedgerStore(s)
        balance, events = store.balance(12), store.events(12)
    lot = next(lot for lot in balance.lots if lot.id == ref)
    assert (lot.source, lot.expires_at, lot.granted_minutes, lot.hourly_rate) == (
        LotSource.ADJUSTMENT,
        None,
        60,
        Decimal("65.00"),
    )
    assert balance.remaining_minutes == 135 + 60
    grant = next(e for e in events if e.lot_id == ref)
    assert (grant.source, grant.reason, grant.actor, grant.delta) == (
        "admin adjustment: geste commercial",
        "geste commercial",
        "cli:marie",
        60,
    )


def test_an_admin_debit_is_deducted_at_once_with_its_reason(db: Database) -> None:
    seed(db)
    now = T0 + timedelta(days=3)
    with db.transaction() as s:
        ref = LedgerStore(s).add_adjustment(12, -30, "correction", now, "cli:marie")
    with db.read() as s:
        store = LedgerStore(s)
        balance, events = store.balance(12), store.events(12)
        entries = store.entries_of_client(12)
    debit = next(e for e in entries if e.id == ref)
    assert (debit.kind, debit.minutes, debit.performed_at) == (EntryKind.ADJUSTMENT, 30, now)
    assert balance.remaining_minutes == 135 - 30
    charge = next(e for e in events if e.entry_id == ref)
    assert (charge.source, charge.reason, charge.actor) == (
        "admin adjustment: correction",
        "correction",
        "cli:marie",
    )
    assert_log_sums_to(events, balance)


def test_only_the_adjustments_own_consequences_carry_its_reason_and_actor(db: Database) -> None:
    seed(db)  # the pack and the 45 min of work are stored but not recomputed yet
    now = T0 + timedelta(days=100)  # and the pack has expired since
    with db.transaction() as s:
        ref = LedgerStore(s).add_adjustment(12, 60, "geste commercial", now, "cli:marie")
    with db.read() as s:
        events = LedgerStore(s).events(12)
    by_admin = {(e.fact, e.lot_id, e.entry_id) for e in events if e.actor == "cli:marie"}
    assert by_admin == {("grant", ref, None)}
    pack = [e for e in events if e.lot_id == order_lot_id(13, 9)]
    assert {e.fact for e in pack} == {"grant", "charge", "expiry"}
    assert all(e.actor == "system" and e.reason != "geste commercial" for e in pack)


def test_adjustment_ids_are_never_reused(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        store = LedgerStore(s)
        refs = [store.add_adjustment(12, m, "x", T0, "t") for m in (10, -5, 20)]
    assert len(set(refs)) == 3


@pytest.mark.parametrize(
    ("minutes", "reason", "message"),
    [(30, "  ", "needs a reason"), (0, "why", "0 minutes")],
)
def test_an_adjustment_needs_a_reason_and_minutes(
    db: Database, minutes: int, reason: str, message: str
) -> None:
    seed(db)
    with pytest.raises(ValueError, match=message), db.transaction() as s:
        LedgerStore(s).add_adjustment(12, minutes, reason, T0, "t")
    with db.read() as s:
        assert LedgerStore(s).events(12) == []


def test_unknown_clients_are_reported(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        with pytest.raises(UnknownClient):
            store.balance(99)
        with pytest.raises(UnknownClient):
            store.recompute(99, T0, POLICY)
        with pytest.raises(UnknownClient):
            store.add_adjustment(99, 30, "x", T0, "t")


def test_work_on_a_billed_ticket_is_in_the_log_with_its_amount(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        store = LedgerStore(s)
        store.upsert_ticket(
            TicketRecord(
                id="wp-7",
                client_id=12,
                title="Grosse tâche",
                status="open",
                modified_at=T0,
                decision=Choice.BILL,
                decided_at=T0,
            )
        )
        store.upsert_entry(
            work("wp-42", 200, 2, ticket_id=TicketId("wp-7")), T0 + timedelta(days=2)
        )
        store.recompute(12, T0 + timedelta(days=3), POLICY)
    with db.read() as s:
        store = LedgerStore(s)
        billed = [e for e in store.events(12) if e.fact == "billed"]
        assert store.balance(12).billed_minutes == 65
    assert [(e.entry_id, e.delta, e.amount) for e in billed] == [
        ("wp-42", 65, Decimal("65.00"))  # 65 min at the held pack's 60,00 €/h
    ]


def test_concurrent_recomputes_of_one_client_append_each_change_once(database_url: str) -> None:
    """The daemon and an admin's ``balance`` recompute the same client at the same time: the
    second waits for the first (row lock / BEGIN IMMEDIATE) and then finds nothing to add."""
    first = open_database(database_url)
    seed(first)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def recompute() -> None:
        db = open_database(database_url)
        try:
            barrier.wait(timeout=10)
            with db.transaction() as s:
                LedgerStore(s).recompute(12, T0 + timedelta(days=2), POLICY)
                time.sleep(0.2)  # hold the transaction while the other one tries
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=recompute) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with first.read() as s:
        store = LedgerStore(s)
        events, balance = store.events(12), store.balance(12)
    first.close()
    assert [(e.fact, e.delta) for e in events] == [("grant", 180), ("charge", 45)]
    assert_log_sums_to(events, balance)


def test_charges_of_a_lot_and_the_client_list_follow_the_last_recompute(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        store = LedgerStore(s)
        store.upsert_entry(work("wp-41", 30, 3, kind=EntryKind.EXCHANGE), T0 + timedelta(days=3))
        store.upsert_entry(work("wp-42", 20, 4), T0 + timedelta(days=4))
        store.ensure_client(30, "bob@example.fr")
        store.recompute(12, T0 + timedelta(days=5), POLICY)
    with db.read() as s:
        store = LedgerStore(s)
        charged = store.charges_of_lot("order-13-line-9")
        rows = store.clients()
    assert [(entry.id, minutes, absorbed) for entry, minutes, absorbed in charged] == [
        ("wp-40", 45, False),
        ("wp-42", 20, False),  # the exchange entry is never deducted
    ]
    assert [(r.id, r.remaining_minutes, r.open_lots) for r in rows] == [(12, 115, 1), (30, 0, 0)]


def test_the_audit_finds_a_cache_that_disagrees_with_the_log(db: Database) -> None:
    seed(db)
    with db.transaction() as s:
        LedgerStore(s).recompute(12, T0 + timedelta(days=2), POLICY)
        assert LedgerStore(s).audit(12) == []
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE lots SET remaining_minutes = 999"))
        conn.execute(sa.text("UPDATE charges SET minutes = 1"))
    with db.read() as s:
        problems = LedgerStore(s).audit(12)
    assert problems == [
        "lot order-13-line-9 remaining: cached 999 min, the log sums to 135 min",
        "client 12 charges differ from the CHARGE facts of the log",
    ]
    with db.transaction() as s:  # a recompute repairs the cache from the log
        LedgerStore(s).recompute(12, T0 + timedelta(days=2), POLICY)
        assert LedgerStore(s).audit(12) == []
