"""How a sync run touches the ledger: units of work, dry runs, recorded runs, last-page flags.

``Sessions`` gives a read session or one write transaction per unit of work; ``SharedSession``
puts a whole dry run in the one transaction that ``run_in`` rolls back. ``record_run`` keeps a
run's outcome (job, summary, one-line error); ``recorded`` runs a use case and records how it
ended, the way every sync does. ``with_last`` tells a page loop which page is the
last, so the cursor is saved in that page's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import TypeVar

from ledger.db import Database
from ledger.records import RunRecord
from ledger.store import LedgerStore
from sync.summary import SyncSummary

T = TypeVar("T")
S = TypeVar("S", bound=SyncSummary)


class RolledBack(Exception):
    """Raised inside a dry run's single transaction to roll it back."""


class Sessions:
    """Normal runs: reads in a read session, each unit of work in its own write transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def reading(self) -> Iterator[LedgerStore]:
        with self.db.read() as session:
            yield LedgerStore(session)

    @contextmanager
    def writing(self) -> Iterator[LedgerStore]:
        with self.db.transaction() as session:
            yield LedgerStore(session)


class SharedSession:
    """Dry runs: every read and write in the one transaction that will be rolled back."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    def reading(self) -> AbstractContextManager[LedgerStore]:
        return _same(self.store)

    def writing(self) -> AbstractContextManager[LedgerStore]:
        return _same(self.store)


@contextmanager
def _same(store: LedgerStore) -> Iterator[LedgerStore]:
    yield store


def run_in(db: Database, dry_run: bool, work: Callable[[Sessions | SharedSession], None]) -> None:
    """Run ``work`` normally, or (``dry_run``) inside one transaction rolled back at the end."""
    if not dry_run:
        work(Sessions(db))
        return
    try:
        with db.transaction() as session:
            work(SharedSession(LedgerStore(session)))
            raise RolledBack
    except RolledBack:
        pass


def record_run(
    db: Database, job: str, now: datetime, summary: SyncSummary, error: BaseException | None
) -> None:
    """Record a run (``ok`` or ``failed``); failing to record never hides the run's own error."""
    seconds = float(getattr(summary, "seconds", 0.0))
    text = None if error is None else (" ".join(str(error).split()) or type(error).__name__)
    record = RunRecord(
        job=job,
        started_at=now,
        finished_at=now + timedelta(seconds=seconds),
        outcome="ok" if error is None else "failed",
        summary=summary.details(),
        error=None if text is None else text[:500],
    )
    try:
        with db.transaction() as session:
            LedgerStore(session).record_run(record)
    except Exception:
        if error is None:
            raise


def recorded(
    db: Database,
    job: str,
    now: datetime,
    work: Callable[[], None],
    summary: Callable[[], S],
    *,
    dry_run: bool,
) -> S:
    """Run ``work`` and return ``summary()``; unless ``dry_run``, record the run as ``job``
    (its figures so far and the error when ``work`` raises, which is then re-raised)."""
    try:
        work()
    except Exception as exc:
        if not dry_run:
            record_run(db, job, now, summary(), exc)
        raise
    result = summary()
    if not dry_run:
        record_run(db, job, now, result, None)
    return result


def with_last(items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each item with True for the last one (the next item is fetched before one is handed
    on, so a page commits knowing whether another follows)."""
    iterator = iter(items)
    try:
        current = next(iterator)
    except StopIteration:
        return
    for following in iterator:
        yield current, False
        current = following
    yield current, True
