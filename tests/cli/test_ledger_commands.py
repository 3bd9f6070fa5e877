"""The ledger commands, in-process through the real error boundary and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from jobs.cli import cli
from jobs.cli.context import run_cli
from ledger.db import open_database
from ledger.domain import Choice, ClientId, EntryId, EntryKind, Lot, LotId, TicketId, TimeEntry
from ledger.migrations import head_revision
from ledger.records import OrderRecord, RunRecord, TicketRecord, order_lot_id
from ledger.store import LedgerStore
from tests.env_file import empty_env_file

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE = ROOT / ".venv" / "bin" / "assist-sync"
NOW = datetime.now(UTC).replace(microsecond=0)
LOT_KEYS = {
    "id",
    "sku",
    "order_id",
    "order_line_id",
    "granted_minutes",
    "used_minutes",
    "expired_minutes",
    "remaining_minutes",
    "refunded_minutes",
    "voided_minutes",
    "opened_at",
    "expires_at",
    "status",
}
CLIENT_KEYS = {"client_id", "email", "remaining_minutes", "uncovered_minutes", "open_lots"}


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


class Cli:
    """Runs ``assist-sync`` in-process, through the real error boundary, with ``env``."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.env: dict[str, str] = {"ASSIST_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
        self.env_file = empty_env_file(tmp_path)
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()

    @property
    def url(self) -> str:
        return self.env["ASSIST_DATABASE_URL"]

    def __call__(self, *args: str) -> Outcome:
        self.monkeypatch.setattr(sys, "argv", ["assist-sync", "--env-file", self.env_file, *args])
        with self.runner.isolation(env=self.env) as (out, err, _):
            code = run_cli(cli)
        return Outcome(code, out.getvalue().decode(), err.getvalue().decode())


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path, monkeypatch)


def seed(url: str) -> None:
    """Client 12 (anne@example.fr): a 3 h pack bought 10 days ago, 45 min of work since, and an
    expired 5 h pack (bought a year ago, unused)."""
    db = open_database(url)
    try:
        with db.transaction() as s:
            store = LedgerStore(s)
            store.ensure_client(12, "anne@example.fr", "Anne")
            for order_id, line, sku, minutes, bought, months in (
                (13, 9, "ASSIST-3H", 180, NOW - timedelta(days=10), 3),
                (5, 1, "ASSIST-5H", 300, NOW - timedelta(days=400), 6),
            ):
                store.upsert_order(
                    OrderRecord(order_id, "completed", bought, "h", bought, 12, None, bought)
                )
                store.upsert_lot(
                    Lot(
                        id=LotId(order_lot_id(order_id, line)),
                        client_id=ClientId(12),
                        opened_at=bought,
                        expires_at=bought + timedelta(days=30 * months),
                        quantity=1,
                        pack_minutes=minutes,
                        hourly_rate=Decimal("60.00"),
                        sku=sku,
                        order_id=order_id,
                        order_line_id=line,
                    )
                )
            store.upsert_entry(
                TimeEntry(
                    EntryId("wp-40"),
                    ClientId(12),
                    EntryKind.PRODUCTION,
                    45,
                    NOW - timedelta(days=2),
                ),
                NOW,
            )
            store.ensure_client(30, "bob@example.fr")
    finally:
        db.close()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# --- in-process --------------------------------------------------------------------------


def test_db_upgrade_creates_then_reports_the_revision(invoke: Cli) -> None:
    first = invoke("db", "upgrade")
    assert first.code == 0 and f"upgraded from empty to {head_revision()}" in first.stdout
    second = invoke("db", "upgrade")
    assert second.code == 0 and f"already at revision {head_revision()}" in second.stdout


