"""The sweep against real servers: warnings through a local SMTP server, reports to the sandbox.

"Sent once and only once across restarts": each sweep below opens its own ``Database`` on the
same SQLite file or PostgreSQL schema, as a restarted daemon would.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import Secret, Settings
from ledger.db import open_database
from ledger.domain import Choice
from ledger.store import LedgerStore
from sandbox import Sandbox
from sync.mailer import Mailer
from sync.sweep import SweepSummary, current_warnings, sweep
from tests.smtp import SmtpServer
from tests.sync.ledger_story import CLIENT, LOT_3H, Story, at, write_story
from wp_client.client_area import ClientAreaClient

JAN_15 = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
JUN_15 = datetime(2027, 6, 15, 10, 0, tzinfo=UTC)  # the 5 h pack expires on 10 July
AUG_1 = datetime(2027, 8, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def mail_settings(server: SmtpServer) -> Settings:
    return Settings(
        smtp_url=Secret(server.url),
        mail_from="Agence Exemple <assistance@agence.example>",
        admin_email="admin@agence.example",
        woo_url="https://agence.example",
    )


def prepare(database_url: str, settings: Settings, client: int = CLIENT) -> None:
    """Claire's story plus an open ticket of 5 h estimated: more than the 4 h 15 min left."""
    db = open_database(database_url)
    write_story(db, settings, client=client)
    with db.transaction() as session:
        Story(LedgerStore(session), client).ticket(
            "16", "Refonte de la page d'accueil", estimate=300, status="open"
        )
    db.close()


def run_sweep(database_url: str, settings: Settings, now: datetime) -> SweepSummary:
    """One sweep as a freshly started daemon would run it: its own Database and Mailer."""
    db = open_database(database_url)
    try:
        with Mailer.from_settings(settings) as mailer:
            return sweep(db, settings, now=now, mailer=mailer)
    finally:
        db.close()


def test_every_warning_is_sent_once_and_only_once_across_restarts(
    database_url: str, smtp: SmtpServer
) -> None:
    settings = mail_settings(smtp)
    prepare(database_url, settings)

    first = run_sweep(database_url, settings, JAN_15)
    assert (first.warnings_sent, first.warnings_pending, first.warnings_failed) == (2, 0, 0)
    subjects = sorted(m.message["Subject"] for m in smtp.messages)
    assert subjects == [
        "Votre demande dépasse votre crédit d'assistance : votre choix",
        "Votre pack d'assistance est entièrement utilisé",
    ]
    for mail in smtp.messages:
        assert mail.rcpt_tos == ("claire@example.fr", "admin@agence.example")
        assert mail.message["To"] == "Claire Martin <claire@example.fr>"
    overrun = next(m for m in smtp.messages if "votre choix" in m.message["Subject"])
    assert "« Refonte de la page d'accueil » est estimée à 5 h" in overrun.text()
    assert "il ne reste que 4 h 15 min" in overrun.text()
    assert "57,00\u00a0€ HT de l'heure" in overrun.text()  # the 5 h pack is the one held

    again = run_sweep(database_url, settings, JAN_15)
    assert again.warnings_sent == 0 and len(smtp.messages) == 2

    later = run_sweep(database_url, settings, JUN_15)
    assert later.warnings_sent == 1
    assert smtp.messages[-1].message["Subject"] == "Votre crédit d'assistance arrive à échéance"
    assert "le 10 juillet 2027" in smtp.messages[-1].text()
    assert run_sweep(database_url, settings, JUN_15).warnings_sent == 0
    assert len({m.message["Message-ID"] for m in smtp.messages}) == len(smtp.messages) == 3


def test_two_replicas_sweeping_at_once_send_each_warning_once(
    database_url: str, smtp: SmtpServer
) -> None:
    """Two daemons (say, during a leader hand-over) sweep the same clients at the same time:
    the unique (client, key) row, written before the mail and committed after it, makes the
    second one wait for the first and then find the warning sent."""
    settings = mail_settings(smtp)
    prepare(database_url, settings)
    start = threading.Barrier(2)
    results: list[SweepSummary] = []

    def replica() -> None:
        start.wait()
        results.append(run_sweep(database_url, settings, JAN_15))

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(r.warnings_sent for r in results) == 2
    assert len(smtp.messages) == 2
    assert len({m.message["Message-ID"] for m in smtp.messages}) == 2


