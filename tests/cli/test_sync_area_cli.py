"""``sync client-area``, ``sync accounts`` and ``sync all`` against the sandbox: in-process
through the real error boundary, and once as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.cli.harness import EXECUTABLE, ORDER_KEYS, Cli, free_port, sandbox_env
from tests.env_file import empty_env_file

AREA_KEYS = ["records_read", "changed", "deleted", "quarantined", "requests", "seconds"]
ACCOUNT_KEYS = ["accounts_pushed", "unchanged", "failed", "requests", "seconds"]


@pytest.fixture
def invoke(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(sandbox_env(sandbox, tmp_path), tmp_path, monkeypatch)


def test_client_area_then_accounts_print_their_summaries(invoke: Cli, sandbox: Sandbox) -> None:
    assert invoke("sync", "orders", "--json").code == 0
    pulled = invoke("sync", "client-area", "--json")
    assert pulled.code == 0, pulled.stderr
    summary = pulled.json()
    assert list(summary) == AREA_KEYS
    assert summary["records_read"] == len(sandbox.area.tickets) + len(sandbox.area.entries)
    pushed = invoke("sync", "accounts", "--json")
    assert pushed.code == 0, pushed.stderr
    assert list(pushed.json()) == ACCOUNT_KEYS
    assert pushed.json()["accounts_pushed"] == len(sandbox.area.accounts) > 0
    quiet = invoke("sync", "accounts", "--json")
    assert quiet.json()["requests"] == 0 and quiet.json()["accounts_pushed"] == 0


def test_sync_all_runs_the_three_steps_in_order(invoke: Cli, sandbox: Sandbox) -> None:
    outcome = invoke("sync", "all", "--json")
    assert outcome.code == 0, outcome.stderr
    steps = outcome.json()
    assert list(steps) == ["orders", "client_area", "accounts"]
    assert [list(v) for v in steps.values()] == [ORDER_KEYS, AREA_KEYS, ACCOUNT_KEYS]  # type: ignore[call-overload]
    routes = [r.route for r in sandbox.requests]
    first = {prefix: next(i for i, r in enumerate(routes) if r.startswith(prefix)) for prefix in (
        "/wc/v3/orders", "/assist/v1/tickets", "/assist/v1/time-entries", "/assist/v1/accounts"
    )}  # fmt: skip
    assert sorted(first, key=first.__getitem__) == list(first)
    assert len(sandbox.area.accounts) > 0


def test_text_output_and_dry_run(invoke: Cli, sandbox: Sandbox) -> None:
    dry = invoke("sync", "all", "--dry-run")
    assert dry.code == 0, dry.stderr
    words = " ".join(dry.stdout.split())  # titles wrap above narrow tables
    assert "Client area sync (dry run: nothing was written)" in words
    assert "Accounts push (dry run: nothing was written)" in words
    assert sandbox.area.accounts == {}
    real = invoke("sync", "client-area", "--client", "5")
    assert real.code == 0 and "time entries read" in real.stdout


def test_a_missing_client_area_setting_is_one_line(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sandbox_env(sandbox, tmp_path)
    del env["WP_APP_PASSWORD"]
    outcome = Cli(env, tmp_path, monkeypatch)("sync", "client-area")
    assert outcome.code == 2
    assert outcome.stderr.strip().count("\n") == 0 and "WP_APP_PASSWORD" in outcome.stderr


def test_wrong_credentials_are_a_configuration_error(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sandbox_env(sandbox, tmp_path)
    env["WP_APP_PASSWORD"] = "abcd efgh ijkl mnop qrst uvwx"
    outcome = Cli(env, tmp_path, monkeypatch)("sync", "accounts")
    assert outcome.code == 0  # nothing to push yet: no request, nothing to refuse
    outcome = Cli(env, tmp_path, monkeypatch)("sync", "client-area")
    assert outcome.code == 2, outcome.stderr
    assert outcome.stderr.startswith("error: ") and "WP_APP_PASSWORD" in outcome.stderr
    assert "Traceback" not in outcome.stderr and env["WP_APP_PASSWORD"] not in outcome.stderr


def test_an_unreachable_client_area_keeps_everything(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = sandbox_env(sandbox, tmp_path)
    env["WP_URL"] = f"http://127.0.0.1:{free_port()}"
    outcome = Cli(env, tmp_path, monkeypatch)("sync", "client-area", "--json")
    assert outcome.code == 1
    assert "nothing was lost" in outcome.stderr and outcome.stdout == ""
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_an_unknown_client_for_accounts_is_one_line(invoke: Cli) -> None:
    outcome = invoke("sync", "accounts", "--client", "424242")
    assert outcome.code == 2
    assert "no client 424242 in the ledger" in outcome.stderr


def test_sync_all_as_a_real_subprocess(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**os.environ, **sandbox_env(sandbox, tmp_path)}
    done = subprocess.run(
        [str(EXECUTABLE), "--env-file", empty_env_file(tmp_path), "sync", "all", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)
    assert steps["accounts"]["accounts_pushed"] == len(sandbox.area.accounts) > 0


def test_an_unreadable_client_area_cursor_names_itself_and_the_fix(
    invoke: Cli, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from ledger.db import open_database
    from ledger.store import LedgerStore

    assert invoke("sync", "client-area", "--json").code == 0
    db = open_database(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        with db.transaction() as session:
            LedgerStore(session).save_cursor("client_area.entries", "{}", datetime.now(UTC))
    finally:
        db.close()
    failed = invoke("sync", "client-area")
    assert failed.code == 1
    assert failed.one_error_line() == (
        "error: client_area.entries cursor of unknown version: '{}': "
        "run `assist-sync sync client-area --full` once to rebuild it"
    )
    assert invoke("sync", "client-area", "--full", "--json").code == 0
    assert invoke("sync", "client-area", "--json").code == 0
