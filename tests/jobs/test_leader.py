"""One leader: a lock file beside SQLite, an advisory lock on PostgreSQL; death releases both."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from jobs.leader import (
    AlwaysLeader,
    FileLock,
    LeadershipError,
    PostgresAdvisoryLock,
    leadership_for,
    lock_path_for,
)

ROOT = Path(__file__).resolve().parents[2]


def holder_process(code: str) -> subprocess.Popen[str]:
    """A Python process that takes a lock, prints 'held', then sleeps until killed."""
    script = textwrap.dedent(code) + "\nprint('held', flush=True)\nimport time; time.sleep(120)\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def wait_until_acquired(lock: FileLock | PostgresAdvisoryLock, seconds: float) -> float:
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if lock.try_acquire():
            return time.monotonic() - began
        time.sleep(0.1)
    raise AssertionError(f"not acquired within {seconds} s")


# --- SQLite: the lock file ---------------------------------------------------------------------


def test_backend_follows_the_database_url(tmp_path: Path) -> None:
    file_lock = leadership_for(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert isinstance(file_lock, FileLock)
    assert file_lock.path == tmp_path / "x.sqlite3.leader.lock"
    assert isinstance(leadership_for("sqlite://"), AlwaysLeader)
    assert isinstance(leadership_for("sqlite:///:memory:"), AlwaysLeader)
    assert isinstance(leadership_for("postgresql+psycopg://u:p@127.0.0.1/db"), PostgresAdvisoryLock)
    with pytest.raises(LeadershipError):
        leadership_for("mysql://u@h/db")
    with pytest.raises(LeadershipError):
        leadership_for("not a url")


def test_only_one_file_lock_holder_at_a_time(tmp_path: Path) -> None:
    path = lock_path_for(tmp_path / "ledger.sqlite3")
    first, second = FileLock(path), FileLock(path)
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.check() and first.held
    assert not second.check() and not second.held
    first.release()
    assert not first.held
    assert second.try_acquire()
    assert not first.try_acquire()
    assert path.read_text().strip() == str(os.getpid())
    second.release()
    second.release()  # idempotent


def test_a_killed_holder_releases_the_file_lock(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3.leader.lock"
    proc = holder_process(
        f"from jobs.leader import FileLock\nassert FileLock({str(path)!r}).try_acquire()"
    )
    try:
        lock = FileLock(path)
        assert not lock.try_acquire()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert wait_until_acquired(lock, 5) < 5
        lock.release()
    finally:
        proc.kill()
        proc.wait()


def test_a_replaced_lock_file_means_leadership_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3.leader.lock"
    lock = FileLock(path)
    assert lock.try_acquire()
    path.unlink()
    assert not lock.check()
    assert not lock.held
    other = FileLock(path)
    assert other.try_acquire()
    other.release()


def test_an_unwritable_lock_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LeadershipError, match="cannot open the lock file"):
        FileLock(tmp_path / "missing" / "x.lock").try_acquire()


# --- PostgreSQL: the advisory lock --------------------------------------------------------------


@pytest.mark.postgres
def test_only_one_advisory_lock_holder_per_schema(postgres_url: str) -> None:
    first, second = PostgresAdvisoryLock(postgres_url), PostgresAdvisoryLock(postgres_url)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.check()
        assert "advisory lock" in first.description
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_each_schema_has_its_own_leader(postgres_url: str) -> None:
    from tests.services import postgres_schema

    with postgres_schema() as other_url:
        mine, theirs = PostgresAdvisoryLock(postgres_url), PostgresAdvisoryLock(other_url)
        try:
            assert mine.try_acquire()
            assert theirs.try_acquire()
        finally:
            mine.close()
            theirs.close()


@pytest.mark.postgres
def test_a_dropped_connection_means_leadership_is_lost(postgres_url: str) -> None:
    leader, follower = PostgresAdvisoryLock(postgres_url), PostgresAdvisoryLock(postgres_url)
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        assert leader.try_acquire()
        pid = leader.backend_pid()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert not leader.check()
        assert not leader.held
        assert wait_until_acquired(follower, 5) < 5
    finally:
        leader.close()
        follower.close()
        admin.dispose()


@pytest.mark.postgres
def test_a_killed_holder_releases_the_advisory_lock(postgres_url: str) -> None:
    proc = holder_process(
        "from jobs.leader import PostgresAdvisoryLock\n"
        f"lock = PostgresAdvisoryLock({postgres_url!r})\nassert lock.try_acquire()"
    )
    lock = PostgresAdvisoryLock(postgres_url)
    try:
        assert not lock.try_acquire()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert wait_until_acquired(lock, 10) < 10
    finally:
        lock.close()
        proc.kill()
        proc.wait()


def test_an_unreachable_server_is_not_leadership() -> None:
    lock = PostgresAdvisoryLock("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not lock.try_acquire()
    assert not lock.check()
    lock.close()


def test_the_lock_files_beside_the_ledgers_are_git_ignored() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for database in ("assist-sync.sqlite3", "assist-sync-demo.sqlite3", "data/prod.db"):
        lock = lock_path_for(ROOT / database).relative_to(ROOT)
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", str(lock)], cwd=ROOT, check=False
        )
        assert done.returncode == 0, f"{lock} is not git-ignored"