def test_smtp_down_records_nothing_and_the_next_sweep_sends(
    database_url: str, smtp: SmtpServer
) -> None:
    settings = mail_settings(smtp)
    prepare(database_url, settings)
    smtp.stop()

    down = run_sweep(database_url, settings, JAN_15)
    assert (down.warnings_sent, down.warnings_pending) == (0, 2)
    assert any("cannot connect" in problem for problem in down.problems)
    db = open_database(database_url)
    with db.read() as session:
        store = LedgerStore(session)
        assert not store.warning_sent(CLIENT, "overrun:16")
        assert not store.warning_sent(CLIENT, f"used_up:{LOT_3H}")
    db.close()

    smtp.start()
    back = run_sweep(database_url, settings, JAN_15)
    assert back.warnings_sent == 2 and len(smtp.messages) == 2


def test_without_mail_settings_warnings_wait_and_stay_visible(database_url: str) -> None:
    settings = Settings()
    prepare(database_url, settings)
    db = open_database(database_url)
    summary = sweep(db, settings, now=JAN_15)
    assert (summary.warnings_sent, summary.warnings_pending) == (0, 2)
    with db.read() as session:
        shown = current_warnings(LedgerStore(session), CLIENT, settings, JAN_15)
    assert [w.key for w in shown] == ["overrun:16", f"used_up:{LOT_3H}"]
    db.close()


def test_a_decision_ends_the_overrun_warning(database_url: str, smtp: SmtpServer) -> None:
    settings = mail_settings(smtp)
    prepare(database_url, settings)
    db = open_database(database_url)
    with db.transaction() as session:
        Story(LedgerStore(session), CLIENT).ticket(
            "16",
            "Refonte de la page d'accueil",
            estimate=300,
            status="open",
            decision=Choice.BUY_PACK,
            decided=at(1, 14, year=2027),
        )
    db.close()
    summary = run_sweep(database_url, settings, JAN_15)
    assert summary.warnings_sent == 1
    assert smtp.messages[0].message["Subject"] == "Votre pack d'assistance est entièrement utilisé"


def area_client(sandbox: Sandbox) -> ClientAreaClient:
    return ClientAreaClient(
        sandbox.url,
        sandbox.wp_username,
        Secret(sandbox.wp_app_password),
        allow_insecure_http=True,
        max_retries=0,
    )


