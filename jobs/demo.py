"""The demo: the sandbox shop and client area, one full pass into a fresh ledger, a table.

``prepare_demo`` claims the demo ledger file (refusing if another demo is running on it, or if
the file is not a demo ledger) and empties it; ``full_pass`` runs the daemon's own jobs once —
every order (the reconciliation), the client area, the sweep (expiries, warnings, reports
uploaded to the sandbox) and the accounts push, in that order; ``client_rows`` gives what the
table shows for each client.
The demo never reads the user's ``.env`` or environment: it only talks to its sandbox.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from config import Settings, load_settings
from jobs.leader import FileLock, lock_path_for
from jobs.runs import JobRunner, JobSpec
from jobs.tasks import job_table
from ledger.db import Database
from ledger.domain import LotSource
from ledger.french import format_duration
from ledger.records import LotRow, RunRecord
from ledger.store import LedgerStore
from sandbox import Sandbox
from sync.sweep import current_warnings

DEMO_DATABASE = "assist-sync-demo.sqlite3"
# Orders first (every one of them), then the client area, then the sweep (reports the accounts
# list), then the accounts.
PASS = ("reconcile", "client_area", "sweep", "accounts")
# Short intervals for --keep-running, so that a change in the sandbox shows within seconds.
KEEP_RUNNING_INTERVALS = {
    "ASSIST_ORDERS_INTERVAL": "10",
    "ASSIST_CLIENT_AREA_INTERVAL": "10",
    "ASSIST_ACCOUNTS_INTERVAL": "10",
    "ASSIST_SWEEP_INTERVAL": "60",
    "ASSIST_RECONCILE_INTERVAL": "3600",
}
WARNING_NAMES = {
    "overrun": "overrun",
    "low_balance": "low balance",
    "expiry30": "expires within 30 days",
    "expiry7": "expires within 7 days",
    "used_up": "pack used up",
}


# A demo ledger says so in its SQLite header (``PRAGMA application_id``, "ASdm"): the demo
# empties only such a file, so that ``--database`` pointed at a real ledger by mistake loses
# nothing.
DEMO_APPLICATION_ID = 0x4153646D


class DemoBusy(Exception):
    """Another demo is running on the same ledger file."""


class NotADemoLedger(Exception):
    """The file exists and is not a ledger made by the demo (emptying it needs ``force``)."""


@dataclass(frozen=True)
class ClientLine:
    """One client of the demo table."""

    client_id: int
    email: str
    remaining: str
    uncovered: str
    packs: tuple[str, ...]
    warnings: tuple[str, ...]


def prepare_demo(database: Path, force: bool = False) -> FileLock:
    """Hold the demo ledger's leader lock, delete the ledger left by a previous demo and mark
    the new, empty file as a demo ledger.

    Returns the held lock (the caller releases it). Raises DemoBusy if a demo holds it, and
    NotADemoLedger if ``database`` is a non-empty file the demo did not make (unless ``force``).
    """
    lock = FileLock(lock_path_for(database))
    if not lock.try_acquire():
        raise DemoBusy(f"another demo is running on {database} (stop it first)")
    if not force and not is_demo_ledger(database):
        lock.release()
        raise NotADemoLedger(
            f"{database} is not a demo ledger: the demo empties its file first "
            "(pick another --database, or add --force to empty this one)"
        )
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(database)) as conn:
        conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
        conn.commit()
    return lock


def is_demo_ledger(database: Path) -> bool:
    """True if the demo may empty ``database``: missing, empty, or marked by a previous demo."""
    try:
        if database.stat().st_size == 0:
            return True
    except FileNotFoundError:
        return True
    try:
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            marker = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error:  # not SQLite at all, or unreadable: not the demo's
        return False
    return bool(marker == DEMO_APPLICATION_ID)


def demo_settings(
    sandbox: Sandbox, database: Path, extra: Mapping[str, str] | None = None
) -> Settings:
    """Settings that point at ``sandbox`` and ``database``, and nothing else."""
    env = dict(line.split("=", 1) for line in sandbox.env_lines())
    env["ASSIST_DATABASE_URL"] = f"sqlite:///{database}"
    env.update(extra or {})
    return load_settings(env, dotenv_path=None)


def full_pass(
    db: Database, settings: Settings
) -> Iterator[tuple[JobSpec, Callable[[], RunRecord]]]:
    """Each job of ``PASS`` with a call that runs it once (recorded like the daemon's runs),
    so that the caller can say what runs before it does."""
    specs = {spec.name: spec for spec in job_table(settings)[0]}
    runner = JobRunner(db, settings)
    for name in PASS:
        spec = specs[name]
        yield spec, partial(runner.run, spec)


def client_rows(db: Database, settings: Settings, now: datetime) -> list[ClientLine]:
    """Every client with balance, open packs and current warnings, by e-mail."""
    lines: list[ClientLine] = []
    with db.read() as session:
        store = LedgerStore(session)
        for row in store.clients():
            balance = store.balance(row.id)
            packs = tuple(
                f"{short_pack_name(lot, settings)}: {_unbroken(lot.remaining_minutes)}"
                for lot in balance.open_lots
            )
            warnings = tuple(
                dict.fromkeys(
                    WARNING_NAMES.get(w.kind.value, w.kind.value)
                    for w in current_warnings(store, row.id, settings, now)
                )
            )
            lines.append(
                ClientLine(
                    row.id,
                    row.email or row.name or "",
                    _unbroken(balance.remaining_minutes),
                    _unbroken(balance.uncovered_minutes),
                    packs,
                    warnings,
                )
            )
    return sorted(lines, key=lambda line: line.email.lower())


def _unbroken(minutes: int) -> str:
    """A French duration that a table never wraps in the middle ("1 h 40 min")."""
    return format_duration(minutes).replace(" ", "\u00a0")


def short_pack_name(lot: LotRow, settings: Settings) -> str:
    """``5h pack`` for a shop pack, ``credit`` for an admin credit (table cells are narrow)."""
    if lot.source is LotSource.ADJUSTMENT:
        return "credit"
    pack = settings.catalog.pack(lot.sku)
    return f"{pack.hours}h pack" if pack else (lot.sku or "pack")
