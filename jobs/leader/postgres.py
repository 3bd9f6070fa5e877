"""Leadership on PostgreSQL: a session advisory lock held by a connection of its own.

The lock lives as long as that connection: if the leader dies, the server drops the connection
and the lock with it, and a follower's next ``pg_try_advisory_lock`` succeeds. The connection is
dedicated (never returned to a pool, never in a transaction, so no idle-in-transaction timeout
can cut it), uses TCP keepalives, and ``check`` asks the server that this very session still
holds the lock: a broken connection means leadership is lost, and the daemon stops its jobs.

The lock key is (a constant for this application, a hash of the current schema), so several
ledgers in separate schemas of one database each get their own leader.
"""

from __future__ import annotations

import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from jobs.leader.base import Leadership, LeadershipError

log = logging.getLogger(__name__)

# "ASSY": the first half of the advisory lock key, shared by every assist-sync daemon.
LOCK_CLASS = 0x41535359
KEEPALIVE_ARGS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    # Give up on unacknowledged writes after 10 s, so a dead network is noticed by check().
    "tcp_user_timeout": 10_000,
}
_KEY = sa.text("SELECT hashtext(coalesce(current_schema(), ''))")
_TRY = sa.text("SELECT pg_try_advisory_lock(:cls, :key)")
_HELD = sa.text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid::bigint = :cls AND objid::bigint = :oid"
    " AND objsubid = 2)"
)
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:cls, :key)")


class PostgresAdvisoryLock(Leadership):
    """``pg_try_advisory_lock`` on a dedicated, autocommit connection with TCP keepalives."""

    def __init__(self, url: str | sa.URL) -> None:
        try:
            self._engine = sa.create_engine(
                url,
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
                connect_args=dict(KEEPALIVE_ARGS),
            )
        except (SQLAlchemyError, ValueError) as exc:
            raise LeadershipError(f"unusable database URL for the leader lock: {exc}") from exc
        safe_url = self._engine.url.render_as_string(hide_password=True)
        self.description = f"PostgreSQL advisory lock on {safe_url}"
        self._conn: sa.Connection | None = None
        self._key: int | None = None

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return self.check()
        try:
            conn = self._engine.connect()
        except SQLAlchemyError as exc:
            log.warning("leader lock: cannot reach the database (%s)", _one_line(exc))
            return False
        try:
            conn.exec_driver_sql("SET statement_timeout = '5s'")
            key = int(conn.execute(_KEY).scalar_one())
            acquired = bool(conn.execute(_TRY, {"cls": LOCK_CLASS, "key": key}).scalar_one())
        except SQLAlchemyError as exc:
            log.warning("leader lock: query failed (%s)", _one_line(exc))
            _close_quietly(conn)
            return False
        if not acquired:
            _close_quietly(conn)
            return False
        self._conn, self._key = conn, key
        return True

    def check(self) -> bool:
        if self._conn is None or self._key is None:
            return False
        try:
            held = bool(
                self._conn.execute(
                    _HELD, {"cls": LOCK_CLASS, "oid": self._key & 0xFFFFFFFF}
                ).scalar_one()
            )
        except SQLAlchemyError as exc:
            log.warning("leader lock: connection lost (%s)", _one_line(exc))
            held = False
        if not held:
            self.release()
        return held

    def release(self) -> None:
        conn, key = self._conn, self._key
        self._conn, self._key = None, None
        if conn is None:
            return
        try:
            if not conn.closed and not conn.invalidated:
                conn.execute(_UNLOCK, {"cls": LOCK_CLASS, "key": key})
        except SQLAlchemyError:
            pass  # the connection is going away: the server releases the lock with it
        finally:
            _close_quietly(conn)

    @property
    def held(self) -> bool:
        return self._conn is not None

    def backend_pid(self) -> int | None:
        """The server process id of the lock's connection (for tests and diagnostics)."""
        if self._conn is None:
            return None
        return int(self._conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    def close(self) -> None:
        """Release and dispose of the engine."""
        self.release()
        self._engine.dispose()


def _close_quietly(conn: sa.Connection) -> None:
    with contextlib.suppress(SQLAlchemyError):
        conn.close()


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
