"""Real services for integration tests: use them when they answer, skip or fail when not.

Locally a missing service skips the tests that need it, with the reason printed. With
``ASSIST_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a missing service is a failure, never a skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "ASSIST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def services_required() -> bool:
    return os.environ.get("ASSIST_REQUIRE_SERVICES", "") == "1"


def unavailable(reason: str) -> None:
    """Skip the calling test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@contextmanager
def postgres_schema() -> Iterator[str]:
    """Yield a SQLAlchemy URL whose ``search_path`` is a fresh, empty schema; drop it after."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any driver or network failure means "not available"
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({type(exc).__name__})")
        raise AssertionError("unreachable") from exc
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
