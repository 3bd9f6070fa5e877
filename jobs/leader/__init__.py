"""One leader among the daemons sharing a database: the seam and its two backends.

``leadership_for(database_url)`` picks the backend: a PostgreSQL advisory lock, or a lock file
beside a SQLite database file.
"""

from __future__ import annotations

import sqlalchemy as sa

from jobs.leader.base import AlwaysLeader, Leadership, LeadershipError
from jobs.leader.file_lock import FileLock, lock_path_for
from jobs.leader.postgres import PostgresAdvisoryLock


def leadership_for(database_url: str) -> Leadership:
    """The leadership backend for the database at ``database_url`` (SQLAlchemy form).

    Raises LeadershipError for a URL it cannot use.
    """
    try:
        url = sa.make_url(database_url)
    except sa.exc.ArgumentError as exc:
        raise LeadershipError("ASSIST_DATABASE_URL is not a database URL") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        return PostgresAdvisoryLock(url)
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            return AlwaysLeader()
        return FileLock(lock_path_for(url.database))
    raise LeadershipError(f"no leader election for {backend} databases")


__all__ = [
    "AlwaysLeader",
    "FileLock",
    "Leadership",
    "LeadershipError",
    "PostgresAdvisoryLock",
    "leadership_for",
    "lock_path_for",
]
