"""The database layer: SQLite WAL and BEGIN IMMEDIATE, concurrent writers, one-line errors."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import ledger.db
from ledger.db import DatabaseUnavailable, open_database
from ledger.records import RunRecord
from ledger.store import LedgerStore

T0 = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    try:
        with db.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") >= 5000
            assert pragma("foreign_keys") == 1
    finally:
        db.close()


def test_write_transactions_begin_immediate_and_reads_do_not(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    seen: list[str] = []

    def spy(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", spy)
    try:
        with db.transaction() as s:
            LedgerStore(s).save_cursor("c", "1", T0)
        with db.read() as s:
            assert LedgerStore(s).cursor("c") == "1"
    finally:
        db.close()
    assert seen == ["BEGIN IMMEDIATE", "BEGIN"]


def test_concurrent_read_then_write_transactions_neither_fail_nor_lose_updates(
    sqlite_url: str,
) -> None:
    """Each writer reads a counter and writes it back + 1. With deferred transactions the second
    writer fails at once with "database is locked"; with BEGIN IMMEDIATE they queue."""
    open_database(sqlite_url).close()
    errors: list[BaseException] = []
    rounds = 15

    def writer(name: str) -> None:
        db = open_database(sqlite_url)
        try:
            for _ in range(rounds):
                with db.transaction() as s:
                    store = LedgerStore(s)
                    value = int(store.cursor("counter") or 0)
                    time.sleep(0.002)  # widen the window between the read and the write
                    store.save_cursor("counter", str(value + 1), T0)
                    store.record_run(RunRecord(name, T0, T0, "ok", {}))
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(f"job{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db = open_database(sqlite_url)
    try:
        with db.read() as s:
            assert LedgerStore(s).cursor("counter") == str(3 * rounds)
    finally:
        db.close()


def test_readers_are_not_blocked_by_a_writer(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    try:
        with db.transaction() as s:
            LedgerStore(s).save_cursor("c", "1", T0)
            with db.read() as r:  # another connection, while the write lock is held
                assert LedgerStore(r).cursor("c") is None  # sees the last commit
    finally:
        db.close()


def test_opening_an_up_to_date_database_does_not_wait_for_a_writer(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger.db, "BUSY_TIMEOUT_MS", 300)
    holder = open_database(sqlite_url)
    try:
        with holder.transaction() as s:  # a daemon in the middle of a write
            LedgerStore(s).save_cursor("c", "1", T0)
            reader = open_database(sqlite_url)  # an admin's `assist-sync clients`
            with reader.read() as r:
                assert LedgerStore(r).cursor("c") is None
            reader.close()
    finally:
        holder.close()


def test_connections_switching_a_new_file_to_wal_together_all_succeed(tmp_path: Path) -> None:
    """Switching a new file to WAL answers "database is locked" at once (no busy wait) when
    another connection switches it at the same moment (replicas starting together): about one
    round in eight failed so before ``use_wal`` retried."""
    errors: list[BaseException] = []
    for attempt in range(80):
        path = tmp_path / f"{attempt}.sqlite3"
        barrier = threading.Barrier(4)

        def switch(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            conn = sqlite3.connect(path, timeout=15, isolation_level=None)
            try:
                barrier.wait()
                ledger.db.use_wal(conn.cursor())
                assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            except BaseException as exc:
                errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=switch) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []


def test_a_writer_locked_out_too_long_gets_one_clear_line(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger.db, "BUSY_TIMEOUT_MS", 200)
    holder, waiter = open_database(sqlite_url), open_database(sqlite_url)
    try:
        with holder.transaction() as s:
            LedgerStore(s).save_cursor("c", "1", T0)
            with pytest.raises(DatabaseUnavailable) as caught, waiter.transaction() as w:
                LedgerStore(w).save_cursor("c", "2", T0)
        assert "locked by another writer" in str(caught.value)
        assert "\n" not in str(caught.value)
    finally:
        holder.close()
        waiter.close()


def test_a_sqlite_file_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="does not exist") as caught:
        open_database(f"sqlite:///{tmp_path / 'nope' / 'ledger.sqlite3'}")
    assert str(tmp_path / "nope") in str(caught.value)


def test_an_unreachable_postgres_is_one_line_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database("postgresql://admin:s3cr3t-pw@127.0.0.1:1/ledger")
    message = str(caught.value)
    assert message == "cannot reach PostgreSQL at 127.0.0.1:1/ledger: connection refused"


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(DatabaseUnavailable, match="unsupported database 'mysql'"):
        open_database("mysql://root@127.0.0.1/ledger")


def test_the_printable_url_masks_the_password(postgres_url: str) -> None:
    url = postgres_url.replace("postgres@", "postgres:hunter2@")
    db = open_database(url)  # trust authentication ignores the password
    try:
        assert "hunter2" not in db.url and "hunter2" not in repr(db)
        assert db.dialect == "postgresql"
    finally:
        db.close()


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are not the tables you are looking for\n" * 100)
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(f"sqlite:///{path}")
    assert str(caught.value) == (
        f"cannot open or migrate the database at {path}: file is not a database"
    )


def test_a_role_that_cannot_create_tables_is_one_line(postgres_url: str) -> None:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            open_database(postgres_url.replace("postgres@", f"{role}@"))
        message = str(caught.value)
        assert message.startswith("cannot open or migrate the database at 127.0.0.1:5432/test: ")
        assert "\n" not in message  # e.g. "no schema has been selected to create in"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()