def test_end_of_mission_reports_are_uploaded_once(
    database_url: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    client = min(sandbox.shop.customers)
    settings = Settings(mail_from="Agence Exemple <assistance@agence.example>")
    prepare(database_url, settings, client)
    area = area_client(sandbox)

    summaries = []
    for _ in range(2):
        db = open_database(database_url)
        summaries.append(sweep(db, settings, now=JAN_15, area=area))
        db.close()
    assert [s.reports_uploaded for s in summaries] == [1, 0]
    [report] = sandbox.area.reports.values()
    assert (report.client_id, report.lot_id) == (client, LOT_3H)
    assert report.content.startswith(b"%PDF")
    assert report.title == "Rapport d'intervention – Pack Assistance 3h du 01/12/2026"
    db = open_database(database_url)
    with db.read() as session:
        [row] = LedgerStore(session).reports_of_client(client)
    assert (row.lot_id, row.sha256, row.remote_id) == (LOT_3H, report.sha256, report.id)
    db.close()
    area.close()


def test_a_client_area_down_stops_the_uploads_of_the_sweep_not_the_warnings(
    database_url: str, sandbox: Sandbox, smtp: SmtpServer
) -> None:
    client = min(sandbox.shop.customers)
    settings = mail_settings(smtp)
    prepare(database_url, settings, client)
    sandbox.faults.server_error(count=10, status=503, path="/wp-json/assist/v1/reports")
    area = area_client(sandbox)
    db = open_database(database_url)
    try:
        with Mailer.from_settings(settings) as mailer:
            # 1 August: both packs have ended (3 h used up, 5 h expired on 10 July): two reports.
            summary = sweep(db, settings, now=AUG_1, mailer=mailer, area=area)
    finally:
        db.close()
        area.close()
    uploads = [r for r in sandbox.requests if r.route == "/assist/v1/reports"]
    assert len(uploads) == 1  # the second report was not tried against a failing client area
    assert (summary.reports_failed, summary.reports_pending, summary.reports_uploaded) == (1, 1, 0)
    assert summary.warnings_sent >= 1 and smtp.messages  # the mail went on


def test_a_report_uploaded_but_not_recorded_is_not_duplicated(
    database_url: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """A crash between the upload and its record: the next sweep renders the same bytes and
    the client area answers with the report it already has."""
    client = min(sandbox.shop.customers)
    settings = Settings(mail_from="Agence Exemple <assistance@agence.example>")
    area = area_client(sandbox)
    prepare(database_url, settings, client)
    db = open_database(database_url)
    sweep(db, settings, now=JAN_15, area=area)
    db.close()
    forgetful = f"sqlite:///{tmp_path / 'without-the-record.sqlite3'}"
    prepare(forgetful, settings, client)
    db = open_database(forgetful)
    later = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
    assert sweep(db, settings, now=later, area=area).reports_uploaded == 1
    db.close()
    assert len(sandbox.area.reports) == 1
    area.close()


# --- assist-sync sweep, as a real process ---------------------------------------------------

EXECUTABLE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "assist-sync"


def assist_sync(
    tmp_path: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(
        [str(EXECUTABLE), *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        cwd=tmp_path,
        timeout=120,
    )


def test_the_sweep_command(tmp_path: Path, sqlite_url: str, smtp: SmtpServer) -> None:
    settings = mail_settings(smtp)
    prepare(sqlite_url, settings)
    env = {"ASSIST_DATABASE_URL": sqlite_url}
    dry = assist_sync(tmp_path, env, "sweep", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["warnings_pending"] == 2 and smtp.messages == []

    env |= {
        "SMTP_URL": smtp.url,
        "MAIL_FROM": "Agence Exemple <assistance@agence.example>",
        "ADMIN_EMAIL": "admin@agence.example",
    }
    done = assist_sync(tmp_path, env, "sweep", "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["clients"] == 1 and figures["warnings_sent"] == 2
    assert len(smtp.messages) == 2
    again = assist_sync(tmp_path, env, "sweep", "--json")
    assert json.loads(again.stdout)["warnings_sent"] == 0 and len(smtp.messages) == 2

    db = open_database(sqlite_url)
    with db.transaction() as session:
        Story(LedgerStore(session), CLIENT).ticket("17", "Boutique", estimate=600, status="open")
    db.close()
    env["SMTP_URL"] = "smtp://robot:pw-very-secret@127.0.0.1:1"
    down = assist_sync(tmp_path, env, "sweep")
    assert down.returncode == 1
    assert "warnings waiting (mail off or unreachable) │ 1" in down.stdout
    assert down.stderr.splitlines() == [
        "warning: mail: smtp://robot:***@127.0.0.1:1: cannot connect (ConnectionRefusedError)",
        "error: 1 problem(s) above; nothing failed was recorded as sent, the next sweep retries",
    ]
    assert "pw-very-secret" not in down.stdout + down.stderr


def test_the_sweep_reports_its_progress_in_clients(database_url: str) -> None:
    settings = Settings()
    prepare(database_url, settings)  # client 5: two warnings and an end-of-mission report due
    db = open_database(database_url)
    try:
        with db.transaction() as session:
            for other in (7, 8):
                LedgerStore(session).ensure_client(other, f"c{other}@example.fr")
        calls: list[tuple[int, int]] = []
        summary = sweep(db, settings, now=JAN_15, progress=lambda *call: calls.append(call))
        assert calls == [(1, 3), (2, 3), (3, 3)]
        assert summary.clients == 3
        calls.clear()
        sweep(db, settings, now=JAN_15, client_id=CLIENT, progress=lambda *c: calls.append(c))
        assert calls == [(1, 1)]
    finally:
        db.close()
