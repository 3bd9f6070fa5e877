"""The hourly sweep: bring every client up to ``now``, send due warnings, upload end-of-mission
reports.

For each client:

1. **Recompute** at ``now`` in its own transaction, so expiries become facts of the ledger.
2. **Warnings** (``sync.warnings``): each one not sent yet is e-mailed once. Sent once and only
   once: in one transaction the warning row is inserted first (the unique (client, key) makes a
   racing replica wait, then find it), the mail is sent, and only then the transaction commits.
   If SMTP fails the transaction rolls back: nothing is recorded and the next sweep retries. The
   only window left is a crash between the server's "250 OK" and the commit: the warning is then
   sent again, with the same ``Message-ID`` (derived from client and key), so it is recognisable.
   An SMTP server that cannot be reached stops the mail part of this sweep (no point trying
   every client); a refused message is counted and the sweep goes on.
3. **Reports** (``sync.reports``): each lot used up or expired without a report gets one,
   uploaded through the client area and then recorded. Its PDF is dated at the end of the mission
   and byte-stable, so a crash between upload and record makes the next sweep upload the same
   bytes, which the client area recognises (same client, lot and sha256) instead of duplicating.
   A client area that cannot be reached or refuses the credentials stops the uploads of this
   sweep (the remaining reports wait for the next one), like an unreachable SMTP server stops
   the mail: each upload would otherwise spend its retries, and the run's deadline, on it.

A client whose data fails the engine's checks is skipped with its reason; the others go on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from config import Settings
from ledger.db import Database
from ledger.domain import LotStatus
from ledger.store import LedgerStore
from sync.mailer import Mailer, MailError, MailRejected, compose_warning
from sync.policy import policy_from_settings
from sync.product_pages import product_urls as known_product_urls
from sync.reports import end_of_mission_report, render_report_pdf
from sync.summary import SyncSummary
from sync.warnings import ClientWarning, WarningOptions, detect_warnings, logged_minutes_by_ticket
from wp_client.errors import ConfigurationError, RemoteError, TransientError

log = logging.getLogger(__name__)
END_OF_MISSION = (LotStatus.USED_UP, LotStatus.EXPIRED)


class ReportUploader(Protocol):
    """What the sweep needs of ``wp_client.ClientAreaClient``."""

    def upload_report(
        self, client_id: int, lot_id: str, title: str, pdf: bytes, filename: str
    ) -> dict[str, object]: ...


@dataclass(frozen=True)
class SweepSummary(SyncSummary):
    KEYS: ClassVar[tuple[str, ...]] = (
        "clients",
        "warnings_sent",
        "warnings_pending",
        "warnings_failed",
        "reports_uploaded",
        "reports_pending",
        "reports_failed",
        "skipped",
        "seconds",
    )
    LABELS: ClassVar[dict[str, str]] = {
        "clients": "clients swept",
        "warnings_sent": "warnings e-mailed",
        "warnings_pending": "warnings waiting (mail off or unreachable)",
        "warnings_failed": "warnings refused by the mail server",
        "reports_uploaded": "reports uploaded",
        "reports_pending": "reports waiting (client area off)",
        "reports_failed": "report uploads failed",
        "skipped": "clients skipped",
        "seconds": "duration",
    }

    clients: int = 0
    warnings_sent: int = 0
    warnings_pending: int = 0
    warnings_failed: int = 0
    reports_uploaded: int = 0
    reports_pending: int = 0
    reports_failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())


def current_warnings(
    store: LedgerStore,
    client_id: int,
    settings: Settings,
    now: datetime,
    product_urls: Mapping[str, str] | None = None,
) -> list[ClientWarning]:
    """The warnings that apply to the client at ``now`` (from its last recompute); what the
    account page shows as pending warnings. Raises UnknownClient."""
    balance = store.balance(client_id)
    tickets = store.tickets_of_client(client_id)
    logged = logged_minutes_by_ticket(store.entries_of_client(client_id), settings.rounding_minutes)
    options = WarningOptions.from_settings(settings, known_product_urls(store, product_urls))
    return detect_warnings(balance, tickets, logged, now, options)


class _Sweep:
    """One pass; the mutable counters of ``sweep``."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        now: datetime,
        mailer: Mailer | None,
        area: ReportUploader | None,
        product_urls: Mapping[str, str] | None,
        dry_run: bool,
    ) -> None:
        self.db, self.settings, self.now = db, settings, now
        self.mailer, self.area, self.dry_run = mailer, area, dry_run
        self.product_urls = product_urls
        self.counts: dict[str, int] = dict.fromkeys(SweepSummary.KEYS[:-1], 0)
        self.problems: list[str] = []
        self.mail_down = False
        self.area_down = False

    def client(self, client_id: int) -> None:
        self.counts["clients"] += 1
        try:
            if not self.dry_run:
                with self.db.transaction() as session:
                    LedgerStore(session).recompute(
                        client_id, self.now, policy_from_settings(self.settings)
                    )
            with self.db.read() as session:
                store = LedgerStore(session)
                balance = store.balance(client_id)
                warnings = [
                    w
                    for w in current_warnings(
                        store, client_id, self.settings, self.now, self.product_urls
                    )
                    if not store.warning_sent(client_id, w.key)
                ]
                reported = {r.lot_id for r in store.reports_of_client(client_id)}
        except (ValueError, LookupError) as exc:  # InvalidLedgerInput, UnknownClient
            self.counts["skipped"] += 1
            self.problems.append(f"client {client_id}: {exc}")
            log.warning("sweep: client %s skipped: %s", client_id, exc)
            return
        for warning in warnings:
            self.warn(warning, balance.email, balance.name)
        for lot in balance.lots:
            if lot.status in END_OF_MISSION and lot.id not in reported:
                self.report(client_id, lot.id)

    def warn(self, warning: ClientWarning, email: str | None, name: str | None) -> None:
        if self.mailer is None or self.mail_down or not email or self.dry_run:
            self.counts["warnings_pending"] += 1
            return
        assert self.settings.mail_from is not None  # Mailer.from_settings requires it
        message = compose_warning(
            warning,
            to=email,
            name=name,
            mail_from=self.settings.mail_from,
            admin_email=self.settings.admin_email,
            account_url=self.settings.wp_url,
        )
        try:
            with self.db.transaction() as session:
                store = LedgerStore(session)
                payload = warning.as_payload()
                if not store.record_warning(
                    warning.client_id, warning.key, warning.kind.value, payload, self.now
                ):
                    return  # another replica sent it meanwhile
                self.mailer.send(message)  # raises: the row above is rolled back
        except MailRejected as exc:
            self.counts["warnings_failed"] += 1
            self.problems.append(f"warning {warning.key} to client {warning.client_id}: {exc}")
            log.warning("sweep: warning %s not sent: %s", warning.key, exc)
            return
        except MailError as exc:
            self.mail_down = True
            self.counts["warnings_pending"] += 1
            self.problems.append(f"mail: {exc}")
            log.warning("sweep: mail stopped for this pass: %s", exc)
            return
        self.counts["warnings_sent"] += 1
        log.info("sweep: warning %s sent to client %s", warning.key, warning.client_id)

    def report(self, client_id: int, lot_id: str) -> None:
        if self.area is None or self.area_down or self.dry_run:
            self.counts["reports_pending"] += 1
            return
        with self.db.read() as session:
            report = end_of_mission_report(
                LedgerStore(session), client_id, lot_id, self.settings, self.now
            )
        if report is None:
            return
        try:
            pdf = render_report_pdf(report)
        except Exception as exc:  # a third-party renderer: one bad report must not stop the
            self.counts["reports_failed"] += 1  # sweep; the next sweep tries again
            self.problems.append(f"report {lot_id} of client {client_id}: cannot render ({exc})")
            log.exception("sweep: report %s of client %s not rendered", lot_id, client_id)
            return
        digest = hashlib.sha256(pdf).hexdigest()
        try:
            answer = self.area.upload_report(client_id, lot_id, report.title, pdf, report.filename)
        except RemoteError as exc:
            self.counts["reports_failed"] += 1
            self.problems.append(f"report {lot_id} of client {client_id}: {exc}")
            log.warning("sweep: report %s of client %s not uploaded: %s", lot_id, client_id, exc)
            if isinstance(exc, (TransientError, ConfigurationError)):
                self.area_down = True  # not this report's fault: the others would fail too
                log.warning("sweep: uploads stopped for this pass")
            return
        remote_id = answer.get("id")
        with self.db.transaction() as session:
            LedgerStore(session).record_report(
                client_id,
                lot_id,
                digest,
                remote_id if isinstance(remote_id, int) else None,
                self.now,
            )
        self.counts["reports_uploaded"] += 1
        log.info("sweep: report %s of client %s uploaded", lot_id, client_id)


