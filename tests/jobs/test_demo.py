"""``assist-sync demo --keep-running``: sandbox, one full pass, a table, then the daemon."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.jobs.processes import assist_sync, wait_for


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_demo_shows_every_client_then_keeps_running_until_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSIST_", "WOO_", "WP_"))}
    # The demo ignores whatever the environment or .env says about the shop and the ledger.
    env.update(WOO_URL="https://real-shop.example", ASSIST_DATABASE_URL="postgresql://x@nowhere/db")
    (tmp_path / ".env").write_text("WOO_CONSUMER_KEY=ck_real\n")
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*assist_sync(), "demo", "--keep-running"],
            cwd=tmp_path,
            env={**env, "COLUMNS": "160", "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "Ctrl-C stops both" in log.read_text(), 300, "the demo table", [log])
        wait_for(lambda: "WP_APP_PASSWORD=" in log.read_text(), 10, "the .env lines", [log])
        output = log.read_text()
        for step in ("reconcile ok", "client_area ok", "sweep ok", "accounts ok"):
            assert step in output
        assert "Remaining" in output and "Open packs" in output and "Warnings" in output
        assert "export ASSIST_DATABASE_URL=sqlite:///assist-sync-demo.sqlite3" in output
        env_lines = dict(
            line.strip().split("=", 1)
            for line in output.splitlines()
            if line.strip().startswith(("WOO_", "WP_"))
        )
        url = env_lines["WOO_URL"]
        assert url.startswith("http://127.0.0.1:")
        # The sandbox still answers, and the daemon leads on the demo ledger.
        assert requests.get(f"{url}/wp-json/", timeout=10).status_code == 200
        wait_for(lambda: "leading: jobs scheduled" in log.read_text(), 30, "the daemon", [log])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    output = log.read_text()
    assert code == 0, output[-3000:]
    assert "Traceback" not in output
    database = tmp_path / "assist-sync-demo.sqlite3"
    with sqlite3.connect(database) as conn:
        clients = conn.execute("SELECT count(*) FROM clients").fetchone()[0]
        lots = conn.execute("SELECT count(*) FROM lots").fetchone()[0]
        outcomes = dict(conn.execute("SELECT job, outcome FROM sync_runs ORDER BY id"))
    assert clients > 5 and lots > 5
    assert outcomes["reconcile"] == outcomes["sweep"] == outcomes["accounts"] == "ok"
    # Every client of the ledger has its row in the table.
    with sqlite3.connect(database) as conn:
        emails = [row[0] for row in conn.execute("SELECT email FROM clients")]
    assert all(email in output for email in emails if email)


def demo_on(database: Path) -> subprocess.CompletedProcess[str]:
    """``assist-sync demo --database DATABASE``, run in the database's folder."""
    return subprocess.run(
        [*assist_sync(), "demo", "--database", str(database)],
        cwd=database.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_second_demo_on_the_same_ledger_is_refused(tmp_path: Path) -> None:
    from jobs.leader import FileLock, lock_path_for

    database = tmp_path / "assist-sync-demo.sqlite3"
    with FileLock(lock_path_for(database)) as lock:
        assert lock.try_acquire()
        started = time.monotonic()
        done = demo_on(database)
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: another demo is running on {database} (stop it first)"
    assert time.monotonic() - started < 30


def real_ledger(path: Path) -> Path:
    """A ledger as ``assist-sync`` makes one, with a client in it."""
    from ledger.db import open_database

    db = open_database(f"sqlite:///{path}")
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE precious (x)")
    return path


def test_demo_refuses_to_empty_a_file_it_did_not_make(tmp_path: Path) -> None:
    ledger = real_ledger(tmp_path / "assist-sync.sqlite3")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    for path in (ledger, notes):
        before = path.read_bytes()
        done = demo_on(path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == (
            f"error: {path} is not a demo ledger: the demo empties its file first "
            "(pick another --database, or add --force to empty this one)"
        )
        assert path.read_bytes() == before


def test_demo_empties_its_own_ledger_and_with_force_any_file(tmp_path: Path) -> None:
    from jobs.demo import NotADemoLedger, is_demo_ledger, prepare_demo

    database = tmp_path / "demo.sqlite3"
    assert is_demo_ledger(database)  # missing
    with prepare_demo(database):
        pass
    assert is_demo_ledger(database)  # marked by the demo
    real_ledger(database)  # what a demo pass leaves: the same marked file, migrated, with data
    assert is_demo_ledger(database)
    with prepare_demo(database):
        pass
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0

    other = real_ledger(tmp_path / "other.sqlite3")
    assert not is_demo_ledger(other)
    with pytest.raises(NotADemoLedger):
        prepare_demo(other)
    with prepare_demo(other, force=True):
        pass
    assert is_demo_ledger(other)
    with sqlite3.connect(other) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
