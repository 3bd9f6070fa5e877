"""Sync bookkeeping on both databases: cursors, quarantine, runs, outbox, warnings, reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ledger.db import Database, open_database
from ledger.records import RunRecord
from ledger.store import LedgerStore

T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


def test_a_cursor_commits_with_the_rows_it_covers_or_not_at_all(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.cursor("orders") is None
        store.save_cursor("orders", "2026-02-01T08:00:00Z", T0)
    with pytest.raises(RuntimeError), db.transaction() as s:
        store = LedgerStore(s)
        store.ensure_client(7, "x@example.fr")
        store.save_cursor("orders", "2026-02-02T08:00:00Z", T0 + timedelta(days=1))
        raise RuntimeError("crash between the page and the commit")
    with db.read() as s:
        store = LedgerStore(s)
        assert store.cursor("orders") == "2026-02-01T08:00:00Z"
        assert store.find_client("7") is None
        assert store.cursors() == {"orders": ("2026-02-01T08:00:00Z", T0)}


def test_quarantine_counts_repeats_and_releases(db: Database) -> None:
    payload = {"id": 5, "total": Decimal("12.50"), "date": T0}
    with db.transaction() as s:
        store = LedgerStore(s)
        store.quarantine("orders", "5", "unknown SKU", payload, T0)
        store.quarantine("orders", "5", "no payment date", payload, T0 + timedelta(hours=1))
        store.quarantine("entries", "wp-9", "negative minutes", [1, 2], T0)
    with db.read() as s:
        rows = LedgerStore(s).quarantined("orders")
        assert LedgerStore(s).status_counts()["quarantined"] == 2
    (row,) = rows
    assert (row.reason, row.count, row.first_seen, row.last_seen) == (
        "no payment date",
        2,
        T0,
        T0 + timedelta(hours=1),
    )
    assert row.payload == {"id": 5, "total": "12.50", "date": "2026-02-01 08:00:00+00:00"}
    with db.transaction() as s:
        LedgerStore(s).release_quarantine("orders", "5")
        LedgerStore(s).release_quarantine("orders", "never-there")
    with db.read() as s:
        assert [r.record_id for r in LedgerStore(s).quarantined()] == ["wp-9"]


def test_last_runs_gives_the_latest_run_of_each_job(db: Database) -> None:
    runs = [
        RunRecord("orders", T0, T0 + timedelta(seconds=3), "ok", {"orders_read": 4}),
        RunRecord("orders", T0 + timedelta(minutes=5), None, "failed", {}, "shop unreachable"),
        RunRecord("accounts", T0, T0, "skipped", {}),
    ]
    with db.transaction() as s:
        for run in runs:
            LedgerStore(s).record_run(run)
    with db.read() as s:
        last = LedgerStore(s).last_runs()
    assert last == {"accounts": runs[2], "orders": runs[1]}


def test_outbox_enqueue_due_sent_failed(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.enqueue("account", "12", {"remaining": 135}, "h1", T0) is True
        assert store.enqueue("account", "12", {"remaining": 135}, "h1", T0) is False
        assert store.enqueue("account", "13", {"remaining": 5}, "h9", T0) is True
        assert store.enqueue("report", "12", {}, "r1", T0) is True
        due = store.due("account", T0)
        assert [(i.key, i.status, i.payload) for i in due] == [
            ("12", "pending", {"remaining": 135}),
            ("13", "pending", {"remaining": 5}),
        ]
        store.mark_sent(due[0].id, T0)
        retry = T0 + timedelta(minutes=2)
        store.mark_failed(due[1].id, T0, "HTTP 503", retry)
        assert store.due("account", T0 + timedelta(minutes=1)) == []
        (again,) = store.due("account", retry)
        assert (again.key, again.status, again.attempts, again.last_error) == (
            "13",
            "failed",
            1,
            "HTTP 503",
        )
        # Same content as what was sent: nothing to do. New content: due at once.
        assert store.enqueue("account", "12", {"remaining": 135}, "h1", retry) is False
        assert store.enqueue("account", "12", {"remaining": 120}, "h2", retry) is True
        assert {i.key for i in store.due("account", retry)} == {"12", "13"}
        assert store.status_counts()["outbox_pending"] == 3


def test_mark_sent_with_an_outdated_hash_keeps_the_newer_content_pending(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        store.enqueue("account", "12", {"remaining": 135}, "h1", T0)
        (item,) = store.due("account", T0)
        store.enqueue("account", "12", {"remaining": 90}, "h2", T0)  # changed while sending
        store.mark_sent(item.id, T0, content_hash="h1")
        (pending,) = store.due("account", T0)
    assert (pending.content_hash, pending.status) == ("h2", "pending")


def test_a_warning_is_recorded_once_across_restarts(database_url: str) -> None:
    first = open_database(database_url)
    with first.transaction() as s:
        store = LedgerStore(s)
        assert store.warning_sent(12, "low-balance:order-13-line-9") is False
        assert store.record_warning(12, "low-balance:order-13-line-9", "low", {"m": 45}, T0)
    first.close()
    second = open_database(database_url)  # a restarted daemon
    try:
        with second.transaction() as s:
            store = LedgerStore(s)
            assert store.warning_sent(12, "low-balance:order-13-line-9") is True
            again = store.record_warning(12, "low-balance:order-13-line-9", "low", {}, T0)
            assert again is False
            assert store.record_warning(13, "low-balance:order-13-line-9", "low", {}, T0)
    finally:
        second.close()


def test_admin_flags_are_raised_once_and_resolved(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        assert store.flag("amount_refund", "order-13", "refund of 20,00 € without lines", T0)
        assert not store.flag("amount_refund", "order-13", "again", T0 + timedelta(hours=1))
        assert [(f.ref, f.message) for f in store.open_flags()] == [
            ("order-13", "refund of 20,00 € without lines")
        ]
        assert store.resolve_flag("amount_refund", "order-13", T0) is True
        assert store.resolve_flag("amount_refund", "order-13", T0) is False
        assert store.open_flags() == []


def test_reports_are_remembered_by_content(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        store.record_report(12, "order-13-line-9", "ab" * 32, None, T0)
        store.record_report(12, "order-13-line-9", "ab" * 32, 901, T0 + timedelta(minutes=1))
        store.record_report(12, "order-13-line-9", "cd" * 32, 902, T0 + timedelta(days=1))
    with db.read() as s:
        rows = LedgerStore(s).reports_of_client(12)
    assert [(r.sha256[:2], r.remote_id, r.created_at) for r in rows] == [
        ("ab", 901, T0),
        ("cd", 902, T0 + timedelta(days=1)),
    ]


def test_account_hash_remembers_what_was_pushed(db: Database) -> None:
    with db.transaction() as s:
        store = LedgerStore(s)
        store.ensure_client(12)
        assert store.account_hash(12) is None
        store.save_account_hash(12, "h1", T0)
        store.save_account_hash(12, "h2", T0 + timedelta(minutes=1))
        assert store.account_hash(12) == "h2"


def test_status_counts_on_an_empty_ledger(db: Database) -> None:
    with db.read() as s:
        counts = LedgerStore(s).status_counts()
    assert counts == {
        "clients": 0,
        "lots": {"open": 0, "used_up": 0, "expired": 0, "voided": 0},
        "entries": 0,
        "tickets": 0,
        "quarantined": 0,
        "unassigned_orders": 0,
        "admin_flags": 0,
        "outbox_pending": 0,
    }