def sweep(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    mailer: Mailer | None = None,
    area: ReportUploader | None = None,
    client_id: int | None = None,
    product_urls: Mapping[str, str] | None = None,
    dry_run: bool = False,
    checkpoint: Callable[[], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Sweep every client (or ``client_id``) at ``now``.

    ``mailer`` None: warnings are detected (and shown on account pages) but not e-mailed, so
    not recorded. ``area`` None: reports are not made. ``dry_run``: nothing is written or sent;
    the summary counts what would be. ``checkpoint`` is called before each client and may
    raise to stop the sweep there (the daemon's deadline and shutdown: a sweep without a
    client area makes no request that would notice them); what was done stays done.
    ``progress(done, total)`` is called after each client: clients swept (skipped ones
    included) of the clients to sweep.
    Raises only for database failures and what ``checkpoint`` raises.
    """
    started = time.monotonic()
    state = _Sweep(db, settings, now, mailer, area, product_urls, dry_run)
    with db.read() as session:
        ids = [
            cid
            for cid in LedgerStore(session).client_ids()
            if client_id is None or cid == client_id
        ]
    for done, cid in enumerate(ids, start=1):
        if checkpoint is not None:
            checkpoint()
        state.client(cid)
        if progress is not None:
            progress(done, len(ids))
    return SweepSummary(
        **state.counts,
        seconds=round(time.monotonic() - started, 3),
        problems=tuple(state.problems),
    )
