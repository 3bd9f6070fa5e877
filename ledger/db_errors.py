"""The database's failures, importable without loading SQLAlchemy.

The CLI's error boundary catches them before any command has opened (or even imported) the
database layer, so they live apart from ``ledger.db``, which re-exports them.
"""

from __future__ import annotations


class DatabaseError(Exception):
    """A database problem to report as one line (no secret in the message)."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached, opened or migrated."""
