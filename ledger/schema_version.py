"""Is the database's schema at the newest revision this code ships? Told without Alembic.

Every command opens the ledger, and almost always its schema is already up to date. Alembic
(with Mako and Pygments under it) costs a few hundred milliseconds to import and to read its
scripts, so the question is answered first from plain text and one query:

* the head is read from ``migrations/versions/*.py`` as text (their ``revision`` and
  ``down_revision`` lines, as Alembic writes them), never imported;
* the database's revisions are the rows of its ``alembic_version`` table.

Only when the two differ — or cannot be told apart this way (several heads, an unusual script)
— does ``Database.upgrade`` import Alembic, which then decides (``ledger.migrations``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import sqlalchemy as sa

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"  # Alembic's default, which ledger.migrations keeps
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


@cache
def shipped_head(versions: Path = VERSIONS) -> str | None:
    """The one revision of the scripts in ``versions`` that no other revises; None when that
    cannot be read from the text (no script, several heads, a script without a revision)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in versions.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        found = {name: _QUOTED.findall(value) for name, value in _ASSIGNMENT.findall(text)}
        if len(found.get("revision", ())) != 1 or "down_revision" not in found:
            return None
        revisions.add(found["revision"][0])
        revised.update(found["down_revision"])
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def stored_revisions(connection: sa.Connection) -> set[str] | None:
    """The revisions recorded in the database (None: never migrated, no version table)."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return {row[0] for row in rows}


def at_shipped_head(engine: sa.Engine) -> bool:
    """True when the database is certainly at the shipped head (False: ask Alembic)."""
    head = shipped_head()
    if head is None:
        return False
    with engine.connect() as connection:
        return stored_revisions(connection) == {head}
