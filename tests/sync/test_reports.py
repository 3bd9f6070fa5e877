"""End-of-mission reports: data from a real ledger, PDF text read back with pypdf."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from config import Settings
from ledger.db import Database, open_database
from ledger.store import LedgerStore
from sync.reports import ReportData, ReportError, build_report, render_report_pdf
from tests.sync.ledger_story import CLIENT, LOT_3H, LOT_5H, write_story

NOW = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
SETTINGS = Settings(
    mail_from="Agence Exemple <assistance@agence.example>", wp_url="https://agence.example"
)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    write_story(database, SETTINGS)
    yield database
    database.close()


def report_of(db: Database, lot_id: str | None) -> ReportData:
    with db.read() as session:
        return build_report(LedgerStore(session), CLIENT, lot_id, SETTINGS, NOW)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with every run of white space (incl. no-break spaces) as one space."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def has_row(text: str, *cells: str) -> bool:
    """True if ``cells`` follow each other in ``text`` (pypdf may or may not put a space
    between two table cells)."""
    return re.search(r"\s*".join(re.escape(cell) for cell in cells), text) is not None


def test_the_report_of_a_used_up_pack_lists_its_work(db: Database) -> None:
    report = report_of(db, LOT_3H)
    assert report.lot is not None and report.lot.label == "Pack Assistance 3h"
    assert (report.lot.used, report.lot.remaining, report.lot.status) == (180, 0, "épuisé")
    assert [task.ticket_id for task in report.tasks] == ["12", "14"]
    production, exchange, training = (
        next(line for line in report.tasks[0].lines if line.entry_id == entry)
        for entry in ("wp-40", "wp-41", "wp-42")
    )
    assert (production.minutes, production.charged, production.deducted) == (75, 75, True)
    assert (exchange.minutes, exchange.charged, exchange.deducted) == (20, 0, False)
    assert training.charged == 30
    [correction] = report.tasks[1].lines
    assert (correction.minutes, correction.charged) == (90, 75)
    [billed] = report.uncovered
    assert (billed.entry_id, billed.minutes, billed.amount) == ("wp-43", 15, Decimal("15.00"))
    assert report.totals.used == 180 and report.totals.exchange == 20
    assert report.totals.billed == 15 and report.totals.pending == 0
    assert "wp-44" not in {line.entry_id for task in report.tasks for line in task.lines}


def test_the_pdf_reads_in_french(db: Database) -> None:
    text = pdf_text(render_report_pdf(report_of(db, LOT_3H)))
    for expected in (
        "Agence Exemple",
        "Claire Martin",
        "claire@example.fr",
        "Rapport d'intervention",
        "Pack Assistance 3h",
        "ASSIST-3H",
        "01/12/2026",
        "01/03/2027",
        "Ajouter une page Tarifs",
        "facturé à 60,00 € HT de l'heure, soit 15,00 € HT",
        "Échanges (non déduits) 20 min",
        "Établi le 15 janvier 2027",
    ):
        assert expected in text, expected
    for row in (
        ("Production", "Mise en page", "1 h 15 min", "1 h 15 min"),
        ("Échange", "Visio de cadrage", "20 min", "non déduit"),
        ("Formation", "Prise en main", "30 min", "30 min"),
        ("Correction", "Validation", "1 h 30 min", "1 h 15 min"),
        ("Corriger le formulaire de contact", "15 min", "facturé à"),
    ):
        assert has_row(text, *row), row
    assert "Bannière" not in text


def test_a_pack_that_absorbed_earlier_time_says_so(db: Database) -> None:
    report = report_of(db, LOT_5H)
    [task] = report.tasks
    [line] = task.lines
    assert (line.entry_id, line.charged, line.absorbed) == ("wp-44", 45, True)
    [absorbed] = report.uncovered
    assert absorbed.settlement == "déduit de ce pack (acheté le 10 janvier 2027)"
    text = pdf_text(render_report_pdf(report))
    assert has_row(text, "Production", "Bannière", "45 min", "45 min *")
    assert "restant 4 h 15 min" in text  # pypdf may split the kerned "Te"


def test_the_whole_account_summary(db: Database) -> None:
    report = report_of(db, None)
    assert report.lot is None and len(report.lots) == 2
    assert (report.totals.granted, report.totals.used, report.totals.remaining) == (480, 225, 255)
    assert [task.ticket_id for task in report.tasks] == ["12", "14", "15"]
    text = pdf_text(render_report_pdf(report))
    assert "tous vos packs" in text
    assert "déduit du Pack Assistance 5h (acheté le 10 janvier 2027)" in text


def test_the_whole_account_lists_time_no_pack_covered(database_url: str) -> None:
    # Without the second pack, "Nouvelle bannière" (45 min on 20 December) was never covered
    # by any lot: the account's summary still lists it, as time waiting to be settled.
    database = open_database(database_url)
    try:
        write_story(database, SETTINGS, with_second_pack=False)
        report = report_of(database, None)
    finally:
        database.close()
    assert [task.ticket_id for task in report.tasks] == ["12", "14", "15"]
    pending = [u for u in report.uncovered if u.entry_id == "wp-44"]
    assert [(u.minutes, u.amount) for u in pending] == [(45, None)]
    assert (report.totals.pending, report.totals.billed) == (45, 15)
    text = pdf_text(render_report_pdf(report))
    assert has_row(text, "Nouvelle bannière", "45 min", "non couvert")
    assert "hors crédit en attente 45 min" in text


def test_every_page_carries_the_footer(db: Database) -> None:
    long = replace(report_of(db, LOT_3H), tasks=report_of(db, LOT_3H).tasks * 12)
    pages = pypdf.PdfReader(io.BytesIO(render_report_pdf(long))).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Agence Exemple – Rapport d'intervention" in text, number
        assert f"Page {number} / {len(pages)}" in text


def test_the_same_report_gives_the_same_bytes(db: Database) -> None:
    assert render_report_pdf(report_of(db, LOT_3H)) == render_report_pdf(report_of(db, LOT_3H))


def test_unknown_client_or_lot(db: Database) -> None:
    with db.read() as session, pytest.raises(ReportError, match="no client 99"):
        build_report(LedgerStore(session), 99, None, SETTINGS, NOW)
    with db.read() as session, pytest.raises(ReportError, match="has no lot 'order-1-line-1'"):
        build_report(LedgerStore(session), CLIENT, "order-1-line-1", SETTINGS, NOW)


# --- assist-sync report, as a real process --------------------------------------------------

EXECUTABLE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "assist-sync"


def assist_sync(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ASSIST_DATABASE_URL": url}
    return subprocess.run(
        [str(EXECUTABLE), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


def test_the_report_command_writes_a_pdf(tmp_path: Path, sqlite_url: str) -> None:
    database = open_database(sqlite_url)
    write_story(database, SETTINGS)
    database.close()
    done = assist_sync(
        tmp_path, sqlite_url, "report", "claire@example.fr", "--lot", LOT_3H, "-o", "claire.pdf"
    )
    assert done.returncode == 0, done.stderr
    assert "Rapport d'intervention – Pack Assistance 3h du 01/12/2026" in done.stdout
    text = pdf_text((tmp_path / "claire.pdf").read_bytes())
    assert "Claire Martin" in text
    assert has_row(text, "Correction", "Validation", "1 h 30 min", "1 h 15 min")

    whole = assist_sync(tmp_path, sqlite_url, "report", str(CLIENT), "-o", "compte.pdf")
    assert whole.returncode == 0, whole.stderr
    assert "tous vos packs" in pdf_text((tmp_path / "compte.pdf").read_bytes())


def test_the_report_command_on_an_unknown_client_or_lot(tmp_path: Path, sqlite_url: str) -> None:
    database = open_database(sqlite_url)
    write_story(database, SETTINGS)
    database.close()
    unknown = assist_sync(tmp_path, sqlite_url, "report", "nobody@example.fr", "-o", "x.pdf")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == [
        "error: unknown client 'nobody@example.fr': give a WordPress user id or an e-mail "
        "(see `assist-sync clients`)"
    ]
    no_lot = assist_sync(
        tmp_path, sqlite_url, "report", "5", "--lot", "order-9-line-9", "-o", "x.pdf"
    )
    assert no_lot.returncode == 2
    assert no_lot.stderr.splitlines() == [
        "error: client 5 has no lot 'order-9-line-9' (see `assist-sync balance 5`)"
    ]
    assert not (tmp_path / "x.pdf").exists()
