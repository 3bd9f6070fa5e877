"""Alembic migrations shipped inside the package, run programmatically (no alembic.ini needed).

``upgrade_to_head(engine)`` runs in one transaction: ``BEGIN IMMEDIATE`` on SQLite, and on
PostgreSQL an advisory lock so that replicas starting together migrate one after the other.
Developers create a revision with::

    ASSIST_DATABASE_URL=sqlite:///dev.sqlite3 .venv/bin/alembic -c ledger/migrations/alembic.ini \
        revision --autogenerate -m "what changed"
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
MIGRATION_LOCK_KEY = 0x61737369  # any constant: one advisory lock for schema changes


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration pointing at these scripts, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision; does nothing when it is already there."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(conn), "head")
