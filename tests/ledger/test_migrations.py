"""The migrations create exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ledger.db import DatabaseUnavailable, open_database
from ledger.migrations import alembic_config, head_revision
from ledger.models import Base

TABLES = {
    "account_state",
    "adjustments",
    "admin_flags",
    "alembic_version",
    "charges",
    "clients",
    "events",
    "lots",
    "order_status_history",
    "orders",
    "outbox",
    "product_pages",
    "quarantine",
    "reports",
    "sync_cursors",
    "sync_runs",
    "tickets",
    "time_entries",
    "warnings_sent",
}


def test_upgrade_from_empty_creates_every_table_at_head(database_url: str) -> None:
    db = open_database(database_url, upgrade=False)
    try:
        assert db.revision() is None
        db.upgrade()
        assert db.revision() == head_revision() is not None
        assert set(sa.inspect(db.engine).get_table_names()) == TABLES
        db.upgrade()  # already at head: nothing to do
        assert db.revision() == head_revision()
    finally:
        db.close()


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    """What ``alembic check`` does: autogenerate finds no difference."""
    db = open_database(database_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.close()


def test_downgrade_to_empty_and_back(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) == TABLES
    finally:
        db.close()


def test_replicas_starting_together_migrate_once(database_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            open_database(database_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db = open_database(database_url, upgrade=False)
    try:
        assert db.revision() == head_revision()
    finally:
        db.close()


def test_a_schema_from_a_newer_version_is_one_clear_line(database_url: str) -> None:
    db = open_database(database_url)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    db.close()
    with pytest.raises(DatabaseUnavailable) as caught:
        open_database(database_url)
    message = str(caught.value)
    assert "revision '9999'" in message and "\n" not in message