def test_balance_json_recomputes_now_and_has_the_documented_keys(
    invoke: Cli,
    database_url: str,
) -> None:
    invoke.env["ASSIST_DATABASE_URL"] = database_url
    seed(database_url)
    result = invoke("balance", "ANNE@example.fr", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert isinstance(data, dict)
    assert {"client_id", "email", "remaining_minutes", "uncovered_minutes", "lots"} == set(data)
    assert (data["client_id"], data["remaining_minutes"], data["uncovered_minutes"]) == (12, 135, 0)
    lots = {lot["id"]: lot for lot in data["lots"]}
    assert all(set(lot) == LOT_KEYS for lot in lots.values())
    assert lots["order-13-line-9"]["status"] == "open"
    assert lots["order-13-line-9"]["used_minutes"] == 45
    assert lots["order-5-line-1"]["status"] == "expired"  # recomputed at now
    assert lots["order-5-line-1"]["expired_minutes"] == 300
    opened = lots["order-13-line-9"]["opened_at"]
    assert opened.endswith("Z") and datetime.fromisoformat(opened) == NOW - timedelta(days=10)


def seed_refund_and_void(url: str) -> None:
    """Client 30 (bob@example.fr): 2 × 5 h bought 20 days ago, one refunded; a 3 h pack bought
    15 days ago whose order was cancelled; 1 h 30 min of work 5 days ago."""
    db = open_database(url)
    try:
        with db.transaction() as s:
            store = LedgerStore(s)
            store.ensure_client(30, "bob@example.fr")
            for order_id, sku, minutes, quantity, refunded, voided, days in (
                (20, "ASSIST-5H", 300, 2, 1, False, 20),
                (21, "ASSIST-3H", 180, 1, 0, True, 15),
            ):
                bought = NOW - timedelta(days=days)
                store.upsert_order(
                    OrderRecord(order_id, "completed", bought, "h", bought, 30, None, bought)
                )
                store.upsert_lot(
                    Lot(
                        id=LotId(order_lot_id(order_id, 1)),
                        client_id=ClientId(30),
                        opened_at=bought,
                        expires_at=bought + timedelta(days=180),
                        quantity=quantity,
                        pack_minutes=minutes,
                        hourly_rate=Decimal("57.00"),
                        sku=sku,
                        order_id=order_id,
                        order_line_id=1,
                        refunded_quantity=refunded,
                        voided=voided,
                    )
                )
            store.upsert_entry(
                TimeEntry(
                    EntryId("wp-77"),
                    ClientId(30),
                    EntryKind.PRODUCTION,
                    90,
                    NOW - timedelta(days=5),
                ),
                NOW,
            )
    finally:
        db.close()


def test_balance_shows_refunded_and_voided_minutes_so_that_the_columns_add_up(
    invoke: Cli,
) -> None:
    seed(invoke.url)
    seed_refund_and_void(invoke.url)
    for client in ("12", "30"):
        result = invoke("balance", client, "--json")
        assert result.code == 0, result.stderr
        for lot in result.json()["lots"]:  # type: ignore[index]
            parts = ("used", "expired", "remaining", "refunded", "voided")
            assert lot["granted_minutes"] == sum(lot[f"{part}_minutes"] for part in parts), lot
    lots = {lot["id"]: lot for lot in invoke("balance", "30", "--json").json()["lots"]}  # type: ignore[index]
    refunded, voided = lots["order-20-line-1"], lots["order-21-line-1"]
    assert (refunded["granted_minutes"], refunded["used_minutes"]) == (600, 90)
    assert (refunded["refunded_minutes"], refunded["voided_minutes"]) == (300, 0)
    assert (voided["granted_minutes"], voided["refunded_minutes"]) == (180, 0)
    assert (voided["voided_minutes"], voided["status"]) == (180, "voided")

    table = invoke("balance", "30").stdout
    assert "Refunded" in table and "Voided" in table
    cells = {
        line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[4:10]]
        for line in table.splitlines()
        if line.startswith("│ order-")
    }
    # Bought, Used, Expired, Left, Refunded, Voided
    assert cells["order-20-line-1"] == ["10 h", "1 h 30 min", "0 min", "3 h 30 min", "5 h", "0 min"]
    assert cells["order-21-line-1"] == ["3 h", "0 min", "0 min", "0 min", "0 min", "3 h"]


def test_balance_table_speaks_french_durations_and_paris_dates(invoke: Cli) -> None:
    seed(invoke.url)
    result = invoke("balance", "12")
    assert result.code == 0, result.stderr
    assert "2 h 15 min" in result.stdout and "45 min" in result.stdout
    paris = (NOW - timedelta(days=10)).astimezone(ZoneInfo("Europe/Paris"))
    assert paris.strftime("%d/%m/%Y") in result.stdout


def test_an_unknown_client_is_a_usage_error(invoke: Cli) -> None:
    seed(invoke.url)
    for command in ("balance", "ledger"):
        result = invoke(command, "nobody@example.fr")
        assert result.code == 2
        assert "unknown client 'nobody@example.fr'" in one_line(result.stderr)
    result = invoke("adjust", "99", "--minutes", "30", "--reason", "cadeau")
    assert result.code == 2 and "unknown client '99'" in one_line(result.stderr)
    for odd in ("99999999999999999999", "\u0661\u0662"):  # too large; Arabic-Indic "12"
        result = invoke("balance", odd)
        assert result.code == 2 and f"unknown client {odd!r}" in one_line(result.stderr)


def test_adjust_credits_and_debits_with_the_reason_in_the_ledger(invoke: Cli) -> None:
    seed(invoke.url)
    credit = invoke("adjust", "12", "--minutes", "60", "--reason", "geste commercial")
    assert credit.code == 0, credit.stderr
    assert "Credited 1 h to client 12" in credit.stdout
    debit = invoke("adjust", "anne@example.fr", "--minutes=-30", "--reason", "erreur", "--json")
    assert debit.code == 0, debit.stderr
    summary = debit.json()
    assert isinstance(summary, dict)
    assert (summary["minutes"], summary["reason"], summary["remaining_minutes"]) == (
        -30,
        "erreur",
        135 + 60 - 30,
    )
    log = invoke("ledger", "12", "--json").json()
    assert isinstance(log, dict)
    events = log["events"]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)  # oldest first
    sources = {e["source"] for e in events}
    assert {"order 13 line 9", "time entry wp-40", "admin adjustment: geste commercial"} <= sources
    assert "admin adjustment: erreur" in sources
    by_reason = [e for e in events if e["reason"] == "erreur"]
    assert by_reason and all(e["actor"].startswith("cli:") for e in by_reason)
    assert all(e["recorded_at"].endswith("Z") for e in events)
    human = invoke("ledger", "12")
    assert human.code == 0
    assert "admin adjustment: geste commercial" in human.stdout and "erreur" in human.stdout


def test_an_admin_debit_is_taken_exactly_even_when_work_is_rounded(invoke: Cli) -> None:
    seed(invoke.url)
    invoke.env["ASSIST_ROUNDING_MINUTES"] = "15"
    debit = invoke("adjust", "12", "--minutes=-7", "--reason", "erreur", "--json")
    assert debit.code == 0, debit.stderr
    summary = debit.json()
    assert isinstance(summary, dict)
    assert summary["remaining_minutes"] == 180 - 45 - 7  # the 45 min of work are a multiple of 15
    human = invoke("adjust", "12", "--minutes", "-8", "--reason", "erreur")
    assert (
        "Debited 8 min from client 12" in human.stdout and "remaining: 2 h" in human.stdout.lower()
    )


def test_the_ledger_table_shows_the_amount_of_billed_time(invoke: Cli) -> None:
    seed(invoke.url)
    db = open_database(invoke.url)
    with db.transaction() as s:
        store = LedgerStore(s)
        decided = NOW - timedelta(days=1)
        store.upsert_ticket(
            TicketRecord("wp-7", 12, "Refonte", "open", decided, 600, Choice.BILL, decided)
        )
        overrun = TimeEntry(EntryId("wp-41"), ClientId(12), EntryKind.PRODUCTION, 150, NOW)
        store.upsert_entry(replace(overrun, ticket_id=TicketId("wp-7")), NOW)
    db.close()
    assert invoke("balance", "12").code == 0  # records the events
    result = invoke("ledger", "12")
    assert result.code == 0, result.stderr
    (billed,) = [line for line in result.stdout.splitlines() if " billed " in line]
    assert "15 min" in billed and "15,00\u00a0€" in billed  # 15 min over, at the 3 h pack's 60 €/h


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--minutes", "30"], "Missing option '--reason'"),
        (["--minutes", "30", "--reason", "  "], "--reason must say why"),
        (["--minutes", "0", "--reason", "x"], "--minutes must not be 0"),
        (["--minutes", "trente", "--reason", "x"], "'trente' is not a valid integer"),
        (["--minutes", "99999999999999999999", "--reason", "x"], "is not in the range"),
        (["--minutes=-100001", "--reason", "x"], "is not in the range"),
        (["--minutes", "5", "--reason", "x", "--actor", "a" * 201], "at most 200 characters"),
    ],
)
def test_adjust_usage_errors_exit_2_with_one_line(
    invoke: Cli,
    args: list[str],
    message: str,
) -> None:
    seed(invoke.url)
    result = invoke("adjust", "12", *args)
    assert result.code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_clients_json_lists_every_client(invoke: Cli) -> None:
    seed(invoke.url)
    invoke("balance", "12")
    result = invoke("clients", "--json")
    assert result.code == 0
    rows = result.json()
    assert isinstance(rows, list)
    assert [(r["client_id"], r["email"], r["remaining_minutes"], r["open_lots"]) for r in rows] == [
        (12, "anne@example.fr", 135, 1),
        (30, "bob@example.fr", 0, 0),
    ]
    assert all(set(r) == CLIENT_KEYS for r in rows)
    human = invoke("clients")
    assert "anne@example.fr" in human.stdout and "2 h 15 min" in human.stdout


