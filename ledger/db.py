"""Opening the ledger database: SQLite (the default) or PostgreSQL, with safe transactions.

SQLite runs in WAL mode with a busy timeout and foreign keys on. pysqlite's own transaction
handling is switched off and every write transaction starts with ``BEGIN IMMEDIATE`` (SQLAlchemy's
documented recipe): a deferred transaction that reads and then writes fails at once with
"database is locked" when another writer got there first, whatever the busy timeout.
PostgreSQL goes through psycopg 3 with ``pool_pre_ping``. Every connection failure becomes
``DatabaseUnavailable`` with one line that never contains a password.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session

from ledger.db_errors import DatabaseError as DatabaseError
from ledger.db_errors import DatabaseUnavailable as DatabaseUnavailable

BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 10


class Database:
    """One database, its engine and its units of work.

    ``transaction()`` is the only way to write: commit on success, rollback on error.
    ``read()`` gives a session for reading that never writes.
    """

    def __init__(self, engine: sa.Engine, url: URL) -> None:
        self.engine = engine
        # Reads on SQLite begin with a plain BEGIN (see ``_sqlite_engine``), never the write lock.
        self.reader = engine.execution_options(assist_read_only=True)
        self.url: str = url.render_as_string(hide_password=True)
        self.dialect: str = engine.dialect.name
        self._location = describe(url)

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write unit of work (``BEGIN IMMEDIATE`` on SQLite): commits if the block succeeds."""
        with self._failures(), Session(self.engine, autoflush=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (a deferred transaction on SQLite, rolled back at the end)."""
        with self._failures(), Session(self.reader, autoflush=False) as session:
            try:
                yield session
            finally:
                session.rollback()

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision (Alembic ``upgrade head``).

        An up-to-date schema is seen with a read, so opening the database for a command does not
        wait for the write lock a running daemon holds (only a real migration takes it); and it
        is seen without importing Alembic (``ledger.schema_version``), which only a migration,
        or a schema it cannot tell apart, needs. Raises DatabaseUnavailable when the schema is
        at a revision this code does not know (a newer assist-sync migrated it).
        """
        from ledger.schema_version import at_shipped_head

        with self._failures(opening=True):
            if at_shipped_head(self.reader):
                return
        from alembic.util import CommandError

        from ledger.migrations import current_revision, head_revision, upgrade_to_head

        try:
            with self._failures(opening=True):
                if current_revision(self.reader) == head_revision():
                    return
                upgrade_to_head(self.engine)
        except CommandError:
            raise DatabaseUnavailable(
                f"the schema of {self._location} is at revision {self.revision()!r}, which this "
                f"version of assist-sync does not know (it knows up to {head_revision()!r}): "
                "install the newer assist-sync that migrated it"
            ) from None

    def revision(self) -> str | None:
        """The schema revision in the database, or None when it was never migrated."""
        from ledger.migrations import current_revision

        with self._failures():
            return current_revision(self.reader)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _failures(self, *, opening: bool = False) -> Iterator[None]:
        """Translate connection failures into DatabaseUnavailable. While ``opening`` (the first
        connection and the migrations) every driver error is one: a file that is not a SQLite
        database, a role without the right to create tables."""
        try:
            yield
        except OperationalError as exc:
            raise DatabaseUnavailable(self._explain(exc)) from exc
        except DBAPIError as exc:
            if opening:
                raise DatabaseUnavailable(self._explain(exc, opening=True)) from exc
            if exc.connection_invalidated:
                raise DatabaseUnavailable(self._explain(exc)) from exc
            raise

    def _explain(self, exc: DBAPIError, *, opening: bool = False) -> str:
        if opening and not isinstance(exc, OperationalError):
            return f"cannot open or migrate the database at {self._location}: {first_line(exc)}"
        return explain_failure(self.dialect, self._location, exc)


def open_database(url: str, *, upgrade: bool = True) -> Database:
    """Open (and by default create or migrate) the database at ``url``.

    Raises DatabaseUnavailable with a one-line message: unknown scheme, missing SQLite
    directory, unreachable or refusing server, failed migration.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            "the database URL is malformed (check ASSIST_DATABASE_URL)"
        ) from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            engine = _sqlite_engine(parsed)
        elif backend == "postgresql":
            engine = _postgres_engine(parsed)
        else:
            raise DatabaseUnavailable(
                f"unsupported database {backend!r}: use sqlite:///FILE or postgresql://USER@HOST/DB"
            )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseUnavailable(f"no driver for {parsed.drivername!r}: {exc}") from None
    db = Database(engine, parsed)
    try:
        with db._failures(opening=True), db.reader.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        if upgrade:
            db.upgrade()
    except BaseException:
        db.close()
        raise
    return db


def describe(url: URL) -> str:
    """Where the database is, for messages: a file path or host:port/name, never a password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def first_line(exc: DBAPIError) -> str:
    """The driver's message, first line only (the rest is SQL and parameters)."""
    raw = str(exc.orig) if exc.orig is not None else str(exc)
    return " ".join(raw.strip().splitlines()[:1]) or type(exc.orig).__name__


def explain_failure(dialect: str, location: str, exc: DBAPIError) -> str:
    """One line saying what went wrong, from a driver error (first line only, no secret)."""
    raw = str(exc.orig) if exc.orig is not None else str(exc)
    text = first_line(exc)
    lowered = raw.lower()
    if dialect == "sqlite":
        if "database is locked" in lowered:
            return f"SQLite database {location} stayed locked by another writer for too long"
        return f"cannot open SQLite database {location}: {text}"
    if "connection refused" in lowered:
        reason = "connection refused"
    elif "password authentication failed" in lowered:
        reason = "password authentication failed"
    elif "does not exist" in lowered and "database" in lowered:
        reason = text.rsplit("FATAL:", 1)[-1].strip()
    elif "timeout" in lowered or "timed out" in lowered:
        reason = "connection timed out"
    elif "could not translate host name" in lowered or "name or service not known" in lowered:
        reason = "unknown host"
    elif exc.connection_invalidated or "server closed the connection" in lowered:
        reason = "the connection was lost"
    else:
        return f"PostgreSQL at {location} failed: {text}"
    return f"cannot reach PostgreSQL at {location}: {reason}"


def _sqlite_engine(url: URL) -> sa.Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseUnavailable(
                f"cannot open SQLite database {database}: folder {folder} does not exist "
                "(create it or change ASSIST_DATABASE_URL)"
            )
    engine = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not pysqlite.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            use_wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        read_only = conn.get_execution_options().get("assist_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def use_wal(cursor: Any) -> None:
    """Put the SQLite file in WAL mode (once: the mode is kept in the file).

    Switching needs the file to itself, and SQLite answers "database is locked" at once, without
    its busy timeout, when another connection opens the new file at that moment (replicas
    starting together): the switch is retried, within the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _postgres_engine(url: URL) -> sa.Engine:
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )
