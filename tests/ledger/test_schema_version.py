"""The schema version is told without Alembic; Alembic is imported only to migrate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ledger.migrations import head_revision
from ledger.schema_version import shipped_head

ROOT = Path(__file__).resolve().parents[2]
# Opens the database (migrating it if needed), then prints the migration machinery it imported.
OPEN_AND_LIST = """
import sys
from ledger.db import open_database
open_database(sys.argv[1]).close()
print(sorted({name.split(".")[0] for name in sys.modules} & {"alembic", "mako", "pygments"}))
"""


def opened_in_a_fresh_process(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", OPEN_AND_LIST, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert shipped_head() == head_revision() is not None


def script(revision: str, down: str) -> str:
    """A migration script's header as ``alembic revision`` writes it."""
    return (
        f'"""A change.\n\nRevision ID: {revision}\nRevises: \n"""\n\n'
        f'revision: str = "{revision}"\n'
        f"down_revision: str | tuple[str, ...] | None = {down}\n"
        "branch_labels: str | None = None\n\n\n"
        "def upgrade() -> None:\n    revision = 'not this one'\n"
    )


@pytest.mark.parametrize(
    ("scripts", "head"),
    [
        ({"0001": "None", "0002_guests": "'0001'", "0003": '"0002_guests"'}, "0003"),
        ({"a": "None", "b": '"a"', "c": '"a"', "d": '("b", "c")'}, "d"),  # a merge
        ({"a": "None", "b": '"a"', "c": '"a"'}, None),  # two heads: ask Alembic
        ({}, None),
    ],
)
def test_the_head_is_the_revision_nothing_revises(
    tmp_path: Path, scripts: dict[str, str], head: str | None
) -> None:
    for revision, down in scripts.items():
        (tmp_path / f"{revision}.py").write_text(script(revision, down), encoding="utf-8")
    assert shipped_head(tmp_path) == head


def test_a_script_it_cannot_read_leaves_the_question_to_alembic(tmp_path: Path) -> None:
    (tmp_path / "0001.py").write_text(script("0001", "None"), encoding="utf-8")
    (tmp_path / "0002.py").write_text("REVISION = '0002'\n", encoding="utf-8")
    assert shipped_head(tmp_path) is None


def test_an_up_to_date_database_opens_without_the_migration_machinery(database_url: str) -> None:
    assert "'alembic'" in opened_in_a_fresh_process(database_url)  # empty: migrated
    assert opened_in_a_fresh_process(database_url) == "[]"  # at head: one query, no Alembic
    # (a database at another revision goes through Alembic:
    # test_migrations.py::test_a_schema_from_a_newer_version_is_one_clear_line)
