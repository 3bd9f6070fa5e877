"""The daemon's loop in process: lead, lose leadership, lead again; survive a bad database."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from config import load_settings
from jobs.daemon import Daemon, Timing
from jobs.leader import AlwaysLeader, FileLock, lock_path_for
from jobs.runs import JobContext, JobSpec
from ledger.db import Database, open_database
from ledger.models import SyncRun
from ledger.store import LedgerStore

FAST = Timing(retry_seconds=0.2, check_seconds=0.2)


class CountingLeader(AlwaysLeader):
    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    def try_acquire(self) -> bool:
        self.attempts += 1
        return super().try_acquire()


def serve_in_thread(daemon: Daemon) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=daemon.serve, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def count_runs(db: Database) -> int:
    with db.read() as session:
        return session.query(SyncRun).filter(SyncRun.outcome == "ok").count()


def counting_job(context: JobContext) -> Mapping[str, Any]:
    return {"counted": 1}


def test_losing_the_lock_file_stops_the_jobs_then_the_daemon_leads_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="jobs.daemon")
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    db = open_database(url)
    settings = load_settings({"ASSIST_DATABASE_URL": url}, dotenv_path=None)
    lock = FileLock(lock_path_for(tmp_path / "ledger.sqlite3"))
    daemon = Daemon(db, settings, [JobSpec("count", counting_job, 1)], lock, timing=FAST)
    stop, thread = serve_in_thread(daemon)
    try:
        deadline = time.monotonic() + 10
        while count_runs(db) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lock.held
        lock.path.unlink()  # someone removed the lock file: this daemon may no longer lead
        deadline = time.monotonic() + 5
        while "stopping the jobs" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "leadership lost: stopping the jobs" in caplog.text
        # It leads again on a fresh lock file, and the jobs go on.
        before = count_runs(db)
        deadline = time.monotonic() + 10
        while count_runs(db) <= before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert count_runs(db) > before
        assert lock.held and lock.path.exists()
    finally:
        stop.set()
        thread.join(timeout=10)
        db.close()
    assert not thread.is_alive()
    assert not lock.held


def test_an_unusable_database_is_retried_calmly(caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    db = Database(sa.create_engine(url, connect_args={"connect_timeout": 1}), sa.make_url(url))
    settings = load_settings({}, dotenv_path=None)
    leader = CountingLeader()
    daemon = Daemon(db, settings, [JobSpec("count", counting_job, 1)], leader, timing=FAST)
    stop, thread = serve_in_thread(daemon)
    time.sleep(1.0)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert 1 <= leader.attempts <= 8  # once per retry interval, not a busy loop
    assert not leader.held
    assert "leading, but the database is not usable" in caplog.text


def test_a_new_leader_closes_the_runs_its_predecessor_left_under_way(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    db = open_database(url)
    started = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with db.transaction() as session:
        LedgerStore(session).begin_run("orders", started, {"deadline": 900})
    settings = load_settings({"ASSIST_DATABASE_URL": url}, dotenv_path=None)
    daemon = Daemon(db, settings, [JobSpec("count", counting_job, 3600)], AlwaysLeader())
    stop, thread = serve_in_thread(daemon)
    try:
        deadline = time.monotonic() + 10
        while count_runs(db) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    with db.read() as session:
        store = LedgerStore(session)
        assert store.open_runs() == []
        closed = store.last_runs()["orders"]
    db.close()
    assert closed.outcome == "failed" and closed.started_at == started
    assert closed.error == "interrupted: the daemon running it stopped before it ended"
    assert closed.finished_at is not None and closed.finished_at > started
