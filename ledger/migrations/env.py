"""Alembic environment: runs on the connection given by ``ledger.migrations`` (or a URL)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from ledger.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = os.environ.get("ASSIST_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set ASSIST_DATABASE_URL to the database to compare with")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