def test_status_json_shows_the_masked_database_runs_and_counts(
    invoke: Cli,
    postgres_url: str,
) -> None:
    invoke.env["ASSIST_DATABASE_URL"] = postgres_url.replace("postgres@", "postgres:hunter2@")
    seed(postgres_url)
    db = open_database(postgres_url)
    with db.transaction() as s:
        store = LedgerStore(s)
        store.save_cursor("orders", "2026-01-01T00:00:00Z", NOW)
        store.record_run(RunRecord("orders", NOW, NOW, "failed", {"orders_read": 3}, "HTTP 503"))
        store.quarantine("orders", "77", "unknown SKU", {"id": 77}, NOW)
    db.close()
    result = invoke("status", "--json")
    assert result.code == 0, result.stderr
    assert "hunter2" not in result.stdout
    data = result.json()
    assert isinstance(data, dict)
    assert data["database"]["dialect"] == "postgresql"
    assert data["database"]["revision"] == data["database"]["head"] == head_revision()
    assert data["cursors"]["orders"]["value"] == "2026-01-01T00:00:00Z"
    assert data["last_runs"]["orders"]["outcome"] == "failed"
    assert data["last_runs"]["orders"]["error"] == "HTTP 503"
    counts = data["counts"]
    assert (counts["clients"], counts["entries"], counts["quarantined"]) == (2, 1, 1)
    assert counts["lots"]["open"] == 2  # not recomputed yet: cached as opened
    human = invoke("status")
    assert human.code == 0 and "Quarantined: 1" in human.stdout and "hunter2" not in human.stdout


def test_an_unreachable_database_is_one_line_and_exit_1(invoke: Cli) -> None:
    invoke.env["ASSIST_DATABASE_URL"] = "postgresql://admin:s3cr3t@127.0.0.1:1/ledger"
    result = invoke("status")
    assert result.code == 1
    line = one_line(result.stderr)
    assert line == "error: cannot reach PostgreSQL at 127.0.0.1:1/ledger: connection refused"


# --- as a real subprocess ------------------------------------------------------------------


def cli_process(
    tmp_path: Path, *args: str, url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ASSIST_DATABASE_URL": url or f"sqlite:///{tmp_path / 'sub.sqlite3'}",
    }
    return subprocess.run(
        [str(EXECUTABLE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def test_subprocess_balance_of_an_unknown_client_exits_2(tmp_path: Path) -> None:
    done = cli_process(tmp_path, "balance", "nobody@example.fr")
    assert done.returncode == 2
    assert one_line(done.stderr).startswith("error: unknown client")


def test_subprocess_balance_json_prints_one_object(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub.sqlite3'}"
    seed(url)
    done = cli_process(tmp_path, "balance", "12", "--json", url=url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["remaining_minutes"] == 135


def test_subprocess_unreachable_database_exits_1_without_traceback(tmp_path: Path) -> None:
    done = cli_process(tmp_path, "clients", url="postgresql://u:pw-secret@127.0.0.1:1/x")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "connection refused" in line and "pw-secret" not in line


def test_subprocess_missing_sqlite_folder_exits_1(tmp_path: Path) -> None:
    done = cli_process(tmp_path, "status", url=f"sqlite:///{tmp_path}/missing/l.sqlite3")
    assert done.returncode == 1
    assert "does not exist" in one_line(done.stderr)


@pytest.mark.parametrize(
    "command", ["db", "db upgrade", "balance", "ledger", "adjust", "clients", "status"]
)
def test_every_command_has_help(invoke: Cli, command: str) -> None:
    result = invoke(*command.split(), "--help")
    assert result.code == 0 and "Usage:" in result.stdout


def test_rows_the_engine_cannot_allocate_are_one_line_and_exit_1(invoke: Cli) -> None:
    seed(invoke.url)
    db = open_database(invoke.url)
    with db.transaction() as s:
        store = LedgerStore(s)
        (lot,) = [lot for lot in store.lots_of_client(12) if lot.order_id == 13]
        broken = Lot(**{**lot.__dict__, "expires_at": lot.opened_at - timedelta(days=1)})
        store.upsert_lot(broken)
    db.close()
    result = invoke("balance", "12")
    assert result.code == 1
    assert one_line(result.stderr).startswith("error: cannot allocate client 12: ")
